// The atomic publish: point the job's result set at this run, unless a newer run already published (run ids
// sort by start time). The SET locks the pointer, so publishers of one job are serialised; node-property
// jobs write their values in this same transaction. Parameters: $job, $run_id, $switched_at.
MATCH (p:GraphResultSet {name: $job})
WITH p, p.run_id IS NULL OR p.run_id < $run_id AS newer
SET p.previous_run_id = CASE WHEN newer THEN p.run_id ELSE p.previous_run_id END,
    p.run_id = CASE WHEN newer THEN $run_id ELSE p.run_id END,
    p.switched_at = CASE WHEN newer THEN $switched_at ELSE p.switched_at END
RETURN newer AS switched, p.run_id AS current_run_id
