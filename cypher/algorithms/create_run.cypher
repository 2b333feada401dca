// A run begins: its `GraphJobRun` (outcome 'running') and, the first time, its job's result-set pointer.
// Parameters: $run_id, $job, $parameters (JSON string), $started_at.
MERGE (p:GraphResultSet {name: $job})
  ON CREATE SET p.created_at = $started_at
CREATE (r:GraphJobRun {
  run_id: $run_id, job: $job, parameters: $parameters, started_at: $started_at,
  outcome: 'running', results_cleared: false
})
RETURN r.run_id AS run_id
