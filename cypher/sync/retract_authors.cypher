// A `create` row updated or deleted (sync/changes_log.py): one create row fewer for that user; the
// CREATED goes with the user's last one. `at` and the content's created_at keep their earliest value.
UNWIND $authors AS e
MATCH (s:{{src_label}} {{{src_key}}: e.src})-[r:CREATED]->(t:{{dst_label}} {{{dst_match}}})
SET r.count = coalesce(r.count, 1) - 1
WITH r WHERE r.count <= 0
DELETE r
