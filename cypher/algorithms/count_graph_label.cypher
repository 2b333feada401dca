// Nodes of one label in an in-memory graph (e.g. cold users), counted through a property every node has.
// Parameters: $graph_name, $property, $label.
CALL gds.graph.nodeProperty.stream($graph_name, $property, [$label])
YIELD nodeId
RETURN count(nodeId) AS nodes
