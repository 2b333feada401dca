"""Celery tasks: thin wrappers over `algorithms.jobs`, and the jobs' beat schedule.

The functions are plain (the CLI and tests call the same code without a broker); `register(app)` turns
them into tasks. Jobs replace their results atomically and are idempotent in effect, so tasks ack late and
retry only when Neo4j is unreachable.
"""

from __future__ import annotations

from typing import Any

import neo4j
from celery.schedules import crontab

from algorithms.jobs import run_job, run_target

TASK_RUN_JOB = "algorithms.run_job"
TASK_RUN_TARGET = "algorithms.run_target"

# Similarity feeds the feed most directly: every 6 hours. The rest daily, staggered in the night (UTC).
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "gds-similarity-every-6-hours": {
        "task": TASK_RUN_TARGET,
        "schedule": crontab(minute=15, hour="*/6"),
        "args": ("similarity",),
    },
    "gds-embeddings-daily": {
        "task": TASK_RUN_TARGET,
        "schedule": crontab(minute=45, hour=1),
        "args": ("embeddings",),
    },
    "gds-communities-daily": {
        "task": TASK_RUN_TARGET,
        "schedule": crontab(minute=15, hour=2),
        "args": ("communities",),
    },
    "gds-influence-daily": {
        "task": TASK_RUN_TARGET,
        "schedule": crontab(minute=45, hour=2),
        "args": ("influence",),
    },
}

RETRY_ON = (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired)


class JobsFailed(RuntimeError):
    """Some jobs of a target failed (each failure is recorded on its `GraphJobRun`)."""


def run_job_task(name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """One job; its outcome as JSON. Raises when it fails."""
    return run_job(name, params).summary()


def run_target_task(target: str, overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A target's jobs in order (a failure does not stop the rest); raises at the end if any failed."""
    outcomes = [o.summary() for o in run_target(target, overrides)]
    failed = [o for o in outcomes if o["outcome"] == "failed"]
    if failed:
        raise JobsFailed("; ".join(f"{o['job']}: {o['error']}" for o in failed))
    return outcomes


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
        TASK_RUN_JOB: app.task(name=TASK_RUN_JOB, **options)(run_job_task),
        TASK_RUN_TARGET: app.task(name=TASK_RUN_TARGET, **options)(run_target_task),
    }


try:  # the project's app lists this module in `include`, so a worker imports it after the app exists
    from activity_graph.celery_app import add_schedule
    from activity_graph.celery_app import app as celery_app
except ImportError:  # pragma: no cover - the app module is optional for the job code
    pass
else:
    TASKS = register(celery_app)
    add_schedule(BEAT_SCHEDULE)
