// The progress of one running GDS task ("42%"), by the job id it was started with. Parameters: $job_id.
CALL gds.listProgress($job_id)
YIELD taskName, progress
RETURN taskName, progress
LIMIT 1
