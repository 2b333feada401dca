// The sharing engine's input for social_similarity: per visited or vibed user, the users who sought them out
// and the decayed weights, exactly what project_user_targets.cypher hands to GDS.
// Parameters: $now (datetime), $half_life_seconds.
MATCH (u:${user_label})-[r:VISITED|VIBED]->(v:${user_label})
WHERE u <> v
WITH u, v, r,
     CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
WITH u, v, sum(coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds)) AS weight
WHERE weight > 0
WITH v, collect(elementId(u)) AS members, collect(weight) AS weights
RETURN members, weights
