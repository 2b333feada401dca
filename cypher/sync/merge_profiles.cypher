// Per-user activity profile: counts by type, a 24-hour histogram, sessions, and the vibe profile.
UNWIND $profiles AS p
{{node_op}} (u:{{src_label}} {{{src_key}}: p.user})
SET u.active_hours = [i IN range(0, 23) | coalesce(u.active_hours[i], 0) + p.hours[i]],
    u.session_count = coalesce(u.session_count, 0) + p.sessions,
    u.session_seconds_sum = coalesce(u.session_seconds_sum, 0.0) + p.session_seconds_sum,
    u.session_seconds_max = CASE WHEN coalesce(u.session_seconds_max, 0.0) > p.session_seconds_max
                                 THEN u.session_seconds_max ELSE p.session_seconds_max END
FOREACH (k IN keys(p.adds) | SET u[k] = coalesce(u[k], 0) + p.adds[k])
