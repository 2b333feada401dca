// Connection state between two users: one CONNECTED per pair (requester -> receiver); the event with
// the latest timestamp decides the state, so events arriving out of order give the same result.
UNWIND $events AS row
WITH row {.*, at: datetime({epochSeconds: row.at[0], nanosecond: row.at[1]})} AS ev
{{node_op}} (a:{{src_label}} {{{src_key}}: ev.requester})
{{node_op}} (b:{{src_label}} {{{src_key}}: ev.receiver})
MERGE (a)-[c:CONNECTED]-(b)
SET c.events = coalesce(c.events, 0) + 1,
    c.requested_at = CASE WHEN ev.state = 'requested' AND (c.requested_at IS NULL OR ev.at < c.requested_at)
                          THEN ev.at ELSE c.requested_at END
WITH c, ev
WHERE ev.state IS NOT NULL AND (c.state_at IS NULL OR ev.at > c.state_at
      OR (ev.at = c.state_at AND ev.rank > coalesce(c.state_rank, -1)))
SET c.state = ev.state, c.state_at = ev.at, c.state_rank = ev.rank
