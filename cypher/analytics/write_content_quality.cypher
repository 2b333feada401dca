// Engagement quality (analytics/quality.py, write-up 4.1) onto content nodes of one label, one UNWIND batch.
// Nodes absent from the graph are not created: their ids come back in `missing` (the caller tries the next
// label a content type may have, e.g. a 'post' that is a CommunityPost).
// Parameters: $rows [{content_id, props: {engagement_quality, engagement_score, interaction_count,
// avg_time_spent, avg_scroll_depth}}], $run, $at.
UNWIND $rows AS r
OPTIONAL MATCH (c:{{label}} {{{content_key}}: r.content_id})
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END |
  SET c += r.props, c.quality_run = $run, c.quality_at = $at, c.quality_window_days = $window_days)
RETURN count(c) AS written, collect(CASE WHEN c IS NULL THEN r.content_id END) AS missing
