// The benchmark's report of user_similarity's hub cap: content with more than $max_engagers engaging users,
// which the job's projection left out, and its ENGAGED_WITH edges.
// Parameters: $max_engagers (integer).
MATCH (:${user_label})-[r:ENGAGED_WITH]->(c)
WITH c, count(r) AS engagements
WHERE engagements > $max_engagers
RETURN count(c) AS contents, coalesce(sum(engagements), 0) AS engagements
