"""user_activity and session_activity -> the per-user activity profile the feed's temporal signals read."""

from __future__ import annotations

from sync.changes import Mapped, MapResult, Note, SessionObservation, UserActivityCount
from sync.mapping._common import (
    Bad,
    MappingConfig,
    aware_time,
    count,
    event_time,
    flag,
    guarded,
    hour_of_day,
    metadata,
    row_id,
    seconds,
    text_id,
    type_value,
    unknown,
    user_id,
)
from sync.rows import SessionActivityRow, UserActivityRow

__all__ = ["map_session_activity", "map_user_activity"]

USER = UserActivityRow.TABLE
SESSION = SessionActivityRow.TABLE


def map_user_activity(row: UserActivityRow, config: MappingConfig | None = None) -> MapResult:
    """One user_activity row; never raises."""
    cfg = config if config is not None else MappingConfig()
    return guarded(USER, row.id, lambda: _user(row, cfg))


def map_session_activity(row: SessionActivityRow, config: MappingConfig | None = None) -> MapResult:
    """One session_activity row; never raises."""
    cfg = config if config is not None else MappingConfig()
    return guarded(SESSION, row.id, lambda: _session(row, cfg))


def _user(row: UserActivityRow, cfg: MappingConfig) -> Mapped:
    row_id(row.id)
    user = user_id(row.user_id, "user_id")
    at = event_time(row.timestamp, row.updated_at, cfg.weights.max_future_skew_seconds)
    metadata(row.metadata)
    atype = type_value(row.activity_type, "activity_type")
    success = flag(row.success, "success")
    notes: list[Note] = [*unknown(USER, "activity_type", atype)]
    return Mapped((UserActivityCount(user, atype, hour_of_day(at), at, USER, success),), tuple(notes))


def _session(row: SessionActivityRow, cfg: MappingConfig) -> Mapped:
    w = cfg.weights
    row_id(row.id)
    user = user_id(row.user_id, "user_id")
    at = event_time(row.timestamp, row.updated_at, w.max_future_skew_seconds)
    metadata(row.metadata)
    session_id = text_id(row.session_id, "session_id")
    stype = type_value(row.session_type, "session_type")
    start = None if row.start_time is None else aware_time(row.start_time, "start_time")
    end = None if row.end_time is None else aware_time(row.end_time, "end_time")
    duration = seconds(row.duration_seconds, "duration_seconds", w.max_session_seconds)
    if start is not None and end is not None:
        span = (end - start).total_seconds()
        if span < 0.0:
            raise Bad(
                "bad_session_times", f"end_time {end.isoformat()} is before start_time {start.isoformat()}"
            )
        if span > w.max_session_seconds:
            raise Bad(
                "absurd_duration", f"session of {span:g}s exceeds the limit of {w.max_session_seconds:g}s"
            )
        if duration is None:
            duration = span
    notes: list[Note] = [*unknown(SESSION, "session_type", stype)]
    obs = SessionObservation(
        user=user,
        session_id=session_id,
        at=at,
        length_seconds=duration,
        session_type=stype,
        pages_visited=count(row.pages_visited, "pages_visited"),
        actions_performed=count(row.actions_performed, "actions_performed"),
        table=SESSION,
    )
    return Mapped((obs,), tuple(notes))
