// Viewer snapshots: the viewer's side of graph_feed_score, computed ahead of the request (graph/feed/viewers.py).
// Live, that side is most of a call's work (every tie's parts, the similar users' engagements, the neighbours of
// recent engagements); the snapshot stores it on one (:FeedViewer {user_key}) node, as of $now_ms, so a request
// reads one node and joins by key in Python. Per viewer in $viewers:
//   at_ms, runs, params     when, against which GDS result sets, with which limits (a reader uses it only while
//                           all three still hold and it is younger than the max age)
//   kinds, kind_weights     decayed engagement weight per kind over the $max_engaged most recent engagements
//   connections, tie_out, authored, similar_users   the viewer map's counts (tie_out decayed)
//   direct_*                the $max_tied strongest direct ties (VISITED, VIBED, CONNECTED, SIMILAR_TO either way):
//                           5 values per user (visit_out, visit_in, vibe_out, vibe_in: decayed; best similarity of
//                           the current runs) and the CONNECTED states ('a,b,')
//   engaged_out_*           the viewer's decayed engagement (recent $max_tie_engagements) with each author's content
//   engaged_in_*            each user's decayed engagement with the viewer's content (the $max_fans_kept largest)
//   mutual_*                the viewer's connections each user is connected to (the $max_fof largest counts)
//   platform_*              the platform's Connection statuses between the viewer and each user ('Accepted,')
//   sim_refs, sim_values    content the similar users engaged with: sum of similarity x decayed weight (top
//                           $max_items)
//   near_refs, near_values  content SIMILAR_TO a recent engagement: the best score (top $max_items)
// Content is referred to by graph/feed/reader.content_ref of the node (the expression the feed query returns).
// viewer_ties' own fan set is not used here (engaged_in aggregates the fans' weights itself), so the job
// passes $max_fans = 0 and keeps $max_fans_kept. Run in an auto-commit transaction (CALL ... IN TRANSACTIONS).
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
  WITH *, [e IN recent | e.x] AS recent_x
  WITH *,
  // the parts of every tie, one aggregation per part over all users at once (the live query's per-user
  // strength/pair_ties would test membership in the viewer's big sets once per user)
  COLLECT {
    UNWIND tied AS a
    MATCH (v)-[r:VISITED|VIBED|CONNECTED|SIMILAR_TO]-(a)
    WITH a, collect(r) AS rels
    WITH a, rels, [r IN rels WHERE type(r) IN ['VISITED', 'VIBED'] |
                   [type(r), startNode(r) = v,
                    coalesce(r.weight, 0.0) * 2.0 ^ CASE WHEN r.last_at.epochMillis < $now_ms
                                                         THEN (r.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END]] AS ws
    RETURN [toString(a.{{user_key}}),
            [reduce(s = 0.0, x IN ws | CASE WHEN x[0] = 'VISITED' AND x[1] THEN s + x[2] ELSE s END),
             reduce(s = 0.0, x IN ws | CASE WHEN x[0] = 'VISITED' AND NOT x[1] THEN s + x[2] ELSE s END),
             reduce(s = 0.0, x IN ws | CASE WHEN x[0] = 'VIBED' AND x[1] THEN s + x[2] ELSE s END),
             reduce(s = 0.0, x IN ws | CASE WHEN x[0] = 'VIBED' AND NOT x[1] THEN s + x[2] ELSE s END),
             reduce(m = 0.0, r IN rels |
               CASE WHEN type(r) = 'SIMILAR_TO' AND r.run_id IN runs AND r.score > m THEN r.score ELSE m END)],
            reduce(t = '', r IN [r IN rels WHERE type(r) = 'CONNECTED'] | t + coalesce(r.state, '') + ',')]
  } AS direct,
  COLLECT {
    UNWIND engaged AS e
    WITH e.x AS x, e.w AS w
    MATCH (x)<-[:CREATED|HAS_POST]-(a:{{user_label}})
    WITH a, sum(w) AS w
    RETURN [toString(a.{{user_key}}), w]
  } AS engaged_out,
  COLLECT {
    UNWIND own AS x
    MATCH (x)<-[e:ENGAGED_WITH]-(a:{{user_label}}) WHERE a <> v
    WITH a, sum(coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                                     THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END) AS w
    RETURN [toString(a.{{user_key}}), w] ORDER BY w DESC LIMIT $max_fans_kept
  } AS engaged_in,
  COLLECT {
    CALL {
      WITH conns
      UNWIND conns AS m
      MATCH (m)-[c:CONNECTED]-(x:{{user_label}}) WHERE c.state = 'connected'
      RETURN x, m
      UNION
      WITH conns
      UNWIND conns AS m
      MATCH (m)<-[:HAS_SEND_CONNECTION|HAS_RECIEVED_CONNECTION]-(k:Connection|ConnectionV2)
            -[:HAS_SEND_CONNECTION|HAS_RECIEVED_CONNECTION]->(x:{{user_label}})
      WHERE k.connection_status = 'Accepted' AND x <> m
      RETURN x, m
    }
    WITH x, count(DISTINCT m) AS n
    RETURN [toString(x.{{user_key}}), n] ORDER BY n DESC LIMIT $max_fof
  } AS mutual,
  COLLECT {
    UNWIND platform AS p
    WITH p.m AS m, collect(coalesce(p.s, '')) AS statuses
    RETURN [toString(m.{{user_key}}), reduce(t = '', x IN statuses | t + x + ',')]
  } AS platform_rows,
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
  // replaces every property, so nothing of an older snapshot format lingers
  SET f = {user_key: key, at_ms: $now_ms, runs: runs, params: $params,
      kinds: [k IN kinds | k[0]], kind_weights: [k IN kinds | toFloat(k[1])],
      connections: size(conns), tie_out: tie_out, authored: size(own), similar_users: size(sims),
      direct_users: [t IN direct | t[0]],
      direct_values: [i IN range(0, 5 * size(direct) - 1) | toFloat(direct[i / 5][1][i % 5])],
      direct_states: [t IN direct | t[2]],
      engaged_out_users: [t IN engaged_out | t[0]], engaged_out_values: [t IN engaged_out | toFloat(t[1])],
      engaged_in_users: [t IN engaged_in | t[0]], engaged_in_values: [t IN engaged_in | toFloat(t[1])],
      mutual_users: [t IN mutual | t[0]], mutual_counts: [t IN mutual | t[1]],
      platform_users: [t IN platform_rows | t[0]], platform_statuses: [t IN platform_rows | t[1]],
      near_refs: [p IN near | p[0]], near_values: [p IN near | toFloat(p[1])],
      sim_refs: [p IN sim_items | p[0]], sim_values: [p IN sim_items | toFloat(p[1])]}
  RETURN 1 AS made
} IN TRANSACTIONS OF $batch_size ROWS ON ERROR CONTINUE REPORT STATUS AS status
// a viewer whose snapshot fails (say, the server's transaction memory limit) keeps none and is scored live
RETURN count(made) AS refreshed, count(CASE WHEN NOT status.committed THEN 1 END) AS failed,
       collect(DISTINCT status.errorMessage)[0..3] AS errors
