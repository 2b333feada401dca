-- engagement_quality: the write-up's content scoring query (section 4.1, "Engagement Quality Scoring"),
-- made to work. Per content item over [now - window, now):
--   interaction_count   interactions (not impressions)
--   avg_time_spent      mean duration_seconds of those with a plausible duration
--   avg_scroll_depth    mean scroll_depth_percentage of those with a depth in [0, 100]
--   engagement_score    sum of weight[interaction_type] (view 1, like 3, comment 5, share 7, save 6, else 1)
--   engagement_quality  engagement_score / interaction_count: engagement per interaction
-- What was wrong with the write-up's version, and the fix:
--   * NOW() made every run score a different window, and tests impossible: a fixed %(now)s parameter.
--   * created_at is the insert time; "timestamp" is when the interaction happened (the platform passes it,
--     e.g. for feed impressions): the window is on "timestamp", and future timestamps (bad client clocks,
--     after %(now)s) are outside it.
--   * The feed's impressions are `view` rows too (metadata.source = 'feed_view'): counting them scored what
--     the feed showed, not what people did. They are left out.
--   * AVG over double precision returns NaN if one row holds NaN, and one 63-year duration swamps the mean:
--     values outside [0, 100] % or [0, max_duration] s are left out of the means.
--   * ELSE 1 counted unlike/unsave/hide/report and the author's own create as engagement: weights are a
--     parameter (settings), those are 0 by default; unknown types keep the write-up's 1.
--   * Connection, session, page and profile rows are not content: only the platform content types with a
--     graph node (%(content_types)s) whose content_id is a 32-hex uid (lower-cased, as the graph stores it).
--   * GROUP BY content_id, content_type split one post in two when the feed logged it as 'post' and another
--     path as 'community_post': grouped by the uid alone, with every type it was logged under.
--   * ORDER BY engagement_score alone is not deterministic: ties by content id.
-- Parameters: %(now)s, %(window_days)s, %(weights)s (jsonb), %(default_weight)s, %(content_types)s (text[]),
-- %(max_duration)s, %(limit)s (NULL: all rows).
SELECT content_id,
       array_agg(DISTINCT content_type ORDER BY content_type) AS content_types,
       count(*) AS interaction_count,
       avg(duration_seconds) FILTER (WHERE duration_seconds <= %(max_duration)s)::float8
           AS avg_time_spent,
       avg(scroll_depth_percentage)
           FILTER (WHERE scroll_depth_percentage >= 0 AND scroll_depth_percentage <= 100) AS avg_scroll_depth,
       sum(coalesce((%(weights)s::jsonb ->> itype)::float8, %(default_weight)s)) AS engagement_score,
       sum(coalesce((%(weights)s::jsonb ->> itype)::float8, %(default_weight)s)) / count(*) AS engagement_quality
FROM (
    SELECT lower(btrim(ci.content_id)) AS content_id, lower(btrim(ci.content_type)) AS content_type,
           lower(btrim(ci.interaction_type)) AS itype, ci.duration_seconds, ci.scroll_depth_percentage
    FROM content_interaction ci
    WHERE ci."timestamp" >= %(now)s - make_interval(secs => %(window_days)s * 86400.0)
      AND ci."timestamp" < %(now)s
      AND lower(btrim(ci.content_type)) = ANY(%(content_types)s)
      AND NOT (lower(btrim(ci.interaction_type)) = 'view' AND coalesce(ci.metadata ->> 'source' = 'feed_view', false))
      AND lower(btrim(ci.content_id)) ~ '^[0-9a-f]{32}$'
) ci
GROUP BY content_id
ORDER BY engagement_score DESC, content_id
LIMIT %(limit)s
