// Viewers for the benchmark: users with engagements (the most active first), and how many engagements each has.
// Parameters: $limit.
MATCH (u:{{user_label}})
WITH u, COUNT { (u)-[:ENGAGED_WITH]->() } AS engaged
WHERE engaged > 0
RETURN u.{{user_key}} AS user_id, engaged
ORDER BY engaged DESC
LIMIT $limit
