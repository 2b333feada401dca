// Unknown type values and deliberate skips, counted in the batch transaction (so never twice).
UNWIND $notes AS n
MERGE (c:SyncNote {kind: n.kind, source_table: n.table, field: n.field, value: n.value})
SET c.count = coalesce(c.count, 0) + n.count, c.last_seen = datetime()
