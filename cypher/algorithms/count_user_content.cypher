// Size of the user-content engagement graph, for the memory estimate before projecting it.
MATCH (u:${user_label})-[r:ENGAGED_WITH]->(c)
WITH count(DISTINCT u) AS users, count(DISTINCT c) AS contents, count(r) AS engagements
RETURN users + contents AS node_count, engagements AS relationship_count
