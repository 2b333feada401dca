-- Indexes activity-graph adds to the platform's activity tables (never created by the platform).
-- All are named ag_* so that they can be told apart from the platform's own indexes (schema.sql)
-- and dropped without touching those.
--
-- `activity-graph db init` applies this file inside one transaction, so it cannot use
-- CREATE INDEX CONCURRENTLY. On a large live platform database, run the same statements by hand
-- with CONCURRENTLY (one at a time, outside a transaction) before `db init`; IF NOT EXISTS then
-- makes db init skip them.

-- ---------------------------------------------------------------------------------------------
-- Change capture. The sync reads new rows in keyset order on id (the primary key: no extra index
-- needed). Two tables are updated in place by the platform - session_activity (end_time,
-- duration_seconds, counters) and activity_aggregation (activity_counts, engagement_score) - and
-- any row's updated_at moves when Django saves it again, so a second keyset on (updated_at, id)
-- lets a reader pick up updates without scanning: WHERE (updated_at, id) > ($at, $id)
-- ORDER BY updated_at, id.
-- ---------------------------------------------------------------------------------------------
CREATE INDEX IF NOT EXISTS ag_user_activity_updated_id_idx ON user_activity (updated_at, id);
CREATE INDEX IF NOT EXISTS ag_content_interaction_updated_id_idx ON content_interaction (updated_at, id);
CREATE INDEX IF NOT EXISTS ag_social_interaction_updated_id_idx ON social_interaction (updated_at, id);
CREATE INDEX IF NOT EXISTS ag_profile_activity_updated_id_idx ON profile_activity (updated_at, id);
CREATE INDEX IF NOT EXISTS ag_media_interaction_updated_id_idx ON media_interaction (updated_at, id);
CREATE INDEX IF NOT EXISTS ag_session_activity_updated_id_idx ON session_activity (updated_at, id);
CREATE INDEX IF NOT EXISTS ag_activity_aggregation_updated_id_idx ON activity_aggregation (updated_at, id);
CREATE INDEX IF NOT EXISTS ag_vibe_activity_updated_id_idx ON vibe_activity (updated_at, id);

-- ---------------------------------------------------------------------------------------------
-- Recent activity per user / per type, as the platform team's write-up asks for (section 6.1:
-- idx_content_interaction_user_recent, idx_social_interaction_type_recent,
-- idx_profile_activity_owner_recent). The write-up makes them partial indexes with
-- `WHERE created_at >= NOW() - INTERVAL '30 days'`, which Postgres rejects: an index predicate
-- may only use IMMUTABLE functions, and now() is not (the set of rows "in the last 30 days"
-- changes while the index stands still). These are the plain composite indexes instead; a
-- query bounded by `created_at >= now() - interval '30 days'` uses them as a range scan on the
-- second column, which is what the partial index was meant to buy.
-- ---------------------------------------------------------------------------------------------
CREATE INDEX IF NOT EXISTS ag_content_interaction_user_created_idx
    ON content_interaction (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS ag_social_interaction_type_created_idx
    ON social_interaction (interaction_type, created_at DESC);
CREATE INDEX IF NOT EXISTS ag_profile_activity_owner_created_idx
    ON profile_activity (profile_owner_id, created_at DESC);

-- The same per-user recency read for the other per-user event tables the sync and the analytics
-- backfill walk user by user (the platform's own composite indexes lead with user_id but end in
-- "timestamp", which a caller may pass explicitly, not in created_at, which Django always sets to
-- the insert time).
CREATE INDEX IF NOT EXISTS ag_social_interaction_user_created_idx
    ON social_interaction (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS ag_media_interaction_user_created_idx
    ON media_interaction (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS ag_vibe_activity_user_created_idx
    ON vibe_activity (user_id, created_at DESC);
