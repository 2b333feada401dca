// Fragment, rendered into strength/read_strengths and feed/score_candidates (not run on its own):
// the viewer's side of every tie, computed once per call, so that the per-user part (pair_ties) only does work
// for users the viewer has something with.
// In: v (the viewer node, or null). Adds:
//   tied        users with a VISITED, VIBED, CONNECTED or SIMILAR_TO relationship to or from v: the $max_tied
//               strongest (stored weights, a connection 1, a similarity its score)
//   platform    the platform's Connection/ConnectionV2 nodes between v and another user: {m, s: connection_status}
//   conns       users connected to v: CONNECTED {state: 'connected'} either way, or platform status 'Accepted'
//   groups      the platform communities v is a member of ((:Membership)-[:MEMBER]->(v), -[:MEMBEROF]->(group))
//   engaged     v's most recent engagements (at most $max_tie_engagements, newest first): {x, k: post_type or
//               content_type, w: decayed weight}; engaged_x their content nodes
//   engaged_by  the authors (CREATED, the platform's HAS_POST) of engaged_x
//   own         content v created; fans: users who engaged with it (at most $max_fans)
WITH *,
     COLLECT {
       MATCH (v)-[r:VISITED|VIBED|CONNECTED|SIMILAR_TO]-(u:{{user_label}}) WHERE u <> v
       WITH u, sum(CASE type(r) WHEN 'CONNECTED' THEN 1.0 WHEN 'SIMILAR_TO' THEN coalesce(r.score, 0.0)
                                ELSE coalesce(r.weight, 0.0) END) AS strength
       ORDER BY strength DESC LIMIT $max_tied
       RETURN u
     } AS tied,
     COLLECT {
       MATCH (v)<-[:HAS_SEND_CONNECTION|HAS_RECIEVED_CONNECTION]-(k:Connection|ConnectionV2)
             -[:HAS_SEND_CONNECTION|HAS_RECIEVED_CONNECTION]->(m:{{user_label}})
       WHERE m <> v
       RETURN {m: m, s: k.connection_status}
     } AS platform,
     COLLECT { MATCH (v)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g) RETURN DISTINCT g } AS groups,
     COLLECT {
       MATCH (v)-[e:ENGAGED_WITH]->(x)
       WITH x, e ORDER BY e.last_at DESC LIMIT $max_tie_engagements
       RETURN {x: x, k: coalesce(x.post_type, x.content_type),
               w: coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                                     THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END}
     } AS engaged,
     COLLECT { MATCH (v)-[:CREATED|HAS_POST]->(x) RETURN DISTINCT x } AS own
WITH *,
     COLLECT {
       MATCH (v)-[c:CONNECTED]-(m:{{user_label}}) WHERE c.state = 'connected' AND m <> v RETURN m
       UNION
       UNWIND platform AS p WITH p WHERE p.s = 'Accepted' RETURN p.m AS m
     } AS conns,
     [e IN engaged | e.x] AS engaged_x,
     COLLECT { UNWIND own AS x MATCH (x)<-[:ENGAGED_WITH]-(u) WHERE u <> v RETURN DISTINCT u LIMIT $max_fans } AS fans
WITH *, COLLECT { UNWIND engaged_x AS x MATCH (x)<-[:CREATED|HAS_POST]-(w:{{user_label}}) RETURN DISTINCT w } AS engaged_by
