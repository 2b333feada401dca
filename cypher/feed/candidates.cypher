// graph_feed_candidates: content the viewer has not engaged with (nor created), from four sources, one round trip.
//   similar_users  what the viewer's similar users (SIMILAR_TO, current GDS runs) engaged with recently:
//                  sum of similarity x decayed engagement weight
//   ties           what the viewer's strongest ties engaged with or created recently (UTEG-style "liked by
//                  people you follow"): tie weight (decayed VISITED + VIBED given, + $connected_tie for a
//                  connection) x decayed engagement weight (a creation counts 1.0, decayed from its time)
//   community      recent posts of the platform communities the viewer is a member of (Membership), and what
//                  co-engagers in the viewer's GDS community engaged with recently
//   content        neighbours (content SIMILAR_TO) of what the viewer engaged with: decayed weight x similarity
// SIMILAR_TO is matched from a bound node and filtered with coalesce(s.run_id, $no_run) IN runs: a plain
// s.run_id predicate lets the planner seek the run_id relationship index (every edge of the run) instead.
// graph/feed/api.py (combine_sources) normalises each source by its best value and sums them with the source weights.
// Only content passing the candidate_filter part (the labels of the feed's content types), not deleted.
// Parameters: $user_id, $no_run, $result_sets, $now_ms, $hl_ms, $since_ms, $max_similar, $max_ties, $max_engaged,
// $per_source, $connected_tie, $generic_types.
OPTIONAL MATCH (v:{{user_label}} {{{user_key}}: $user_id})
WITH v, COLLECT {
  MATCH (p:GraphResultSet) WHERE p.name IN $result_sets AND p.run_id IS NOT NULL RETURN p.run_id
} AS runs
CALL {
  WITH v, runs
  MATCH (v)-[s:SIMILAR_TO]->(u:{{user_label}}) WHERE coalesce(s.run_id, $no_run) IN runs AND u <> v
  WITH v, u, max(s.score) AS sim ORDER BY sim DESC LIMIT $max_similar
  MATCH (u)-[e:ENGAGED_WITH]->(c) WHERE e.last_at.epochMillis >= $since_ms AND ({{candidate_filter}})
  WITH c, sum(sim * coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                                        THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END) AS w
  RETURN 'similar_users' AS source, c, w ORDER BY w DESC LIMIT $per_source

  UNION ALL
  WITH v
  WITH v, COLLECT {
      MATCH (v)-[r:VISITED|VIBED]->(u:{{user_label}}) WHERE u <> v
      RETURN {u: u, w: coalesce(r.weight, 0.0) * 2.0 ^ CASE WHEN r.last_at.epochMillis < $now_ms
                                                          THEN (r.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END}
    } + COLLECT {
      MATCH (v)-[r:CONNECTED]-(u:{{user_label}}) WHERE r.state = 'connected' AND u <> v RETURN {u: u, w: $connected_tie}
    } + COLLECT {
      MATCH (v)<-[:HAS_SEND_CONNECTION|HAS_RECIEVED_CONNECTION]-(k:Connection|ConnectionV2)
            -[:HAS_SEND_CONNECTION|HAS_RECIEVED_CONNECTION]->(u:{{user_label}})
      WHERE k.connection_status = 'Accepted' AND u <> v
      RETURN {u: u, w: $connected_tie}
    } AS ties
  UNWIND ties AS t
  WITH t.u AS u, sum(t.w) AS tw ORDER BY tw DESC LIMIT $max_ties
  MATCH (u)-[e:ENGAGED_WITH|CREATED|HAS_POST]->(c) WHERE ({{candidate_filter}})
  WITH tw, c, e, CASE type(e) WHEN 'ENGAGED_WITH' THEN e.last_at.epochMillis
                              WHEN 'CREATED' THEN e.at.epochMillis
                              ELSE toInteger(toFloatOrNull(c.created_at) * 1000) END AS at_ms
  WHERE at_ms >= $since_ms
  WITH c, sum(tw * CASE type(e) WHEN 'ENGAGED_WITH' THEN coalesce(e.weight, 0.0) ELSE 1.0 END
              * 2.0 ^ CASE WHEN at_ms < $now_ms THEN (at_ms - $now_ms) / $hl_ms ELSE 0.0 END) AS w
  RETURN 'ties' AS source, c, w ORDER BY w DESC LIMIT $per_source

  UNION ALL
  WITH v
  MATCH (v)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g)-[:HAS_POST]->(c) WHERE ({{candidate_filter}})
  WITH DISTINCT c, toInteger(toFloatOrNull(c.created_at) * 1000) AS at_ms
  WHERE at_ms >= $since_ms
  WITH c, 2.0 ^ CASE WHEN at_ms < $now_ms THEN (at_ms - $now_ms) / $hl_ms ELSE 0.0 END AS w
  RETURN 'community' AS source, c, w ORDER BY w DESC LIMIT $per_source

  UNION ALL
  WITH v
  MATCH (v)-[e0:ENGAGED_WITH]->(x) WHERE v.community IS NOT NULL
  WITH v, x ORDER BY e0.last_at DESC LIMIT $max_ties
  MATCH (x)<-[:ENGAGED_WITH]-(u:{{user_label}}) WHERE u <> v AND u.community = v.community
  WITH DISTINCT u LIMIT $max_ties
  MATCH (u)-[e:ENGAGED_WITH]->(c) WHERE e.last_at.epochMillis >= $since_ms AND ({{candidate_filter}})
  WITH c, sum(coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                                  THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END) AS w
  RETURN 'community' AS source, c, w ORDER BY w DESC LIMIT $per_source

  UNION ALL
  WITH v, runs
  MATCH (v)-[e:ENGAGED_WITH]->(x)
  WITH runs, x, e ORDER BY e.last_at DESC LIMIT $max_engaged
  MATCH (x)-[s:SIMILAR_TO]-(c) WHERE coalesce(s.run_id, $no_run) IN runs AND ({{candidate_filter}})
  WITH c, sum(s.score * coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                                            THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END) AS w
  RETURN 'content' AS source, c, w ORDER BY w DESC LIMIT $per_source
}
WITH v, source, c, w
WHERE w > 0 AND coalesce(c.is_deleted, false) = false AND NOT EXISTS { (v)-[:ENGAGED_WITH|CREATED|HAS_POST]->(c) }
RETURN source, labels(c) AS labels, c.content_type AS content_type,
       coalesce(c.{{content_key}}, c.content_id) AS content_id, w
