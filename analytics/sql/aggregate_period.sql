-- aggregate_period: one period's activity_aggregation rows, computed from the seven activity tables and
-- written in place of what the period held (analytics/aggregate.py runs it once per period, all periods of a
-- call in one transaction).
--
-- Per user (the acting user: user_id, or profile_activity.visitor_id) and period [start, end) of event time
-- ("timestamp"; session_activity: start_time):
--   activity_counts   {"<table>": {"<type>": rows}}; the type is the table's *_type column trimmed and
--                     lower-cased ('unknown' when empty); a feed impression (content_interaction `view` with
--                     metadata.source = 'feed_view') counts as 'feed_impression', not as a view; sessions count
--                     by session_type.
--   engagement_score  the write-up's _calculate_engagement_score (section 3.2.2) over the user's content
--                     interactions of the period: the mean of weight[type] + min(duration/60, cap) * per_minute
--                     + scroll/100 * scroll_full, with the sync's weights. Impressions and the connection and
--                     session rows of content_interaction are not engagement; a duration outside
--                     (0, max_duration] or a depth outside (0, 100] (NaN, infinity, negative) adds no bonus.
--                     0 when the user had no such interaction.
-- Rows are upserted on (user_id, aggregation_type, date), which keeps their id and created_at; rows of the
-- period for users with no activity any more are deleted. Data-modifying CTEs see one snapshot: the upsert
-- and the delete touch disjoint rows.
-- Parameters: %(start)s, %(end)s (timestamptz), %(period_type)s, %(period)s (date), %(now)s,
-- %(weights)s (jsonb type -> weight), %(default_weight)s, %(per_minute)s, %(cap_minutes)s, %(scroll_full)s,
-- %(max_duration)s.
WITH events AS (
    SELECT user_id, 'user_activity'::text AS source,
           coalesce(nullif(lower(btrim(activity_type)), ''), 'unknown') AS kind, NULL::float8 AS contribution
    FROM user_activity
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s

    UNION ALL
    SELECT user_id, 'content_interaction',
           CASE WHEN impression THEN 'feed_impression' ELSE itype END,
           CASE WHEN impression OR ctype IN ('connection', 'session') THEN NULL
                ELSE coalesce((%(weights)s::jsonb ->> itype)::float8, %(default_weight)s)
                     + CASE WHEN duration_seconds > 0 AND duration_seconds <= %(max_duration)s
                            THEN least(duration_seconds::float8 / 60.0, %(cap_minutes)s) * %(per_minute)s
                            ELSE 0.0 END
                     + CASE WHEN scroll_depth_percentage > 0 AND scroll_depth_percentage <= 100
                            THEN scroll_depth_percentage / 100.0 * %(scroll_full)s
                            ELSE 0.0 END
           END
    FROM (
        SELECT user_id, duration_seconds, scroll_depth_percentage,
               coalesce(nullif(lower(btrim(interaction_type)), ''), 'unknown') AS itype,
               lower(btrim(content_type)) AS ctype,
               (lower(btrim(interaction_type)) = 'view' AND coalesce(metadata ->> 'source' = 'feed_view', false)) AS impression
        FROM content_interaction
        WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s
    ) ci

    UNION ALL
    SELECT user_id, 'social_interaction', coalesce(nullif(lower(btrim(interaction_type)), ''), 'unknown'), NULL
    FROM social_interaction
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s

    UNION ALL
    SELECT visitor_id, 'profile_activity', coalesce(nullif(lower(btrim(activity_type)), ''), 'unknown'), NULL
    FROM profile_activity
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s

    UNION ALL
    SELECT user_id, 'media_interaction', coalesce(nullif(lower(btrim(interaction_type)), ''), 'unknown'), NULL
    FROM media_interaction
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s

    UNION ALL
    SELECT user_id, 'session_activity', coalesce(nullif(lower(btrim(session_type)), ''), 'unknown'), NULL
    FROM session_activity
    WHERE start_time >= %(start)s AND start_time < %(end)s

    UNION ALL
    SELECT user_id, 'vibe_activity', coalesce(nullif(lower(btrim(activity_type)), ''), 'unknown'), NULL
    FROM vibe_activity
    WHERE "timestamp" >= %(start)s AND "timestamp" < %(end)s
),
by_type AS (
    SELECT user_id, source, kind, count(*) AS n, sum(contribution) AS score_sum, count(contribution) AS score_n
    FROM events
    GROUP BY user_id, source, kind
),
by_table AS (
    SELECT user_id, source, jsonb_object_agg(kind, n) AS counts, sum(score_sum) AS score_sum,
           sum(score_n) AS score_n
    FROM by_type
    GROUP BY user_id, source
),
computed AS (
    SELECT user_id, jsonb_object_agg(source, counts) AS activity_counts,
           coalesce(sum(score_sum) / nullif(sum(score_n), 0)::float8, 0.0) AS engagement_score
    FROM by_table
    GROUP BY user_id
),
upserted AS (
    INSERT INTO activity_aggregation
        (aggregation_type, date, activity_counts, engagement_score, created_at, updated_at, user_id)
    SELECT %(period_type)s, %(period)s, activity_counts, engagement_score, %(now)s, %(now)s, user_id
    FROM computed
    ON CONFLICT (user_id, aggregation_type, date) DO UPDATE
        SET activity_counts = EXCLUDED.activity_counts,
            engagement_score = EXCLUDED.engagement_score,
            updated_at = EXCLUDED.updated_at
    RETURNING 1
),
removed AS (
    DELETE FROM activity_aggregation a
    WHERE a.aggregation_type = %(period_type)s AND a.date = %(period)s
      AND NOT EXISTS (SELECT 1 FROM computed c WHERE c.user_id = a.user_id)
    RETURNING 1
)
SELECT (SELECT count(*) FROM upserted) AS written, (SELECT count(*) FROM removed) AS removed
