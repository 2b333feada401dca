// Every cursor (sync status) or the one asked for.
MATCH (c:SyncCursor)
WHERE $name IS NULL OR c.name = $name
RETURN c.name AS name, properties(c) AS props
ORDER BY name
