"""Celery tasks that keep the feed's serving state fresh: content aggregates and viewer snapshots.

Thin wrappers over `graph.feed.aggregates` and `graph.feed.viewers` (the CLI calls the same functions). Both
jobs only rewrite derived properties, so a rerun or an overlap is harmless; a Redis lock still keeps a slow pass
from piling up behind itself. Imported by the worker through the app's `include`, never by the platform.
"""

from __future__ import annotations

from typing import Any

import redis

from activity_graph.celery_app import add_schedule, app
from graph.feed.aggregates import refresh_content_aggregates
from graph.feed.viewers import refresh_viewer_snapshots
from graph.feed.weights import feed_weights
from graph.settings import get_settings

TASK_AGGREGATES = "feed.refresh_aggregates"
TASK_VIEWERS = "feed.refresh_viewers"


def _locked(name: str, timeout: int) -> Any:
    client = redis.Redis.from_url(get_settings().celery_broker_url)
    return client.lock(f"activity-graph:{name}", timeout=timeout, blocking=False)


@app.task(name=TASK_AGGREGATES, acks_late=True)
def refresh_aggregates_task() -> dict[str, Any]:
    """Content aggregates on every feed item (docs/feed.md, "Content aggregates")."""
    lock = _locked(TASK_AGGREGATES, 3600)
    if not lock.acquire(blocking=False):
        return {"skipped": "a refresh is running"}
    try:
        return {"refreshed": refresh_content_aggregates()}
    finally:
        lock.release()


@app.task(name=TASK_VIEWERS, acks_late=True)
def refresh_viewers_task(active_days: float = 1.0, max_viewers: int | None = None) -> dict[str, Any]:
    """Snapshots of the viewers active in the last `active_days`, most recently active first, at most
    `max_viewers` per pass (docs/feed.md, "Viewer snapshots")."""
    lock = _locked(TASK_VIEWERS, 3600)
    if not lock.acquire(blocking=False):
        return {"skipped": "a refresh is running"}
    try:
        return refresh_viewer_snapshots(active_days=active_days, max_viewers=max_viewers)
    finally:
        lock.release()


_every = max(60.0, feed_weights().snapshot_max_age_s / 3)
add_schedule({
    "feed-aggregates-every-5-minutes": {"task": TASK_AGGREGATES, "schedule": 300.0},
    # a third of the snapshots' max age, so an active viewer's snapshot is fresh when the feed asks
    "feed-viewer-snapshots": {"task": TASK_VIEWERS, "schedule": _every, "kwargs": {"active_days": 1.0},
                              "options": {"expires": _every}},
})
