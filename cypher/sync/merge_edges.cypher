// Fold pre-aggregated rows into (:user)-[:rel]->(target), one UNWIND row per edge.
// The weight merge is sync/decay.py's formula: decay the older side to the newer last_at, add.
UNWIND $edges AS row
WITH row {.*, first_at: datetime({epochSeconds: row.first_at[0], nanosecond: row.first_at[1]}), last_at: datetime({epochSeconds: row.last_at[0], nanosecond: row.last_at[1]})} AS e
{{node_op}} (s:{{src_label}} {{{src_key}}: e.src})
{{node_op}} (t:{{dst_label}} {{{dst_match}}})
{{on_create_target}}
MERGE (s)-[r:{{rel}}]->(t)
WITH r, e, r.weight AS w0, r.last_at AS l0
WITH r, e, w0, l0, CASE WHEN l0 IS NULL OR e.last_at > l0 THEN e.last_at ELSE l0 END AS t1
SET r.weight = coalesce(w0 * 2.0 ^ (-(toFloat(t1.epochSeconds - l0.epochSeconds)
                 + (t1.nanosecond - l0.nanosecond) / 1.0e9) / $half_life_s), 0.0)
             + e.weight * 2.0 ^ (-(toFloat(t1.epochSeconds - e.last_at.epochSeconds)
                 + (t1.nanosecond - e.last_at.nanosecond) / 1.0e9) / $half_life_s),
    r.count = coalesce(r.count, 0) + e.count,
    r.first_at = CASE WHEN r.first_at IS NULL OR e.first_at < r.first_at THEN e.first_at ELSE r.first_at END,
    r.last_at = t1
FOREACH (k IN keys(e.adds) | SET r[k] = coalesce(r[k], 0) + e.adds[k])
