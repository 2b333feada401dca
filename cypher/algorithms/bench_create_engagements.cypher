// The benchmark's direct loader (algorithms/bench.py, load="direct"): one ENGAGED_WITH per user-content pair,
// aggregated in Postgres the way the sync folds rows (weight as of last_at, the latest row's time).
// Parameters: $rows: [{u: user key, t: content_type, i: content_id, w: weight, at: last_at, n: rows}].
UNWIND $rows AS row
MATCH (u:${user_label} {${user_key}: row.u})
MATCH (c:Content {content_type: row.t, content_id: row.i})
CREATE (u)-[:ENGAGED_WITH {weight: row.w, last_at: row.at, n: row.n}]->(c)
