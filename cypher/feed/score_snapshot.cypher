// Fragment of feed/score_candidates: graph_feed_score's branch for a viewer with a fresh snapshot
// (feed/refresh_viewers). The viewer's side comes whole from f; what is left is per candidate, a few index
// seeks and property reads each:
// - the candidate (candidate_lookup, first label wins), its engager count and content aggregates (else a sample
//   of at most $sample_edges engagers, as in the live branch);
// - its author: the key the aggregates stored (one index seek), else CREATED / HAS_POST / HAS_CREATOR;
// - the author's parts that are not in the snapshot: GDS community and influence, content created, platform
//   communities shared with the viewer;
// - the content's snapshot key (content_ref), which graph/feed/reader.py joins with the snapshot's lists.
// In: v, runs, f (the snapshot). Row layout (by position): i, author key, created_at (as a string: the driver decodes
// strings far faster than temporal values), kind, engagers, n, weight, duration, scroll_sum, scroll_n,
// community weight, decay of the aggregates, content ref, author community, author influence, author's
// content count, shared platform communities.
// Grouping keys stay small (nodes, short lists): the snapshot's big arrays are read once, at the end.
WITH v, runs, f, v.community AS vcomm,
     COLLECT { MATCH (v)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g) RETURN DISTINCT g } AS groups
CALL {
{{candidate_lookup}}
}
WITH v, runs, f, vcomm, groups, i, p, c ORDER BY i, p
WITH v, runs, f, vcomm, groups, i, head(collect(c)) AS c
WITH *, COUNT { (c)<-[:ENGAGED_WITH]-() } AS engagers
WITH *, c.feed_agg_at IS NOT NULL AND c.feed_agg_engagers = engagers AS aggregated
WITH *, head(CASE WHEN aggregated AND c.feed_agg_author IS NOT NULL
                  THEN COLLECT { MATCH (w:{{user_label}} {{{user_key}}: c.feed_agg_author}) RETURN w }
                  ELSE COLLECT { MATCH (c)<-[:CREATED|HAS_POST]-(w:{{user_label}}) RETURN w LIMIT 1 }
                       + COLLECT { MATCH (c)-[:HAS_CREATOR]->(w:{{user_label}}) RETURN w LIMIT 1 } END) AS a
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
WITH v, f, c, a, i, engagers, aggregated, sampled, vcomm, groups,
     CASE WHEN aggregated THEN [c.feed_agg_weight, c.feed_agg_duration, c.feed_agg_scroll_sum, c.feed_agg_scroll_n,
                                coalesce(c.feed_agg_communities, []), c.feed_agg_community_weights,
                                c.feed_agg_at.epochMillis] END AS agg
WITH v, f, [i, toString(a.{{user_key}}), toString(c.created_at), coalesce(c.post_type, c.content_type), engagers] +
  CASE WHEN aggregated THEN
    [engagers, agg[0], agg[1], agg[2], agg[3],
     reduce(s = 0.0, j IN range(0, size(agg[4]) - 1) | CASE WHEN agg[4][j] = vcomm THEN s + agg[5][j] ELSE s END),
     2.0 ^ CASE WHEN agg[6] < $now_ms THEN (agg[6] - $now_ms) / $hl_ms ELSE 0.0 END]
  ELSE sampled + [1.0] END + [
  {{content_ref_c}},
  a.community,
  a.influence,
  CASE WHEN a IS NULL THEN 0 ELSE COUNT { (a)-[:CREATED|HAS_POST]->() } END,
  CASE WHEN a IS NULL OR size(groups) = 0 THEN 0 ELSE size(COLLECT {
    MATCH (a)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g) WHERE g IN groups RETURN DISTINCT g
  }) END
] AS row
WITH v, f, collect(row) AS rows
RETURN v IS NOT NULL AS viewer_known,
       {known: v IS NOT NULL, community: v.community, hours: v.active_hours,
        snapshot: f {.at_ms, .kinds, .kind_weights, .connections, .tie_out, .authored, .similar_users,
                     .direct_users, .direct_values, .direct_states, .engaged_out_users, .engaged_out_values,
                     .engaged_in_users, .engaged_in_values, .mutual_users, .mutual_counts, .platform_users,
                     .platform_statuses, .sim_refs, .sim_values, .near_refs, .near_values}} AS viewer,
       rows, [] AS ties
