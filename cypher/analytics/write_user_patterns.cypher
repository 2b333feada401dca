// Temporal patterns (analytics/patterns.py, write-up 3.2.4) onto the platform's Users nodes, one UNWIND batch.
// Users absent from the graph are skipped (counted by the caller as rows - written).
// Parameters: $rows [{user_id (string), peak_hours, weekday_hist, session_len_median, session_count,
// session_source, activity_consistency, active_days}], $run, $at, $days, $end_date.
UNWIND $rows AS r
MATCH (u:{{user_label}} {{{user_key}}: r.user_id})
SET u.peak_hours = r.peak_hours,
    u.weekday_hist = r.weekday_hist,
    u.session_len_median = r.session_len_median,
    u.session_count_window = r.session_count,
    u.session_source = r.session_source,
    u.activity_consistency = r.activity_consistency,
    u.active_days = r.active_days,
    u.patterns_days = $days,
    u.patterns_end_date = $end_date,
    u.patterns_run = $run,
    u.patterns_at = $at
RETURN count(u) AS written
