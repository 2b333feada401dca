// The platform's own Community nodes for generated activity, with their founder's membership.
UNWIND $communities AS c
MERGE (n:{{community_label}} {uid: c.uid})
SET n.name = c.name, n.content_type = 'community'
