// Feed benchmark graph: ENGAGED_WITH as the sync writes it (weight decayed to last_at, counts, time, scroll).
// Parameters: $rows [[user key, post uid, weight, count, last ms, duration s, scroll sum, scroll n]].
UNWIND $rows AS r
MATCH (u:{{user_label}} {{{user_key}}: r[0]})
MATCH (c:Post {uid: r[1]})
CREATE (u)-[:ENGAGED_WITH {weight: r[2], count: r[3], last_at: datetime({epochMillis: r[4]}),
                           first_at: datetime({epochMillis: r[4]}), duration_seconds: r[5],
                           scroll_depth_sum: r[6], scroll_depth_n: r[7]}]->(c)
