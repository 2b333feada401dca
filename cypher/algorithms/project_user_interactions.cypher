// The directed user interaction graph influence is computed on: who visits and vibes whom (decayed to $now),
// and accepted connections both ways ($connected_weight each, not decayed: a connection is a standing tie).
// Every user is a node, isolated or not, so each run scores every user and replaces every old score.
// Parameters: $graph_name, $now, $half_life_seconds, $connected_weight.
CALL () {
  CALL () {
    MATCH (a:${user_label})-[r:VISITED|VIBED]->(b:${user_label})
    WHERE a <> b
    WITH a, b, r,
         CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
    RETURN a AS source, b AS target, coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds) AS w
    UNION ALL
    MATCH (a:${user_label})-[r:CONNECTED]->(b:${user_label})
    WHERE r.state = 'connected' AND a <> b
    UNWIND [[a, b], [b, a]] AS pair
    RETURN pair[0] AS source, pair[1] AS target, $connected_weight AS w
  }
  WITH source, target, sum(w) AS weight
  WHERE weight > 0
  RETURN source, target, weight
  UNION ALL
  MATCH (u:${user_label})
  RETURN u AS source, null AS target, null AS weight
}
RETURN gds.graph.project($graph_name, source, target, {
  sourceNodeLabels: 'User',
  targetNodeLabels: 'User',
  relationshipType: CASE WHEN target IS NULL THEN null ELSE 'INTERACTS' END,
  relationshipProperties: CASE WHEN target IS NULL THEN null ELSE {weight: weight} END
}) AS graph
