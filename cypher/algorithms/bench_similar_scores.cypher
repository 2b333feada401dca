// The benchmark's check of GDS against the plain-Python run: every SIMILAR_TO one run wrote, by user key.
// Parameters: $run_id, $source.
MATCH (u:${user_label})-[s:SIMILAR_TO]->(v:${user_label})
WHERE s.run_id = $run_id AND s.source = $source
RETURN u.${user_key} AS user, v.${user_key} AS other, s.score AS score
