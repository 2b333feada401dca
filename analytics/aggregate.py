"""`aggregate`: fill the platform's `activity_aggregation` from the activity tables (write-up 6.1).

One SQL statement per period does the counting in Postgres (analytics/sql/aggregate_period.sql); every period
of a call is written in one transaction, under an advisory lock per period type, so a re-run replaces what a
period held (nothing is counted twice) and a failure leaves the table as it was.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from analytics.periods import Period, PeriodType, period_type_of, periods_between, today_utc
from analytics.pg import Conn, connection
from analytics.settings import AnalyticsSettings, analytics_settings
from analytics.sqlfiles import sql_text
from sync.weights import Weights


@dataclass(frozen=True)
class PeriodResult:
    """One period written: rows upserted (one per active user) and stale rows removed."""

    period: Period
    written: int
    removed: int
    seconds: float


@dataclass
class AggregationReport:
    period_type: PeriodType
    results: list[PeriodResult] = field(default_factory=list)

    @property
    def written(self) -> int:
        return sum(r.written for r in self.results)

    @property
    def removed(self) -> int:
        return sum(r.removed for r in self.results)

    def summary(self) -> str:
        if not self.results:
            return f"{self.period_type}: no periods"
        first, last = self.results[0].period.date, self.results[-1].period.date
        seconds = sum(r.seconds for r in self.results)
        return (f"{self.period_type} {first.isoformat()}..{last.isoformat()}: {len(self.results)} period(s), "
                f"{self.written:,} user rows written, {self.removed:,} stale rows removed in {seconds:.1f}s")


ProgressCallback = Callable[[PeriodResult, int, int], None]


def score_params(weights: Weights) -> dict[str, Any]:
    """The engagement score's weights as query parameters (the sync's, write-up 3.2.2)."""
    return {
        "weights": json.dumps(dict(weights.content)),
        "default_weight": weights.content_default,
        "per_minute": weights.time_bonus_per_minute,
        "cap_minutes": weights.time_bonus_cap_minutes,
        "scroll_full": weights.scroll_bonus_full,
        "max_duration": weights.max_duration_seconds,
    }


def _lock_key(period_type: str) -> int:
    return zlib.crc32(f"activity_graph.aggregate.{period_type}".encode()) - 2**31


def aggregate_periods(
    conn: Conn,
    periods: list[Period],
    *,
    now: datetime,
    weights: Weights,
    progress: ProgressCallback | None = None,
) -> list[PeriodResult]:
    """Write `periods` (validated already) in one transaction on `conn`."""
    out: list[PeriodResult] = []
    query = sql_text("aggregate_period")
    base = {**score_params(weights), "now": now}
    with conn.transaction():
        for kind in sorted({p.period_type for p in periods}):
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(kind),))
        for i, p in enumerate(periods):
            t0 = time.perf_counter()
            row = conn.execute(
                query, {**base, "start": p.start, "end": p.end, "period_type": p.period_type, "period": p.date}
            ).fetchone()
            written, removed = (int(row[0]), int(row[1])) if row else (0, 0)
            result = PeriodResult(p, written, removed, time.perf_counter() - t0)
            out.append(result)
            if progress is not None:
                progress(result, i + 1, len(periods))
    return out


def aggregate(
    period_type: str,
    start_date: date,
    end_date: date | None = None,
    *,
    conn: Conn | None = None,
    url: str | None = None,
    now: datetime | None = None,
    weights: Weights | None = None,
    settings: AnalyticsSettings | None = None,
    progress: ProgressCallback | None = None,
) -> AggregationReport:
    """Aggregate every `period_type` period (daily, weekly, monthly) holding a day of [start_date, end_date]
    (end_date defaults to start_date) into `activity_aggregation`, replacing what those periods held.

    Raises `InvalidPeriod` before writing anything for an unknown type, `start_date` after `end_date`, a date
    before the `min_date` setting, or a date after today (UTC). A period with no activity writes no rows (and
    removes the rows it held). A period that includes today is aggregated as far as it goes; re-run it later.
    """
    kind = period_type_of(period_type)
    s = settings or analytics_settings()
    at = now or datetime.now(timezone.utc)
    periods = periods_between(kind, start_date, end_date or start_date, today=today_utc(at), min_date=s.min_date)
    w = weights or Weights()
    with connection(conn, url) as c:
        results = aggregate_periods(c, periods, now=at, weights=w, progress=progress)
    return AggregationReport(kind, results)
