-- ab_variants: one experiment's recorded impressions per variant (analytics/ab.py): impressions, clicks,
-- engagements and distinct users, with the attribution of feed_outcomes (recorded origin only).
-- Parameters: those of feed_outcomes, with %(recorded)s true, %(feed_view)s false, %(experiment)s set.
WITH
-- @include feed_outcomes
SELECT variant,
       count(*) AS impressions,
       count(*) FILTER (WHERE clicked) AS clicks,
       count(*) FILTER (WHERE engaged) AS engagements,
       count(DISTINCT user_id) AS users,
       min(shown_at) AS first_shown,
       max(shown_at) AS last_shown
FROM outcomes
WHERE origin = 'recorded' AND experiment = %(experiment)s::text
GROUP BY variant
ORDER BY variant
