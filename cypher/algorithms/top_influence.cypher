// The most influential users. Parameters: $limit.
MATCH (u:${user_label})
WHERE u.influence IS NOT NULL
RETURN u.${user_key} AS user_id, u.influence AS influence
ORDER BY influence DESC, user_id
LIMIT $limit
