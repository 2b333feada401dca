// Users with at least one ENGAGED_WITH: user_similarity's hub cap is a share of them.
MATCH (u:${user_label})
WHERE EXISTS { (u)-[:ENGAGED_WITH]->() }
RETURN count(u) AS users
