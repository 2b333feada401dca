// The runs whose SIMILAR_TO edges are gone. A run still 'running' (a concurrent older run, or one whose
// process died) may write more later, so it stays a candidate for the next clean-up. Parameters: $run_ids.
UNWIND $run_ids AS run_id
MATCH (r:GraphJobRun {run_id: run_id})
SET r.results_cleared = r.outcome <> 'running'
RETURN count(r) AS runs
