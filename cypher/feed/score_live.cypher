// Fragment of feed/score_candidates: graph_feed_score's live branch, for a viewer without a fresh snapshot.
// In: v (the viewer or null), runs (the current GDS result sets' run ids). Everything in one pass:
// 1. Candidates by label (the candidate_lookup part: one UNWIND branch per content label, built from the
//    settings); the first label that has the node wins. Each with its author (CREATED, the platform's HAS_POST,
//    or a community post's HAS_CREATOR); grouped by author, so each tie is computed once.
// 2. The viewer's context, once: strength/viewer_ties, similar users of the current GDS runs (best score per
//    user), the content similar to the viewer's recent engagements and the content the similar users engaged
//    with (membership tests below are hash lookups).
// 3. Per author the tie from the viewer (strength/pair_ties). Per candidate: its engagement from the content
//    aggregates (graph/feed/aggregates.py) while the engager count still matches them, else from a sample of at
//    most $sample_edges engagers; the similar users' engagement; the best similarity to a recent engagement.
// SIMILAR_TO is matched from a bound node and filtered with coalesce(s.run_id, $no_run) IN runs: a plain
// s.run_id predicate lets the planner seek the run_id relationship index (every edge of the run) instead.
// graph/feed/reader.py reads the lists by position.
CALL {
{{candidate_lookup}}
}
WITH v, runs, i, p, c ORDER BY i, p
WITH v, runs, i, head(collect(c)) AS c
WITH v, runs, i, c, head(COLLECT { MATCH (c)<-[:CREATED|HAS_POST]-(w:{{user_label}}) RETURN w LIMIT 1 }
                         + COLLECT { MATCH (c)-[:HAS_CREATOR]->(w:{{user_label}}) RETURN w LIMIT 1 }) AS a
WITH v, runs, a, collect({i: i, c: c}) AS items
WITH v, runs, collect({a: a, items: items}) AS by_author
{{viewer_ties}}
WITH *,
     COLLECT {
       MATCH (v)-[s:SIMILAR_TO]->(u:{{user_label}}) WHERE coalesce(s.run_id, $no_run) IN runs AND u <> v
       WITH u, max(s.score) AS score ORDER BY score DESC LIMIT $max_similar
       RETURN {u: u, score: score}
     } AS sims,
     engaged[0..$max_engaged] AS recent,
     v.community AS vcomm
WITH *, [e IN recent | e.x] AS recent_x, [s IN sims | s.u] AS sim_users
WITH *,
     COLLECT { UNWIND recent_x AS x MATCH (x)-[s:SIMILAR_TO]-(d) WHERE coalesce(s.run_id, $no_run) IN runs RETURN DISTINCT d } AS near,
     COLLECT { UNWIND sim_users AS u MATCH (u)-[:ENGAGED_WITH]->(x) RETURN DISTINCT x } AS sim_targets,
     {
       known: v IS NOT NULL,
       community: v.community,
       hours: v.active_hours,
       kinds: COLLECT { UNWIND recent AS e WITH e.k AS k, sum(e.w) AS w WHERE k IS NOT NULL RETURN [k, w] },
       connections: size(conns),
       tie_out: reduce(s = 0.0, w IN COLLECT {
         MATCH (v)-[r:VISITED|VIBED]->()
         RETURN coalesce(r.weight, 0.0) * 2.0 ^ CASE WHEN r.last_at.epochMillis < $now_ms
                                                   THEN (r.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END
       } | s + w),
       authored: size(own),
       similar_users: size(sims)
     } AS viewer

UNWIND range(0, size(by_author) - 1) AS gi
WITH *, by_author[gi].a AS a, by_author[gi].items AS items
{{pair_ties}}
UNWIND range(0, size(items) - 1) AS k
WITH *, items[k].i AS i, items[k].c AS c
WITH *, COUNT { (c)<-[:ENGAGED_WITH]-() } AS engagers
WITH *, c.feed_agg_at IS NOT NULL AND c.feed_agg_engagers = engagers AS aggregated
CALL {
  WITH c, vcomm, aggregated
  UNWIND CASE WHEN aggregated THEN [] ELSE [c] END AS sampled
  MATCH (sampled)<-[e:ENGAGED_WITH]-(u)
  WITH e, u, vcomm LIMIT $sample_edges
  WITH e, u, vcomm, coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                                        THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END AS w
  RETURN [count(e), sum(w), sum(coalesce(e.duration_seconds, 0)), sum(coalesce(e.scroll_depth_sum, 0.0)),
          sum(coalesce(e.scroll_depth_n, 0)),
          sum(CASE WHEN vcomm IS NOT NULL AND u.community = vcomm THEN w ELSE 0.0 END)] AS sampled
}
WITH v, viewer, gi, k, a, tie, [
  i, gi, c.created_at, coalesce(c.post_type, c.content_type), engagers] +
  CASE WHEN aggregated THEN
    [engagers, c.feed_agg_weight, c.feed_agg_duration, c.feed_agg_scroll_sum, c.feed_agg_scroll_n,
     reduce(s = 0.0, j IN range(0, size(coalesce(c.feed_agg_communities, [])) - 1) |
       CASE WHEN c.feed_agg_communities[j] = vcomm THEN s + c.feed_agg_community_weights[j] ELSE s END)]
    // aggregates are as of feed_agg_at: decay both weights to now
    + [2.0 ^ CASE WHEN c.feed_agg_at.epochMillis < $now_ms
                  THEN (c.feed_agg_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END]
  ELSE sampled + [1.0] END + [
  // similar users' engagement: sum of similarity x decayed weight (only where one of them engaged; read from
  // the candidate's side, which has fewer ENGAGED_WITH than an active user)
  CASE WHEN c IN sim_targets THEN reduce(s = 0.0, x IN COLLECT {
    MATCH (c)<-[e:ENGAGED_WITH]-(u) WHERE u IN sim_users
    RETURN [sm IN sims WHERE sm.u = u | sm.score][0]
           * coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                                THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END
  } | s + x) ELSE 0.0 END,
  // best similarity to content the viewer engaged with recently (content SIMILAR_TO, current run)
  CASE WHEN c IN near THEN reduce(m = 0.0, x IN COLLECT {
    MATCH (c)-[s:SIMILAR_TO]-(y) WHERE coalesce(s.run_id, $no_run) IN runs AND y IN recent_x RETURN s.score
  } | CASE WHEN x > m THEN x ELSE m END) ELSE 0.0 END
] AS row
// grouped by the viewer, so a branch that gets no row returns none (feed/score_candidates takes one of two)
RETURN v IS NOT NULL AS viewer_known, head(collect(viewer)) AS viewer, collect(row) AS rows,
       collect(CASE WHEN k = 0 THEN [gi, a.{{user_key}}, tie] END) AS ties
