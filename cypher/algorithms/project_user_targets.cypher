// Users -> the users they visited or vibed (the social variant of user similarity: people who seek out the
// same people), one edge per pair, decayed to $now. Parameters: $graph_name, $now, $half_life_seconds.
MATCH (u:${user_label})-[r:VISITED|VIBED]->(v:${user_label})
WHERE u <> v
WITH u, v, r,
     CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
WITH u, v, sum(coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds)) AS weight
WHERE weight > 0
RETURN gds.graph.project($graph_name, u, v, {
  sourceNodeLabels: 'User',
  targetNodeLabels: 'User',
  relationshipType: 'INTERACTED',
  relationshipProperties: {weight: weight}
}) AS graph
