// Last statement of the batch transaction: the cursor moves with the writes it covers. MERGE: the
// change log's cursor (sync/changes_log.py) is first written here; the table cursor was locked first.
MERGE (c:SyncCursor {name: $name})
SET c += $props, c.updated_at = datetime()
