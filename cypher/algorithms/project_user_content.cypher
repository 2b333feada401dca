// Users -> the content they engaged with, one edge per pair, weighted by the engagement decayed to $now:
// weight * 2^(-(now - last_at) / half-life), the sync's `weight` being as of `last_at`.
// Parameters: $graph_name, $now (datetime), $half_life_seconds.
MATCH (u:${user_label})-[r:ENGAGED_WITH]->(c)
WITH u, c, r,
     CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
WITH u, c, sum(coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds)) AS weight
WHERE weight > 0
RETURN gds.graph.project($graph_name, u, c, {
  sourceNodeLabels: 'User',
  targetNodeLabels: 'Content',
  relationshipType: 'ENGAGED_WITH',
  relationshipProperties: {weight: weight}
}) AS graph
