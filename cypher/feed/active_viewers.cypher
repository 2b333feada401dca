// Users with an engagement, visit, vibe or feed impression at or after $since_ms, most recent activity first:
// the viewers graph/feed/viewers.py keeps snapshots for. Parameters: $since_ms, $limit.
MATCH (v:{{user_label}})-[r:ENGAGED_WITH|VISITED|VIBED|IMPRESSED]->()
WHERE r.last_at.epochMillis >= $since_ms AND v.{{user_key}} IS NOT NULL
WITH v, max(r.last_at) AS last
RETURN toString(v.{{user_key}}) AS key ORDER BY last DESC, key LIMIT $limit
