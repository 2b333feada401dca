"""Celery tasks for the analytics: thin wrappers over the plain functions, and their beat schedule.

Every job replaces what it wrote before (aggregation periods in one transaction, graph properties by run), so
tasks ack late and may rerun. Registered on the project's app when `activity_graph.celery_app` lists this
module in its `include`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import neo4j
import psycopg
from celery.schedules import crontab

from analytics.aggregate import aggregate
from analytics.patterns import refresh_patterns
from analytics.periods import last_complete_periods, period_type_of, today_utc
from analytics.quality import refresh_quality
from analytics.settings import analytics_settings

TASK_AGGREGATE = "analytics.aggregate"
TASK_AGGREGATE_RECENT = "analytics.aggregate_recent"
TASK_QUALITY = "analytics.engagement_quality"
TASK_PATTERNS = "analytics.temporal_patterns"

# UTC. Daily rows shortly after midnight (the last `aggregate_lookback_days` days again, for late rows), the
# week on Monday and the month on the 1st once the daily run is done; quality every hour (its window slides);
# patterns daily after the GDS jobs.
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "analytics-aggregate-daily": {
        "task": TASK_AGGREGATE_RECENT, "schedule": crontab(minute=20, hour=0), "args": ("daily",),
    },
    "analytics-aggregate-weekly": {
        "task": TASK_AGGREGATE_RECENT, "schedule": crontab(minute=40, hour=0, day_of_week=1), "args": ("weekly",),
    },
    "analytics-aggregate-monthly": {
        "task": TASK_AGGREGATE_RECENT, "schedule": crontab(minute=50, hour=0, day_of_month=1), "args": ("monthly",),
    },
    "analytics-engagement-quality-hourly": {"task": TASK_QUALITY, "schedule": crontab(minute=5)},
    "analytics-temporal-patterns-daily": {"task": TASK_PATTERNS, "schedule": crontab(minute=30, hour=3)},
}

RETRY_ON = (psycopg.OperationalError, neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired)


def aggregate_task(period_type: str, start: str, end: str | None = None) -> dict[str, Any]:
    """Aggregate the periods holding [start, end] (ISO dates)."""
    report = aggregate(period_type, date.fromisoformat(start), date.fromisoformat(end) if end else None)
    return {"periods": len(report.results), "written": report.written, "removed": report.removed}


def aggregate_recent_task(period_type: str = "daily", count: int | None = None) -> dict[str, Any]:
    """The most recent complete periods (daily: the last `aggregate_lookback_days` days)."""
    kind = period_type_of(period_type)
    n = count or (analytics_settings().aggregate_lookback_days if kind == "daily" else 1)
    periods = last_complete_periods(kind, today_utc(), n)
    end = periods[-1].end.date() - timedelta(days=1)
    report = aggregate(kind, periods[0].date, end)
    return {"period_type": kind, "from": periods[0].date.isoformat(), "to": end.isoformat(),
            "written": report.written, "removed": report.removed}


def quality_task(window_days: float | None = None) -> dict[str, Any]:
    r = refresh_quality(window_days=window_days, now=datetime.now(timezone.utc))
    return {"rows": r.rows, "written": r.written, "missing": r.missing, "cleared": r.cleared}


def patterns_task(days: int | None = None) -> dict[str, Any]:
    r = refresh_patterns(days=days)
    return {"users": r.users, "written": r.written, "cleared": r.cleared}


def register(app: Any) -> dict[str, Any]:
    """Define the tasks on `app` (a Celery app); returns them by name. Add `BEAT_SCHEDULE` separately."""
    options: dict[str, Any] = {
        "acks_late": True,
        "autoretry_for": RETRY_ON,
        "retry_backoff": True,
        "retry_backoff_max": 600,
        "max_retries": 3,
    }
    return {
        TASK_AGGREGATE: app.task(name=TASK_AGGREGATE, **options)(aggregate_task),
        TASK_AGGREGATE_RECENT: app.task(name=TASK_AGGREGATE_RECENT, **options)(aggregate_recent_task),
        TASK_QUALITY: app.task(name=TASK_QUALITY, **options)(quality_task),
        TASK_PATTERNS: app.task(name=TASK_PATTERNS, **options)(patterns_task),
    }


try:  # the project's app lists this module in `include`, so a worker imports it after the app exists
    from activity_graph.celery_app import add_schedule
    from activity_graph.celery_app import app as celery_app
except ImportError:  # pragma: no cover - the app module is optional for the job code
    pass
else:
    TASKS = register(celery_app)
    add_schedule(BEAT_SCHEDULE)
