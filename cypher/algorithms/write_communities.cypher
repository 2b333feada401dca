// Communities onto users, from the in-memory graph's `$property` (the community id per level, as
// includeIntermediateCommunities gives it): `community` is the last level, `community_levels` all of them.
// Runs inside the transaction that switches the result set, so readers see all old or all new values.
// Parameters: $graph_name, $property.
CALL gds.graph.nodeProperty.stream($graph_name, $property, ['User'])
YIELD nodeId, propertyValue
WITH gds.util.asNode(nodeId) AS u, propertyValue AS levels
WHERE u IS NOT NULL
SET u.community = levels[size(levels) - 1], u.community_levels = levels
RETURN count(u) AS nodes_written
