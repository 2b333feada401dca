// The benchmark's plain-Python input: each user's decayed engagement weight per content, exactly what
// project_user_content.cypher hands to GDS (one row per user-content pair, parallel edges summed,
// weight * 2^(-(now - last_at) / half-life), pairs whose decayed weight is 0 left out, content with more than
// $max_engagers users left out; null keeps all).
// Parameters: $now (datetime), $half_life_seconds, $max_engagers (integer or null).
MATCH (u:${user_label})-[r:ENGAGED_WITH]->(c)
WITH u, c, r,
     CASE WHEN r.last_at IS NULL OR r.last_at >= $now THEN 0 ELSE duration.inSeconds(r.last_at, $now).seconds END AS age
WITH u, c, sum(coalesce(r.weight, 0.0) * 2.0 ^ (-age / $half_life_seconds)) AS weight
WHERE weight > 0
WITH c, collect({u: u, w: weight}) AS engagers
WHERE $max_engagers IS NULL OR size(engagers) <= $max_engagers
UNWIND engagers AS e
RETURN e.u.${user_key} AS user, elementId(c) AS item, e.w AS weight
