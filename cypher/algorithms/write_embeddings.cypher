// FastRP embeddings onto users from the in-memory graph's `$property`, inside the transaction that switches
// the result set. Parameters: $graph_name, $property.
CALL gds.graph.nodeProperty.stream($graph_name, $property, ['User'])
YIELD nodeId, propertyValue
WITH gds.util.asNode(nodeId) AS u, propertyValue
WHERE u IS NOT NULL
SET u.embedding = propertyValue
RETURN count(u) AS nodes_written
