// Runs of $job older than $run_id whose SIMILAR_TO edges may still exist (crashed, failed, superseded or
// replaced runs). Parameters: $job, $run_id.
MATCH (r:GraphJobRun {job: $job})
WHERE r.run_id < $run_id AND NOT coalesce(r.results_cleared, false)
RETURN collect(r.run_id) AS run_ids
