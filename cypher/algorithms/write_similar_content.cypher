// Write-back of content-content similarities from the in-memory graph (relationship type $relationship_type,
// property `score`), committed in batches, invisible to readers until the run's pointer switch.
// Run in an auto-commit transaction. Parameters: $graph_name, $relationship_type, $run_id, $computed_at,
// $batch_size.
CALL gds.graph.relationshipProperty.stream($graph_name, 'score', [$relationship_type])
YIELD sourceNodeId, targetNodeId, propertyValue
CALL (sourceNodeId, targetNodeId, propertyValue) {
  WITH gds.util.asNode(sourceNodeId) AS a, gds.util.asNode(targetNodeId) AS b
  WHERE a IS NOT NULL AND b IS NOT NULL
  CREATE (a)-[:SIMILAR_TO {score: propertyValue, run_id: $run_id, computed_at: $computed_at}]->(b)
} IN TRANSACTIONS OF $batch_size ROWS
RETURN count(*) AS rows
