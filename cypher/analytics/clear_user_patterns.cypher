// Temporal patterns of users with no activity in the current window: users a previous full run wrote
// (patterns_run set) and this run ($run) did not, reset to "no activity", so no stale value stays behind.
// Parameters: $run, $at, $days, $end_date.
MATCH (u:{{user_label}})
WHERE u.patterns_run IS NOT NULL AND u.patterns_run <> $run
SET u.peak_hours = [], u.weekday_hist = [0, 0, 0, 0, 0, 0, 0], u.session_len_median = null,
    u.session_count_window = 0, u.session_source = null, u.activity_consistency = 0.0, u.active_days = 0,
    u.patterns_days = $days, u.patterns_end_date = $end_date, u.patterns_run = $run, u.patterns_at = $at
RETURN count(u) AS cleared
