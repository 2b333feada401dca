// The sharing engine's input for user_similarity: per content, the users who engaged with it and their decayed
// weights, exactly what project_user_content.cypher hands to GDS (parallel edges summed,
// weight * 2^(-(now - last_at) / half-life), pairs whose decayed weight is 0 left out, content with more than
// $max_engagers users left out; null keeps all). One row per content keeps the records few.
// Parameters: $now (datetime), $half_life_seconds, $max_engagers (integer or null).
MATCH (u:${user_label})-[r:ENGAGED_WITH]->(c)
WITH u, c, r,
     CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
WITH u, c, sum(coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds)) AS weight
WHERE weight > 0
WITH c, collect(elementId(u)) AS members, collect(weight) AS weights
WHERE $max_engagers IS NULL OR size(members) <= $max_engagers
RETURN members, weights
