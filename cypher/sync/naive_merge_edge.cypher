// The benchmark's naive writer (sync/naive.py): one source row, one transaction, no aggregation.
// Same decay formula as merge_edges; relationship type given by the caller (NAIVE_* in the benchmark).
WITH datetime({epochSeconds: $at[0], nanosecond: $at[1]}) AS at
MERGE (s:{{src_label}} {{{src_key}}: $src})
MERGE (t:{{dst_label}} {{{dst_match}}})
MERGE (s)-[r:{{rel}}]->(t)
WITH r, at, CASE WHEN r.last_at IS NULL OR at > r.last_at THEN at ELSE r.last_at END AS t1
SET r.weight = coalesce(r.weight * 2.0 ^ (-(toFloat(t1.epochSeconds - r.last_at.epochSeconds)
                 + (t1.nanosecond - r.last_at.nanosecond) / 1.0e9) / $half_life_s), 0.0)
             + $c * 2.0 ^ (-(toFloat(t1.epochSeconds - at.epochSeconds) + (t1.nanosecond - at.nanosecond) / 1.0e9)
                 / $half_life_s),
    r.count = coalesce(r.count, 0) + 1,
    r.first_at = CASE WHEN r.first_at IS NULL OR at < r.first_at THEN at ELSE r.first_at END,
    r.last_at = t1
FOREACH (k IN [$type_key] | SET r[k] = coalesce(r[k], 0) + 1)
