"""The Celery app: broker and backend from settings, one beat schedule, tasks from each package.

Tasks are thin wrappers over plain functions (the CLI and tests call the same functions without a
broker). Sync and GDS tasks are idempotent in effect, so they ack late and survive a worker loss.
"""

from __future__ import annotations

from celery import Celery

from graph.settings import get_settings

_settings = get_settings()

app = Celery(
    "activity_graph",
    broker=_settings.celery_broker_url,
    backend=_settings.celery_result_backend,
    include=["sync.tasks", "algorithms.tasks", "analytics.tasks", "graph.feed.tasks"],
)
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    timezone="UTC",
    enable_utc=True,
    broker_connection_retry_on_startup=True,
    result_expires=3600,
)
# One schedule, entries named for what they do. Overlapping runs are safe: a sync batch that
# loses the cursor race rolls back, and GDS runs replace their results atomically.
app.conf.beat_schedule = {
    "sync-catch-up-every-2s": {"task": "sync.fan_out", "schedule": 2.0,
                                "kwargs": {"partitions": _settings.sync_partitions}},
}


def add_schedule(entries: dict[str, dict[str, object]]) -> None:
    """Packages add their named beat entries from their tasks modules (which `include` imports)."""
    app.conf.beat_schedule.update(entries)
