// Feed benchmark graph (graph/feed/bench_graph.py): users. Parameters: $rows [[key, community, influence, hours]].
UNWIND $rows AS r
CREATE (:{{user_label}} {{{user_key}}: r[0], community: r[1], influence: r[2], active_hours: r[3]})
