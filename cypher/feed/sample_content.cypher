// A pool of content to score in the benchmark and the `feed` command: the feed's content types (by label,
// the candidate_filter part), not deleted, most engaged first then the rest in store order.
// Parameters: $limit, $generic_types.
MATCH (c) WHERE ({{candidate_filter}}) AND coalesce(c.is_deleted, false) = false
WITH c, COUNT { (c)<-[:ENGAGED_WITH]-() } AS engagers
ORDER BY engagers DESC
LIMIT $limit
RETURN labels(c) AS labels, c.content_type AS content_type, coalesce(c.{{content_key}}, c.content_id) AS content_id,
       engagers
