// The undirected user graph communities and embeddings are computed on. Every user is a node (label `User`).
//   SOCIAL        user - user: visits and vibes (decayed to $now) plus accepted connections ($connected_weight),
//                 summed into one edge per pair of users
//   ENGAGED_WITH  user - content, decayed, when $include_engagement: co-engagement (communities) and the
//                 content context FastRP learns from (embeddings)
// Users with fewer than $cold_start_min_engagements engagements also get the label `ColdUser` (0: nobody).
// Every relationship type is undirected (no undirected type may be named that the data lacks).
// Parameters: $graph_name, $now, $half_life_seconds, $connected_weight, $include_engagement,
// $cold_start_min_engagements.
CALL () {
  CALL () {
    MATCH (a:${user_label})-[r:VISITED|VIBED]->(b:${user_label})
    WHERE a <> b
    WITH a, b, r,
         CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
    RETURN a, b, coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds) AS w
    UNION ALL
    MATCH (a:${user_label})-[r:CONNECTED]->(b:${user_label})
    WHERE r.state = 'connected' AND a <> b
    RETURN a, b, $connected_weight AS w
  }
  WITH CASE WHEN elementId(a) < elementId(b) THEN [a, b] ELSE [b, a] END AS pair, w
  WITH pair[0] AS source, pair[1] AS target, sum(w) AS weight
  WHERE weight > 0
  RETURN source, target, weight, 'SOCIAL' AS type
  UNION ALL
  MATCH (u:${user_label})-[r:ENGAGED_WITH]->(c)
  WHERE $include_engagement
  WITH u, c, r,
       CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
  WITH u, c, sum(coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds)) AS weight
  WHERE weight > 0
  RETURN u AS source, c AS target, weight, 'ENGAGED_WITH' AS type
  UNION ALL
  MATCH (u:${user_label})
  RETURN u AS source, null AS target, null AS weight, null AS type
}
WITH source, target, weight, type,
     COUNT { (source)-[:ENGAGED_WITH]->() } < $cold_start_min_engagements AS source_cold,
     type = 'SOCIAL' AND COUNT { (target)-[:ENGAGED_WITH]->() } < $cold_start_min_engagements AS target_cold
RETURN gds.graph.project($graph_name, source, target, {
  sourceNodeLabels: CASE WHEN source_cold THEN ['User', 'ColdUser'] ELSE ['User'] END,
  targetNodeLabels: CASE
    WHEN type = 'ENGAGED_WITH' THEN ['Content']
    WHEN target_cold THEN ['User', 'ColdUser']
    ELSE ['User'] END,
  relationshipType: type,
  relationshipProperties: CASE WHEN weight IS NULL THEN null ELSE {weight: weight} END
}, {undirectedRelationshipTypes: ['*']}) AS graph
