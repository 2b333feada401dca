-- feed_performance: the write-up's feed performance metrics (section 6.3) per origin, UTC day, algorithm
-- version and source: impressions, clicks (impressions with an attributed interaction), engagements
-- (impressions with an attributed engagement) and the distinct users shown something. CTR = clicks /
-- impressions, engagement rate = engagements / impressions (analytics/performance.py). With %(by_day)s
-- false, one row per origin, version and source over the whole range (day NULL).
-- Parameters: those of feed_outcomes, and %(by_day)s.
WITH
-- @include feed_outcomes
SELECT origin, CASE WHEN %(by_day)s THEN day END AS day, algorithm_version, source,
       count(*) AS impressions,
       count(*) FILTER (WHERE clicked) AS clicks,
       count(*) FILTER (WHERE engaged) AS engagements,
       count(DISTINCT user_id) AS users
FROM outcomes
GROUP BY 1, 2, 3, 4
ORDER BY 2, 1, 3, 4
