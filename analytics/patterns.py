"""Temporal patterns per user (write-up 3.2.4), computed in Postgres, stored on the platform's `Users` nodes.

On each user active in the window: `peak_hours` (up to 3 UTC hours, busiest first), `weekday_hist` (actions per
weekday, Monday first), `session_len_median` (seconds), `session_count_window`, `session_source` (`recorded`
from session_activity, `inferred` from gaps between actions), `activity_consistency` (share of the window's
days with an action), `active_days`, and `patterns_days`, `patterns_end_date`, `patterns_at`. The hour-of-day
histogram is already there as the sync's `active_hours`. A full run resets users written before who had no
action in the window.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import neo4j

from analytics import graph_write
from analytics.errors import InvalidPeriod
from analytics.periods import check_dates, today_utc, utc_midnight
from analytics.pg import Conn, check_user, connection, fetch_all
from analytics.settings import AnalyticsSettings, analytics_settings
from graph.settings import Settings, get_settings
from sync.weights import Weights


@dataclass(frozen=True)
class Window:
    """`days` whole UTC days ending with `end_date` (inclusive)."""

    end_date: date
    days: int

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)

    @property
    def start(self) -> datetime:
        return utc_midnight(self.start_date)

    @property
    def end(self) -> datetime:
        return utc_midnight(self.end_date + timedelta(days=1))


def window(end_date: date | None, days: int, *, now: datetime | None = None,
           analytics: AnalyticsSettings | None = None) -> Window:
    """The window, checked: 1-3660 days, not in the future, not before the min date. Default end: yesterday."""
    a = analytics or analytics_settings()
    today = today_utc(now)
    end = end_date or today - timedelta(days=1)
    if not 1 <= days <= 3660:
        raise InvalidPeriod(f"days must be between 1 and 3660, got {days}")
    w = Window(end, days)
    check_dates(w.start_date, w.end_date, today=today, min_date=a.min_date)
    return w


@dataclass(frozen=True)
class TemporalPattern:
    user_id: int
    peak_hours: list[int]
    hour_hist: list[int]
    weekday_hist: list[int]
    active_weekdays: list[int]
    active_days: int
    actions: int
    activity_consistency: float
    daily_cv: float | None
    session_source: str | None
    session_count: int
    session_len_median: float | None

    def graph_row(self) -> dict[str, Any]:
        return {
            "user_id": str(self.user_id),
            "peak_hours": self.peak_hours,
            "weekday_hist": self.weekday_hist,
            "session_len_median": self.session_len_median,
            "session_count": self.session_count,
            "session_source": self.session_source,
            "activity_consistency": self.activity_consistency,
            "active_days": self.active_days,
        }


def _pattern(r: dict[str, Any]) -> TemporalPattern:
    return TemporalPattern(
        user_id=int(r["user_id"]),
        peak_hours=[int(h) for h in r["peak_hours"]],
        hour_hist=[int(n) for n in r["hour_hist"]],
        weekday_hist=[int(n) for n in r["weekday_hist"]],
        active_weekdays=[int(n) for n in r["active_weekdays"]],
        active_days=int(r["active_days"]),
        actions=int(r["actions"]),
        activity_consistency=float(r["activity_consistency"]),
        daily_cv=None if r["daily_cv"] is None else float(r["daily_cv"]),
        session_source=r["session_source"],
        session_count=int(r["session_count"]),
        session_len_median=None if r["session_len_median"] is None else float(r["session_len_median"]),
    )


def temporal_patterns(
    win: Window,
    *,
    user_id: int | None = None,
    conn: Conn | None = None,
    url: str | None = None,
    analytics: AnalyticsSettings | None = None,
) -> list[TemporalPattern]:
    """Every user with an action in the window (or just `user_id`, which must exist), by user id."""
    a = analytics or analytics_settings()
    params = {
        "start": win.start,
        "end": win.end,
        "days": win.days,
        "user_id": user_id,
        "gap_seconds": a.session_gap_minutes * 60.0,
        "max_session": Weights().max_session_seconds,
    }
    with connection(conn, url) as c:
        if user_id is not None:
            check_user(c, user_id)
        return [_pattern(r) for r in fetch_all(c, "temporal_patterns", params)]


@dataclass(frozen=True)
class PatternsWriteReport:
    users: int
    written: int
    cleared: int

    def summary(self) -> str:
        return (f"temporal patterns: {self.users:,} active users, {self.written:,} written onto Users nodes "
                f"({self.users - self.written:,} not in the graph), {self.cleared:,} inactive users reset")


def write_patterns(
    patterns: list[TemporalPattern],
    win: Window,
    *,
    clear_stale: bool = True,
    settings: Settings | None = None,
    analytics: AnalyticsSettings | None = None,
    driver: neo4j.Driver | None = None,
    at: datetime | None = None,
) -> PatternsWriteReport:
    """Write the patterns onto Users nodes in UNWIND batches; with `clear_stale` (a full run only), reset users an
    earlier run wrote and this one did not."""
    s = settings or get_settings()
    a = analytics or analytics_settings()
    params: dict[str, Any] = {"run": uuid.uuid4().hex, "at": at or datetime.now(timezone.utc), "days": win.days,
                              "end_date": win.end_date}
    parts = graph_write.user_parts(s)
    rows = [p.graph_row() for p in patterns]
    written = 0
    for batch in graph_write.batches(rows, a.graph_batch_size):
        written += int(graph_write.run(s, "write_user_patterns", parts, {**params, "rows": list(batch)}, driver)[0][
            "written"])
    cleared = 0
    if clear_stale:
        cleared = int(graph_write.run(s, "clear_user_patterns", parts, params, driver)[0]["cleared"])
    return PatternsWriteReport(len(rows), written, cleared)


def refresh_patterns(
    *,
    end_date: date | None = None,
    days: int | None = None,
    conn: Conn | None = None,
    url: str | None = None,
    settings: Settings | None = None,
    analytics: AnalyticsSettings | None = None,
    driver: neo4j.Driver | None = None,
    now: datetime | None = None,
) -> PatternsWriteReport:
    """The job: every active user's patterns over the window, onto the graph."""
    a = analytics or analytics_settings()
    win = window(end_date, days or a.patterns_days, now=now, analytics=a)
    patterns = temporal_patterns(win, conn=conn, url=url, analytics=a)
    return write_patterns(patterns, win, settings=settings, analytics=a, driver=driver, at=now)
