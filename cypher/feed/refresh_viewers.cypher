// Viewer snapshots: the viewer's side of graph_feed_score, computed ahead of the request (graph/feed/viewers.py).
// Live, that side is most of a call's work (every tie's parts, the similar users' engagements, the neighbours of
// recent engagements); the snapshot stores it on one (:FeedViewer {user_key}) node, as of $now_ms, so a request
// reads one node and joins by key in Python. Per viewer in $viewers:
//   at_ms, runs, params     when, against which GDS result sets, with which limits (a reader uses it only while
//                           all three still hold and it is younger than the max age)
//   kinds, kind_weights     decayed engagement weight per kind over the $max_engaged most recent engagements
//   connections, tie_out, authored, similar_users   the viewer map's counts (tie_out decayed)
//   tie_users               every user a tie can be non-zero with through these parts (the strongest $max_tied
//                           direct ties, authors of recent engagements, fans, connections, connections' connections
//                           up to $max_fof); tie_values 8 per user: visit_out, visit_in, vibe_out, vibe_in,
//                           engaged_out, engaged_in (decayed), similar, mutual; tie_states 'states;statuses'
//   sim_refs, sim_values    content the similar users engaged with: sum of similarity x decayed weight (top
//                           $max_items)
//   near_refs, near_values  content SIMILAR_TO a recent engagement: the best score (top $max_items)
// Content is referred to by graph/feed/reader.content_ref of the node (the expression the feed query returns).
// Run in an auto-commit transaction (CALL ... IN TRANSACTIONS).
UNWIND $viewers AS key
CALL {
  WITH key
  MATCH (v:{{user_label}} {{{user_key}}: key})
  WITH v, key, COLLECT {
    MATCH (p:GraphResultSet) WHERE p.name IN $result_sets AND p.run_id IS NOT NULL RETURN p.run_id
  } AS runs
{{viewer_ties}}
  WITH *,
       COLLECT {
         MATCH (v)-[s:SIMILAR_TO]->(u:{{user_label}}) WHERE coalesce(s.run_id, $no_run) IN runs AND u <> v
         WITH u, max(s.score) AS score ORDER BY score DESC LIMIT $max_similar
         RETURN {u: u, score: score}
       } AS sims,
       engaged[0..$max_engaged] AS recent
  WITH *, [e IN recent | e.x] AS recent_x,
       COLLECT {
         UNWIND conns AS m
         MATCH (m)-[c:CONNECTED]-(x:{{user_label}}) WHERE c.state = 'connected' AND x <> v
         RETURN DISTINCT x LIMIT $max_fof
       } + COLLECT {
         UNWIND conns AS m
         MATCH (m)<-[:HAS_SEND_CONNECTION|HAS_RECIEVED_CONNECTION]-(k:Connection|ConnectionV2)
               -[:HAS_SEND_CONNECTION|HAS_RECIEVED_CONNECTION]->(x:{{user_label}})
         WHERE k.connection_status = 'Accepted' AND x <> m AND x <> v
         RETURN DISTINCT x LIMIT $max_fof
       } AS fof
  WITH *, COLLECT {
    UNWIND tied + engaged_by + fans + conns + [p IN platform | p.m] + fof AS u
    WITH DISTINCT u WHERE u <> v AND u.{{user_key}} IS NOT NULL
    RETURN u
  } AS tie_users
  WITH *, COLLECT {
    UNWIND tie_users AS a
{{pair_ties}}
    RETURN [toString(a.{{user_key}}), tie] AS row
  } AS tie_rows,
  COLLECT {
    UNWIND recent_x AS x
    MATCH (x)-[s:SIMILAR_TO]-(d) WHERE coalesce(s.run_id, $no_run) IN runs
    WITH d, max(s.score) AS score
    WITH {{content_ref_d}} AS ref, score WHERE ref IS NOT NULL
    RETURN [ref, score] ORDER BY score DESC, ref LIMIT $max_items
  } AS near,
  COLLECT {
    UNWIND sims AS sm
    WITH sm.u AS u, sm.score AS score
    MATCH (u)-[e:ENGAGED_WITH]->(x)
    WITH x, sum(score * coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                                        THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END) AS w
    WITH {{content_ref_x}} AS ref, w WHERE ref IS NOT NULL
    RETURN [ref, w] ORDER BY w DESC, ref LIMIT $max_items
  } AS sim_items,
  COLLECT { UNWIND recent AS e WITH e.k AS k, sum(e.w) AS w WHERE k IS NOT NULL RETURN [toString(k), w] } AS kinds,
  reduce(s = 0.0, w IN COLLECT {
    MATCH (v)-[r:VISITED|VIBED]->()
    RETURN coalesce(r.weight, 0.0) * 2.0 ^ CASE WHEN r.last_at.epochMillis < $now_ms
                                              THEN (r.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END
  } | s + w) AS tie_out
  MERGE (f:FeedViewer {user_key: key})
  SET f.at_ms = $now_ms, f.runs = runs, f.params = $params,
      f.kinds = [k IN kinds | k[0]], f.kind_weights = [k IN kinds | toFloat(k[1])],
      f.connections = size(conns), f.tie_out = tie_out, f.authored = size(own), f.similar_users = size(sims),
      f.tie_users = [t IN tie_rows | t[0]],
      f.tie_values = [i IN range(0, 8 * size(tie_rows) - 1) |
                      toFloat(tie_rows[i / 8][1][[0, 1, 2, 3, 4, 5, 8, 9][i % 8]])],
      f.tie_states = [t IN tie_rows | reduce(s = '', x IN t[1][6] | s + coalesce(x, '') + ',') + ';'
                                      + reduce(s = '', x IN t[1][7] | s + coalesce(x, '') + ',')],
      f.near_refs = [p IN near | p[0]], f.near_values = [p IN near | toFloat(p[1])],
      f.sim_refs = [p IN sim_items | p[0]], f.sim_values = [p IN sim_items | toFloat(p[1])]
  RETURN 1 AS made
} IN TRANSACTIONS OF $batch_size ROWS
RETURN count(made) AS refreshed
