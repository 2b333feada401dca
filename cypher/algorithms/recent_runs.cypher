// The latest runs, newest first, each with whether its job's result set points at it. Parameters: $limit.
MATCH (r:GraphJobRun)
WITH r ORDER BY r.run_id DESC LIMIT $limit
OPTIONAL MATCH (p:GraphResultSet {name: r.job})
RETURN r {.*} AS run, coalesce(p.run_id = r.run_id, false) AS current
