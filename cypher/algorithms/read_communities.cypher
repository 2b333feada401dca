// The current community of each user that has one. No parameters.
MATCH (u:${user_label})
WHERE u.community IS NOT NULL
RETURN u.${user_key} AS user_id, u.community AS community
