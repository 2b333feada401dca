// After rows were taken out (updates and deletes, sync/changes_log.py): an edge left with no row goes.
UNWIND $edges AS e
MATCH (s:{{src_label}} {{{src_key}}: e.src})-[r:{{rel}}]->(t:{{dst_label}} {{{dst_match}}})
WHERE r.count <= 0
DELETE r
