// A projection's memory on a fictitious graph of the given size (the client's estimate takes no sizes).
// Parameters: $node_projection, $relationship_projection, $node_count, $relationship_count.
CALL gds.graph.project.estimate($node_projection, $relationship_projection,
                                {nodeCount: $node_count, relationshipCount: $relationship_count})
YIELD nodeCount, relationshipCount, requiredMemory, treeView, mapView, bytesMin, bytesMax,
      heapPercentageMin, heapPercentageMax
RETURN nodeCount, relationshipCount, requiredMemory, treeView, mapView, bytesMin, bytesMax,
       heapPercentageMin, heapPercentageMax
