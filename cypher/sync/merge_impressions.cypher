// Feed impressions: counted on their own relationship and on the content, with no engagement weight.
UNWIND $impressions AS row
WITH row {.*, first_at: datetime({epochSeconds: row.first_at[0], nanosecond: row.first_at[1]}), last_at: datetime({epochSeconds: row.last_at[0], nanosecond: row.last_at[1]})} AS e
{{node_op}} (s:{{src_label}} {{{src_key}}: e.src})
{{node_op}} (t:{{dst_label}} {{{dst_match}}})
{{on_create_target}}
MERGE (s)-[r:IMPRESSED]->(t)
SET r.count = coalesce(r.count, 0) + e.count,
    r.first_at = CASE WHEN r.first_at IS NULL OR e.first_at < r.first_at THEN e.first_at ELSE r.first_at END,
    r.last_at = CASE WHEN r.last_at IS NULL OR e.last_at > r.last_at THEN e.last_at ELSE r.last_at END,
    t.impressions = coalesce(t.impressions, 0) + e.count
