-- activity_events (included by temporal_patterns and profile_temporal): every action a user took in
-- [%(start)s, %(end)s), as (user_id, at), optionally for one user (%(user_id)s, NULL for all).
-- A feed load writes one impression row per item shown in the same instant: impressions count once per
-- user and second. profile_activity counts for the visitor; its twin of a social profile_visit
-- (metadata.query_type = 'profile_by_user_id', docs/mapping.md) is left out. Sessions count at their start.
events AS (
    SELECT user_id, "timestamp" AS at FROM user_activity
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND (%(user_id)s::integer IS NULL OR user_id = %(user_id)s::integer)
    UNION ALL
    SELECT DISTINCT user_id, date_trunc('second', "timestamp") FROM content_interaction
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND (%(user_id)s::integer IS NULL OR user_id = %(user_id)s::integer)
      AND lower(btrim(interaction_type)) = 'view' AND coalesce(metadata ->> 'source' = 'feed_view', false)
    UNION ALL
    SELECT user_id, "timestamp" FROM content_interaction
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND (%(user_id)s::integer IS NULL OR user_id = %(user_id)s::integer)
      AND NOT (lower(btrim(interaction_type)) = 'view' AND coalesce(metadata ->> 'source' = 'feed_view', false))
    UNION ALL
    SELECT user_id, "timestamp" FROM social_interaction
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND (%(user_id)s::integer IS NULL OR user_id = %(user_id)s::integer)
    UNION ALL
    SELECT visitor_id, "timestamp" FROM profile_activity
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND (%(user_id)s::integer IS NULL OR visitor_id = %(user_id)s::integer)
      AND metadata ->> 'query_type' IS DISTINCT FROM 'profile_by_user_id'
    UNION ALL
    SELECT user_id, "timestamp" FROM media_interaction
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND (%(user_id)s::integer IS NULL OR user_id = %(user_id)s::integer)
    UNION ALL
    SELECT user_id, "timestamp" FROM vibe_activity
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND (%(user_id)s::integer IS NULL OR user_id = %(user_id)s::integer)
    UNION ALL
    SELECT user_id, start_time FROM session_activity
    WHERE start_time >= %(start)s AND start_time < %(end)s
      AND (%(user_id)s::integer IS NULL OR user_id = %(user_id)s::integer)
)
