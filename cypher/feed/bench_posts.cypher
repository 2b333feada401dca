// Feed benchmark graph: posts with their authors. Parameters: $rows [[uid, author key, post_type, created ms]].
UNWIND $rows AS r
MATCH (a:{{user_label}} {{{user_key}}: r[1]})
CREATE (a)-[:CREATED {at: datetime({epochMillis: r[3]})}]->
       (:Post {uid: r[0], post_type: r[2], created_at: datetime({epochMillis: r[3]})})
