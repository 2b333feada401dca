// Last statement of the batch transaction: the cursor moves with the writes it covers.
MATCH (c:SyncCursor {name: $name})
SET c += $props, c.updated_at = datetime()
