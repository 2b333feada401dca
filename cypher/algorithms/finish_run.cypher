// A run ends: timings, sizes, the memory estimate, the outcome ('succeeded', 'superseded', 'failed') and error.
// Parameters: $run_id and each property below ($stats is a JSON string).
MATCH (r:GraphJobRun {run_id: $run_id})
SET r.finished_at = $finished_at,
    r.seconds = $seconds,
    r.node_count = $node_count,
    r.relationship_count = $relationship_count,
    r.memory_estimate = $memory_estimate,
    r.memory_estimate_bytes = $memory_estimate_bytes,
    r.available_heap_bytes = $available_heap_bytes,
    r.results_written = $results_written,
    r.stats = $stats,
    r.outcome = $outcome,
    r.error = $error
RETURN r.run_id AS run_id
