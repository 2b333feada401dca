-- temporal_patterns: the write-up's _analyze_temporal_patterns (section 3.2.4) for every user active in
-- [%(start)s, %(end)s) (a whole number of UTC days, %(days)s of them), or one user (%(user_id)s), from all
-- the activity tables (the write-up read only user_activity, which the platform barely writes):
--   peak_hours            the 3 UTC hours with the most actions (ties: the earlier hour)
--   hour_hist             actions per UTC hour, 24 counts
--   weekday_hist          actions per weekday, Monday first, 7 counts
--   active_days           UTC days with an action; activity_consistency = active_days / days
--   daily_cv              coefficient of variation of the daily action counts over all %(days)s days
--   session_*             session count and median length (seconds): from session_activity when the user
--                         has rows there (length = duration_seconds, else end_time - start_time; open,
--                         negative or longer than %(max_session)s seconds left out); otherwise inferred from
--                         the actions, a gap over %(gap_seconds)s seconds starting a new session (a
--                         session's length is its last action minus its first).
-- Parameters: %(start)s, %(end)s, %(days)s, %(user_id)s, %(gap_seconds)s, %(max_session)s.
WITH
-- @include activity_events
,
hourly AS (
    SELECT user_id, extract(hour FROM at AT TIME ZONE 'UTC')::integer AS h, count(*) AS n
    FROM events GROUP BY 1, 2
),
hours AS (
    SELECT u.user_id,
           array_agg(coalesce(h.n, 0) ORDER BY g.h) AS hour_hist,
           (array_agg(g.h ORDER BY coalesce(h.n, 0) DESC, g.h) FILTER (WHERE h.n > 0))[1:3] AS peak_hours
    FROM (SELECT DISTINCT user_id FROM hourly) u
    CROSS JOIN generate_series(0, 23) AS g(h)
    LEFT JOIN hourly h ON h.user_id = u.user_id AND h.h = g.h
    GROUP BY u.user_id
),
daily AS (
    SELECT user_id, (at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
    FROM events GROUP BY 1, 2
),
days AS (
    SELECT user_id,
           count(*) AS active_days,
           sum(n) AS actions,
           ARRAY[count(*) FILTER (WHERE extract(isodow FROM day) = 1), count(*) FILTER (WHERE extract(isodow FROM day) = 2),
                 count(*) FILTER (WHERE extract(isodow FROM day) = 3), count(*) FILTER (WHERE extract(isodow FROM day) = 4),
                 count(*) FILTER (WHERE extract(isodow FROM day) = 5), count(*) FILTER (WHERE extract(isodow FROM day) = 6),
                 count(*) FILTER (WHERE extract(isodow FROM day) = 7)] AS active_weekdays,
           ARRAY[coalesce(sum(n) FILTER (WHERE extract(isodow FROM day) = 1), 0),
                 coalesce(sum(n) FILTER (WHERE extract(isodow FROM day) = 2), 0),
                 coalesce(sum(n) FILTER (WHERE extract(isodow FROM day) = 3), 0),
                 coalesce(sum(n) FILTER (WHERE extract(isodow FROM day) = 4), 0),
                 coalesce(sum(n) FILTER (WHERE extract(isodow FROM day) = 5), 0),
                 coalesce(sum(n) FILTER (WHERE extract(isodow FROM day) = 6), 0),
                 coalesce(sum(n) FILTER (WHERE extract(isodow FROM day) = 7), 0)]::bigint[] AS weekday_hist,
           sum(n)::float8 / %(days)s AS mean_daily,
           sum(n::float8 * n) / %(days)s AS mean_square_daily
    FROM daily GROUP BY user_id
),
recorded AS (
    SELECT user_id, len FROM (
        SELECT user_id,
               coalesce(duration_seconds::float8, extract(epoch FROM end_time - start_time)::float8) AS len
        FROM session_activity
        WHERE start_time >= %(start)s AND start_time < %(end)s
          AND (%(user_id)s::integer IS NULL OR user_id = %(user_id)s::integer)
    ) s
    WHERE len >= 0 AND len <= %(max_session)s
),
gaps AS (
    SELECT user_id, at,
           CASE WHEN lag(at) OVER w IS NULL OR at - lag(at) OVER w > make_interval(secs => %(gap_seconds)s)
                THEN 1 ELSE 0 END AS starts
    FROM events
    WHERE user_id NOT IN (SELECT user_id FROM recorded)
    WINDOW w AS (PARTITION BY user_id ORDER BY at)
),
numbered AS (
    SELECT user_id, at, sum(starts) OVER (PARTITION BY user_id ORDER BY at ROWS UNBOUNDED PRECEDING) AS session
    FROM gaps
),
inferred AS (
    SELECT user_id, session, extract(epoch FROM max(at) - min(at))::float8 AS len
    FROM numbered GROUP BY user_id, session
),
sessions AS (
    SELECT user_id, 'recorded'::text AS source, count(*) AS session_count,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY len) AS session_len_median
    FROM recorded GROUP BY user_id
    UNION ALL
    SELECT user_id, 'inferred', count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY len)
    FROM inferred GROUP BY user_id
)
SELECT d.user_id,
       coalesce(h.peak_hours, ARRAY[]::integer[]) AS peak_hours,
       h.hour_hist,
       d.weekday_hist,
       d.active_weekdays,
       d.active_days,
       d.actions,
       d.active_days::float8 / %(days)s AS activity_consistency,
       CASE WHEN d.mean_daily > 0
            THEN sqrt(greatest(d.mean_square_daily - d.mean_daily * d.mean_daily, 0.0)) / d.mean_daily END AS daily_cv,
       s.source AS session_source,
       coalesce(s.session_count, 0) AS session_count,
       s.session_len_median
FROM days d
JOIN hours h ON h.user_id = d.user_id
LEFT JOIN sessions s ON s.user_id = d.user_id
ORDER BY d.user_id
