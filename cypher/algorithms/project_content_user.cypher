// Content -> the users who engaged with it (the user-content graph seen from the content side), one edge per
// pair, weighted by the engagement decayed to $now. Parameters: $graph_name, $now, $half_life_seconds.
MATCH (u:${user_label})-[r:ENGAGED_WITH]->(c)
WITH u, c, r,
     CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
WITH u, c, sum(coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds)) AS weight
WHERE weight > 0
RETURN gds.graph.project($graph_name, c, u, {
  sourceNodeLabels: 'Content',
  targetNodeLabels: 'User',
  relationshipType: 'ENGAGED_BY',
  relationshipProperties: {weight: weight}
}) AS graph
