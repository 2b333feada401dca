// The sharing engine's input for content_similarity: per user, the content they engaged with and the decayed
// weights, exactly what project_content_user.cypher hands to GDS (the same aggregation seen from the content
// side: content is compared, users are what it shares). Parameters: $now (datetime), $half_life_seconds.
MATCH (u:${user_label})-[r:ENGAGED_WITH]->(c)
WITH u, c, r,
     CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
WITH u, c, sum(coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds)) AS weight
WHERE weight > 0
WITH u, collect(elementId(c)) AS members, collect(weight) AS weights
RETURN members, weights
