// A content node's most similar content from the current content-similarity result. The content is named by
// its element id (labels differ per content type). Parameters: $element_id, $limit.
MATCH (p:GraphResultSet {name: 'content_similarity'})
MATCH (c)-[s:SIMILAR_TO]->(d)
WHERE elementId(c) = $element_id AND s.run_id = p.run_id
RETURN elementId(d) AS element_id, d.content_type AS content_type, s.score AS score
ORDER BY score DESC, element_id
LIMIT $limit
