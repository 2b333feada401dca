// Fragment, rendered into strength/read_strengths and feed/score_candidates (not run on its own):
// the raw features of the tie from the viewer v to another user a, as one list `tie` (graph/feed/reader.py
// reads it by position). Weights are decayed to $now_ms (epoch milliseconds) with half-life $hl_ms:
// weight * 2^((last_at - now) / hl), never inflated when last_at is after now (sync/decay.py).
// In: v, a (either may be null), runs (current GDS result-set run ids), and viewer_ties' sets; each part runs
// only when a is in the set that can make it non-zero.
WITH *, CASE WHEN a IN tied THEN COLLECT { MATCH (v)-[r:VISITED|VIBED|CONNECTED|SIMILAR_TO]-(a) RETURN r }
             ELSE [] END AS rels
WITH *, [
  // 0 visit_out, 1 visit_in, 2 vibe_out, 3 vibe_in: decayed weights
  reduce(s = 0.0, r IN [r IN rels WHERE type(r) = 'VISITED' AND startNode(r) = v] |
    s + coalesce(r.weight, 0.0) * 2.0 ^ CASE WHEN r.last_at.epochMillis < $now_ms
                                           THEN (r.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END),
  reduce(s = 0.0, r IN [r IN rels WHERE type(r) = 'VISITED' AND startNode(r) = a] |
    s + coalesce(r.weight, 0.0) * 2.0 ^ CASE WHEN r.last_at.epochMillis < $now_ms
                                           THEN (r.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END),
  reduce(s = 0.0, r IN [r IN rels WHERE type(r) = 'VIBED' AND startNode(r) = v] |
    s + coalesce(r.weight, 0.0) * 2.0 ^ CASE WHEN r.last_at.epochMillis < $now_ms
                                           THEN (r.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END),
  reduce(s = 0.0, r IN [r IN rels WHERE type(r) = 'VIBED' AND startNode(r) = a] |
    s + coalesce(r.weight, 0.0) * 2.0 ^ CASE WHEN r.last_at.epochMillis < $now_ms
                                           THEN (r.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END),
  // 4 engaged_out: v's engagement with content a created (among v's `engaged`)
  CASE WHEN a IN engaged_by THEN reduce(s = 0.0, w IN COLLECT {
    MATCH (a)-[:CREATED|HAS_POST]->(x) WHERE x IN engaged_x
    MATCH (v)-[e:ENGAGED_WITH]->(x)
    RETURN coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                              THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END
  } | s + w) ELSE 0.0 END,
  // 5 engaged_in: a's engagement with v's content
  CASE WHEN a IN fans THEN reduce(s = 0.0, w IN COLLECT {
    MATCH (a)-[e:ENGAGED_WITH]->(x) WHERE x IN own
    RETURN coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                              THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END
  } | s + w) ELSE 0.0 END,
  // 6 CONNECTED states; 7 the platform's connection_status values between the two
  [r IN rels WHERE type(r) = 'CONNECTED' | r.state],
  [p IN platform WHERE p.m = a | p.s],
  // 8 best SIMILAR_TO score of the current runs, either direction
  reduce(m = 0.0, r IN rels |
    CASE WHEN type(r) = 'SIMILAR_TO' AND r.run_id IN runs AND r.score > m THEN r.score ELSE m END),
  // 9 mutual connections
  CASE WHEN size(conns) = 0 THEN 0 ELSE size(COLLECT {
    MATCH (a)-[c:CONNECTED]-(m) WHERE c.state = 'connected' AND m IN conns RETURN m
    UNION
    MATCH (a)<-[:HAS_SEND_CONNECTION|HAS_RECIEVED_CONNECTION]-(k:Connection|ConnectionV2)
          -[:HAS_SEND_CONNECTION|HAS_RECIEVED_CONNECTION]->(m)
    WHERE k.connection_status = 'Accepted' AND m <> a AND m IN conns
    RETURN m
  }) END,
  // 10 same GDS community; 11 platform communities both belong to
  v.community IS NOT NULL AND v.community = a.community,
  CASE WHEN size(groups) = 0 THEN 0 ELSE size(COLLECT {
    MATCH (a)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g) WHERE g IN groups RETURN DISTINCT g
  }) END,
  // 12 a's influence (GDS); 13 content a created
  a.influence,
  COUNT { (a)-[:CREATED|HAS_POST]->() }
] AS tie
