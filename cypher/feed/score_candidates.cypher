// graph_feed_score: every candidate of one feed request in one round trip.
// The viewer's side of a call (ties, similar users' engagement, neighbours of recent engagements) is most of
// its work, so a job computes it ahead for active viewers (feed/refresh_viewers, graph/feed/viewers.py). A
// snapshot is used while it is younger than the max age ($fresh_ms <= at_ms <= $now_ms), was made with the
// same limits and half-life ($snapshot_params) and against the same GDS result sets; then the candidates are
// scored by feed/score_snapshot, otherwise by feed/score_live, which computes everything in this query.
// Exactly one branch returns a row (each groups by the viewer, so a branch that gets no row returns none).
// Parameters: $user_id, $no_run, $l0.. (per label: [index, key, priority]), $generic ([index, type, id]),
// $result_sets, $now_ms, $hl_ms, $max_similar, $max_engaged, $max_tie_engagements, $max_fans, $max_tied,
// $sample_edges, $snapshot_params, $fresh_ms.
OPTIONAL MATCH (v:{{user_label}} {{{user_key}}: $user_id})
WITH v, COLLECT {
  MATCH (p:GraphResultSet) WHERE p.name IN $result_sets AND p.run_id IS NOT NULL RETURN p.run_id
} AS runs
OPTIONAL MATCH (f:FeedViewer {user_key: $user_id})
WITH v, runs,
     CASE WHEN v IS NOT NULL AND f.params = $snapshot_params AND $fresh_ms <= f.at_ms <= $now_ms
               AND size(f.runs) = size(runs) AND all(r IN runs WHERE r IN f.runs) THEN f END AS f
CALL {
  WITH v, runs, f
  WITH v, runs, f WHERE f IS NOT NULL
{{snapshot_branch}}
  UNION ALL
  WITH v, runs, f
  WITH v, runs, f WHERE f IS NULL
{{live_branch}}
}
RETURN f IS NOT NULL AS from_snapshot, viewer, rows, ties
