// The content aggregates graph_feed_score reads instead of sampling engagers (graph/feed/aggregates.py):
// on every content node of the feed's types (the candidate_filter part), as of $now:
//   feed_agg_at                  $now
//   feed_agg_engagers            ENGAGED_WITH relationships into it (one per user)
//   feed_agg_weight              their weight decayed to $now (weight * 2^((last_at - now) / hl))
//   feed_agg_duration            sum of their duration_seconds
//   feed_agg_scroll_sum/_n       sums of their scroll_depth_sum / scroll_depth_n
//   feed_agg_communities         the $top_communities GDS communities with the most decayed weight, and
//   feed_agg_community_weights   that weight (parallel lists)
//   feed_agg_author              the author's key (CREATED, the platform's HAS_POST, or HAS_CREATOR), so a
//                                feed request seeks the author instead of walking the content's relationships
// A reader uses them while feed_agg_engagers still equals the live engager count, decaying both weights from
// feed_agg_at. Run in an auto-commit transaction (CALL ... IN TRANSACTIONS).
// Parameters: $now, $now_ms, $hl_ms, $top_communities, $batch_size, $generic_types.
MATCH (c) WHERE ({{candidate_filter}})
CALL {
  WITH c
  OPTIONAL MATCH (c)<-[e:ENGAGED_WITH]-(u)
  WITH c, e, u.community AS community,
       coalesce(e.weight, 0.0) * 2.0 ^ CASE WHEN e.last_at.epochMillis < $now_ms
                                            THEN (e.last_at.epochMillis - $now_ms) / $hl_ms ELSE 0.0 END AS w
  // per community first (one row per community: no per-engager lists), then per content
  WITH c, community, count(e) AS n, sum(CASE WHEN e IS NULL THEN 0.0 ELSE w END) AS sw,
       sum(coalesce(e.duration_seconds, 0)) AS sd, sum(coalesce(e.scroll_depth_sum, 0.0)) AS ss,
       sum(coalesce(e.scroll_depth_n, 0)) AS sc
  ORDER BY sw DESC, community
  WITH c, sum(n) AS n, sum(sw) AS sw, sum(sd) AS sd, sum(ss) AS ss, sum(sc) AS sc,
       collect(CASE WHEN community IS NOT NULL AND n > 0 THEN [community, sw] END)[0..$top_communities] AS top
  SET c.feed_agg_at = $now, c.feed_agg_engagers = n, c.feed_agg_weight = sw, c.feed_agg_duration = sd,
      c.feed_agg_scroll_sum = ss, c.feed_agg_scroll_n = sc,
      c.feed_agg_communities = [t IN top | t[0]], c.feed_agg_community_weights = [t IN top | t[1]],
      c.feed_agg_author = head(COLLECT { MATCH (c)<-[:CREATED|HAS_POST]-(w:{{user_label}}) RETURN w.{{user_key}} LIMIT 1 }
                               + COLLECT { MATCH (c)-[:HAS_CREATOR]->(w:{{user_label}}) RETURN w.{{user_key}} LIMIT 1 })
} IN TRANSACTIONS OF $batch_size ROWS
RETURN count(c) AS refreshed
