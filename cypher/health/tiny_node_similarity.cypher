// A tiny in-memory graph (nothing written to the database) and one nodeSimilarity over it:
// proves the GDS procedures really run, not just that the plugin is on the classpath.
UNWIND [[1, 10], [1, 11], [2, 10], [2, 11], [3, 11]] AS pair
WITH gds.graph.project($graph_name, pair[0], pair[1]) AS g
CALL gds.nodeSimilarity.stream($graph_name)
YIELD node1, node2, similarity
WITH count(*) AS pairs, max(similarity) AS top
CALL gds.graph.drop($graph_name, false) YIELD graphName
RETURN pairs, top
