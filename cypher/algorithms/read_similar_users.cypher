// A user's most similar users from the current result of one similarity job: the reader's side of the
// replacement scheme. Edges of runs still writing, replaced or failed do not match the pointer's run_id.
// $job: 'user_similarity' (source engagement), 'social_similarity' (social), 'embeddings' (embedding).
// Parameters: $job, $user_id, $limit.
MATCH (p:GraphResultSet {name: $job})
MATCH (u:${user_label} {${user_key}: $user_id})-[s:SIMILAR_TO]->(v:${user_label})
WHERE s.run_id = p.run_id
RETURN v.${user_key} AS user_id, s.score AS score, s.source AS source
ORDER BY score DESC, user_id
LIMIT $limit
