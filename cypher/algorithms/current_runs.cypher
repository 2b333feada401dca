// Every job's result-set pointer: which run readers see. No parameters.
MATCH (p:GraphResultSet)
RETURN p.name AS job, p.run_id AS run_id, p.previous_run_id AS previous_run_id, p.switched_at AS switched_at
ORDER BY job
