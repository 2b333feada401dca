// Users -> the content they engaged with, one edge per pair, weighted by the engagement decayed to $now:
// weight * 2^(-(now - last_at) / half-life), the sync's `weight` being as of `last_at`.
// Hub content is left out: a content with more than $max_engagers users (with a positive decayed weight) is
// not projected at all; $max_engagers null keeps every content.
// Parameters: $graph_name, $now (datetime), $half_life_seconds, $max_engagers (integer or null).
MATCH (u:${user_label})-[r:ENGAGED_WITH]->(c)
WITH u, c, r,
     CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
WITH u, c, sum(coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds)) AS weight
WHERE weight > 0
WITH c, collect({u: u, w: weight}) AS engagers
WHERE $max_engagers IS NULL OR size(engagers) <= $max_engagers
UNWIND engagers AS e
WITH e.u AS u, c, e.w AS weight
RETURN gds.graph.project($graph_name, u, c, {
  sourceNodeLabels: 'User',
  targetNodeLabels: 'Content',
  relationshipType: 'ENGAGED_WITH',
  relationshipProperties: {weight: weight}
}) AS graph
