// First statement of every batch transaction: take the cursor's write lock, then check that no
// other worker moved it since we read it. No row back means another worker won: roll back.
MERGE (c:SyncCursor {name: $name})
SET c.locked_by = $worker
WITH c
WHERE coalesce(c.version, 0) = $expected_version
RETURN c.version AS version
