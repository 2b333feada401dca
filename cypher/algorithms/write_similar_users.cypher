// Write-back of user-user similarities from the in-memory graph (relationship type $relationship_type, property
// `score`), streamed on the server and committed in batches. Each edge carries its run: readers follow the
// `GraphResultSet` pointer (read_similar_users), so a run still writing is invisible to them.
// Run in an auto-commit transaction (CALL ... IN TRANSACTIONS).
// Parameters: $graph_name, $relationship_type, $source, $run_id, $computed_at, $batch_size.
CALL gds.graph.relationshipProperty.stream($graph_name, 'score', [$relationship_type])
YIELD sourceNodeId, targetNodeId, propertyValue
CALL (sourceNodeId, targetNodeId, propertyValue) {
  WITH gds.util.asNode(sourceNodeId) AS a, gds.util.asNode(targetNodeId) AS b
  WHERE a IS NOT NULL AND b IS NOT NULL
  CREATE (a)-[:SIMILAR_TO {score: propertyValue, source: $source, run_id: $run_id, computed_at: $computed_at}]->(b)
} IN TRANSACTIONS OF $batch_size ROWS
RETURN count(*) AS rows
