// Unknown type values and deliberate skips, counted in the batch transaction (so never twice).
// SyncNote has no uniqueness constraint, so concurrent batches (partitions) take one shared lock
// first: a constrained SyncCursor node, written to hold its lock until commit. Else two new notes
// for the same value could both be created.
MERGE (lock:SyncCursor {name: '~notes'})
SET lock.locked = true
WITH DISTINCT lock
UNWIND $notes AS n
MERGE (c:SyncNote {kind: n.kind, source_table: n.table, field: n.field, value: n.value})
SET c.count = coalesce(c.count, 0) + n.count, c.last_seen = datetime()
