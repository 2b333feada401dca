// The runs whose SIMILAR_TO edges are gone. Parameters: $run_ids.
UNWIND $run_ids AS run_id
MATCH (r:GraphJobRun {run_id: run_id})
SET r.results_cleared = true
RETURN count(r) AS runs
