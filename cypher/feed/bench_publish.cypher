// Feed benchmark graph: make the benchmark's SIMILAR_TO runs the current result sets. Parameters: $sets
// [[name, run_id]].
UNWIND $sets AS s
MERGE (p:GraphResultSet {name: s[0]})
SET p.run_id = s[1]
