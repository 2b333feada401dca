// Engagement quality of content with no interaction in the current window: nodes a previous run wrote
// (quality_run set) that this run ($run) did not reset to zero interactions, so no stale value stays behind.
// Parameters: $run, $at, $window_days.
MATCH (c:{{label}})
WHERE c.quality_run IS NOT NULL AND c.quality_run <> $run
SET c.engagement_quality = 0.0, c.engagement_score = 0.0, c.interaction_count = 0,
    c.avg_time_spent = null, c.avg_scroll_depth = null,
    c.quality_run = $run, c.quality_at = $at, c.quality_window_days = $window_days
RETURN count(c) AS cleared
