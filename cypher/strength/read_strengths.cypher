// Connection strength from one user ($user_id) to each of $others (user keys), every raw component at once:
// one round trip for any number of others. graph/feed/strength.py turns `tie` into components and a total.
// Parameters: $user_id, $others, $result_sets (GDS jobs whose current run's SIMILAR_TO count), $now_ms, $hl_ms,
// $max_tie_engagements, $max_fans, $max_tied.
OPTIONAL MATCH (v:{{user_label}} {{{user_key}}: $user_id})
WITH v, COLLECT {
  MATCH (p:GraphResultSet) WHERE p.name IN $result_sets AND p.run_id IS NOT NULL RETURN p.run_id
} AS runs
{{viewer_ties}}
UNWIND $others AS other_id
OPTIONAL MATCH (a:{{user_label}} {{{user_key}}: other_id})
{{pair_ties}}
RETURN other_id, v IS NOT NULL AS viewer_known, a IS NOT NULL AS other_known, tie
