// Size of the user -> visited/vibed user graph, for the memory estimate.
MATCH (u:${user_label})-[r:VISITED|VIBED]->(v:${user_label})
WITH count(DISTINCT u) AS sources, count(DISTINCT v) AS targets, count(r) AS interactions
RETURN sources + targets AS node_count, interactions AS relationship_count
