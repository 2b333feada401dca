// Feed benchmark graph: content SIMILAR_TO of one run. Parameters: $rows [[uid, uid, score]], $run_id.
UNWIND $rows AS r
MATCH (a:Post {uid: r[0]})
MATCH (b:Post {uid: r[1]})
CREATE (a)-[:SIMILAR_TO {score: r[2], run_id: $run_id}]->(b)
