// A connection event updated or deleted (sync/changes_log.py): one event fewer. The state stays the
// latest event's (the relationship does not keep its history).
UNWIND $events AS ev
MATCH (a:{{src_label}} {{{src_key}}: ev.requester})-[c:CONNECTED]-(b:{{src_label}} {{{src_key}}: ev.receiver})
SET c.events = c.events - 1
