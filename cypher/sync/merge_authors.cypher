// Authorship from `create` rows: one CREATED per user who created the content, counting that user's
// create rows, `at` the earliest. The earliest CREATED of a content names its author. (Keyed per user,
// so batch splits and retractions give the same edges.)
UNWIND $authors AS row
WITH row {.*, at: datetime({epochSeconds: row.at[0], nanosecond: row.at[1]})} AS e
{{node_op}} (s:{{src_label}} {{{src_key}}: e.src})
{{node_op}} (t:{{dst_label}} {{{dst_match}}})
{{on_create_target}}
MERGE (s)-[r:CREATED]->(t)
SET r.at = CASE WHEN r.at IS NULL OR e.at < r.at THEN e.at ELSE r.at END,
    r.count = coalesce(r.count, 0) + e.count,
    t.created_at = CASE WHEN t.created_at IS NULL OR e.at < t.created_at THEN e.at ELSE t.created_at END
