-- profile_consumption: write-up 4.2 (1) "content consumption patterns" of one user, %(user_id)s, over
-- [%(start)s, %(end)s): which content types they interact with, how deep (time spent, scroll depth), how
-- (interaction types), when (UTC hour histogram of content interactions), and media.
-- content_interaction rows that are not content (connection events, session data) and the user's own
-- `create` rows (production, counted in profile_quality) are left out; feed impressions are counted apart.
-- One row.
-- Parameters: %(user_id)s, %(start)s, %(end)s, %(max_duration)s.
WITH ci AS (
    SELECT lower(btrim(content_type)) AS content_type,
           coalesce(nullif(lower(btrim(interaction_type)), ''), 'unknown') AS itype,
           (lower(btrim(interaction_type)) = 'view' AND coalesce(metadata ->> 'source' = 'feed_view', false)) AS impression,
           CASE WHEN duration_seconds <= %(max_duration)s THEN duration_seconds END AS duration,
           CASE WHEN scroll_depth_percentage >= 0 AND scroll_depth_percentage <= 100
                THEN scroll_depth_percentage END AS scroll,
           extract(hour FROM "timestamp" AT TIME ZONE 'UTC')::integer AS hour
    FROM content_interaction
    WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
      AND lower(btrim(content_type)) NOT IN ('connection', 'session')
      AND lower(btrim(interaction_type)) <> 'create'
),
engaged AS (
    SELECT * FROM ci WHERE NOT impression
)
SELECT
    (SELECT count(*) FROM engaged) AS interactions,
    (SELECT count(*) FROM ci WHERE impression) AS impressions,
    (SELECT coalesce(jsonb_object_agg(content_type, n), '{}'::jsonb)
       FROM (SELECT content_type, count(*) AS n FROM engaged GROUP BY content_type) t) AS by_content_type,
    (SELECT coalesce(jsonb_object_agg(itype, n), '{}'::jsonb)
       FROM (SELECT itype, count(*) AS n FROM engaged GROUP BY itype) t) AS by_interaction_type,
    (SELECT avg(duration)::float8 FROM engaged) AS avg_time_spent,
    (SELECT avg(scroll) FROM engaged) AS avg_scroll_depth,
    (SELECT array_agg(coalesce(h.n, 0) ORDER BY g.h)
       FROM generate_series(0, 23) AS g(h)
       LEFT JOIN (SELECT hour, count(*) AS n FROM engaged GROUP BY hour) h ON h.hour = g.h) AS consumption_hours,
    (SELECT coalesce(jsonb_object_agg(media_type, n), '{}'::jsonb)
       FROM (SELECT coalesce(nullif(lower(btrim(media_type)), ''), 'unknown') AS media_type, count(*) AS n
             FROM media_interaction
             WHERE user_id = %(user_id)s AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
             GROUP BY 1) t) AS by_media_type
