// Delete the SIMILAR_TO edges of the given runs in batches (relationship index on run_id), then mark the runs
// cleared. Run in an auto-commit transaction. Parameters: $run_ids, $batch_size.
UNWIND $run_ids AS run_id
MATCH ()-[s:SIMILAR_TO {run_id: run_id}]->()
CALL (s) {
  DELETE s
} IN TRANSACTIONS OF $batch_size ROWS
RETURN count(*) AS rows
