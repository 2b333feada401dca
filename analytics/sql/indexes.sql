-- Indexes the analytics add to the platform's activity tables: event time ("timestamp"), which every job here
-- reads by range (one day, one week, a window), and which the platform indexes only behind user_id or a type
-- column. Named ag_analytics_* so they can be told from the platform's (and the sync's ag_*) and dropped
-- without touching those. `activity-graph analytics init` applies this file in one transaction; on a large
-- live database run the statements by hand with CREATE INDEX CONCURRENTLY first (IF NOT EXISTS then skips
-- them). BRIN would be smaller, but rows are not physically ordered by event time (the platform may pass a
-- timestamp), so these are b-trees.
CREATE INDEX IF NOT EXISTS ag_analytics_user_activity_ts_idx ON user_activity ("timestamp");
CREATE INDEX IF NOT EXISTS ag_analytics_content_interaction_ts_idx ON content_interaction ("timestamp");
CREATE INDEX IF NOT EXISTS ag_analytics_social_interaction_ts_idx ON social_interaction ("timestamp");
CREATE INDEX IF NOT EXISTS ag_analytics_profile_activity_ts_idx ON profile_activity ("timestamp");
CREATE INDEX IF NOT EXISTS ag_analytics_media_interaction_ts_idx ON media_interaction ("timestamp");
CREATE INDEX IF NOT EXISTS ag_analytics_vibe_activity_ts_idx ON vibe_activity ("timestamp");
CREATE INDEX IF NOT EXISTS ag_analytics_session_activity_start_idx ON session_activity (start_time);
