// Viewer snapshots no reader will use any more (older than twice the max age): graph/feed/viewers.py.
// Parameters: $before_ms.
MATCH (f:FeedViewer) WHERE f.at_ms < $before_ms
DELETE f
RETURN count(*) AS pruned
