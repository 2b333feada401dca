// Fragment of feed/score_candidates: graph_feed_score's branch for a viewer with a fresh snapshot
// (feed/refresh_viewers). The viewer's side comes whole from f; what is left is per candidate, a few index
// seeks and property reads each, and none of it depends on the viewer, so graph/feed/cache.py may keep a row
// for later calls (of any viewer) and leave the candidate out of $s0.. next time:
// - the candidate (candidate_lookup over $s0.. and $sgeneric: the candidates the process has not cached; first
//   label wins), its engager count and content aggregates (else a sample of at most $sample_edges engagers, as
//   in the live branch);
// - its author: the key the aggregates stored (one index seek), else CREATED / HAS_POST / HAS_CREATOR;
// - the author's parts that are not in the snapshot: GDS community and influence, content created, platform
//   communities (element ids; graph/feed/reader.py intersects them with the viewer's);
// - the content's snapshot key (content_ref), which graph/feed/reader.py joins with the snapshot's lists.
// Row layout (by position): i, author key, created_at (as a string: the driver decodes strings far faster than
// temporal values), kind, engagers, n, weight, duration, scroll_sum, scroll_n, community keys, community
// weights (both lists: the aggregates' per-community sums, or the sampled engagers' communities and weights),
// the time the weights are as of (ms), content ref, author community, author influence, author's content
// count, author's platform communities.
// The snapshot's big arrays are sent only when the caller does not hold this snapshot already ($have_at_ms).
// In: v, runs, f (the snapshot).
WITH v, f, COLLECT { MATCH (v)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g) RETURN DISTINCT elementId(g) } AS groups
CALL {
  CALL {
{{candidate_lookup}}
  }
  WITH i, p, c ORDER BY i, p
  WITH i, head(collect(c)) AS c
  WITH i, c, COUNT { (c)<-[:ENGAGED_WITH]-() } AS engagers
  WITH *, c.feed_agg_at IS NOT NULL AND c.feed_agg_engagers = engagers AS aggregated
  WITH *, head(CASE WHEN aggregated AND c.feed_agg_author IS NOT NULL
                    THEN COLLECT { MATCH (w:{{user_label}} {{{user_key}}: c.feed_agg_author}) RETURN w }
                    ELSE COLLECT { MATCH (c)<-[:CREATED|HAS_POST]-(w:{{user_label}}) RETURN w LIMIT 1 }
                         + COLLECT { MATCH (c)-[:HAS_CREATOR]->(w:{{user_label}}) RETURN w LIMIT 1 } END) AS a
  CALL {
    WITH c, aggregated
    UNWIND CASE WHEN aggregated THEN [] ELSE [c] END AS sampled
    MATCH (sampled)<-[e:ENGAGED_WITH]-(u)
    WITH e, u LIMIT $sample_edges
    WITH e, u.community AS uc, coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                                              THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END AS w
    WITH count(e) AS n, sum(w) AS weight, sum(coalesce(e.duration_seconds, 0)) AS duration,
         sum(coalesce(e.scroll_depth_sum, 0.0)) AS scroll_sum, sum(coalesce(e.scroll_depth_n, 0)) AS scroll_n,
         collect([uc, w]) AS by_engager
    RETURN [n, weight, duration, scroll_sum, scroll_n, [x IN by_engager | x[0]], [x IN by_engager | x[1]],
            $now_ms] AS sampled
  }
  WITH c, a, i, engagers,
       CASE WHEN aggregated THEN [engagers, c.feed_agg_weight, c.feed_agg_duration, c.feed_agg_scroll_sum,
                                  c.feed_agg_scroll_n, coalesce(c.feed_agg_communities, []),
                                  coalesce(c.feed_agg_community_weights, []), c.feed_agg_at.epochMillis]
            ELSE sampled END AS engagement
  RETURN collect([i, toString(a.{{user_key}}), toString(c.created_at), coalesce(c.post_type, c.content_type), engagers]
    + engagement + [
    {{content_ref_c}},
    a.community,
    a.influence,
    CASE WHEN a IS NULL THEN 0 ELSE COUNT { (a)-[:CREATED|HAS_POST]->() } END,
    CASE WHEN a IS NULL THEN [] ELSE COLLECT {
      MATCH (a)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g) RETURN DISTINCT elementId(g)
    } END
  ]) AS rows
}
RETURN v IS NOT NULL AS viewer_known,
       {known: v IS NOT NULL, community: v.community, hours: v.active_hours, groups: groups,
        snapshot: CASE WHEN f.at_ms = $have_at_ms THEN {at_ms: f.at_ms, held: true}
                  ELSE f {.at_ms, .kinds, .kind_weights, .connections, .tie_out, .authored, .similar_users,
                          .direct_users, .direct_values, .direct_states, .engaged_out_users, .engaged_out_values,
                          .engaged_in_users, .engaged_in_values, .mutual_users, .mutual_counts, .platform_users,
                          .platform_statuses, .sim_refs, .sim_values, .near_refs, .near_values} END} AS viewer,
       rows, [] AS ties
