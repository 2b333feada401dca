"""Celery tasks for the sync: thin wrappers, idempotent in effect, so they ack late and may rerun.

Beat fans out one `sync.catch_up` per (table, partition) every couple of seconds; a Redis lock per
(table, partition) keeps a slow catch-up from piling up duplicates behind it (a duplicate would be
harmless anyway: the cursor check rolls back the loser's batch).
"""

from __future__ import annotations

from typing import Any

import redis

from activity_graph.celery_app import app
from graph.settings import get_settings
from sync.pipeline import SYNC_TABLES, WHOLE, Partition
from sync.runner import sync_until_caught_up


def _lock_name(tables: list[str], part: Partition) -> str:
    return f"activity-graph:sync:{','.join(sorted(tables))}{part.suffix()}"


@app.task(name="sync.catch_up", acks_late=True, autoretry_for=(Exception,), retry_backoff=True,
          retry_backoff_max=60, max_retries=None)
def catch_up(tables: list[str] | None = None, partition: list[int] | None = None) -> dict[str, Any]:
    """Apply every pending batch of `tables` (one partition index/count, or all users)."""
    part = Partition(partition[0], partition[1]) if partition else WHOLE
    chosen = tables or list(SYNC_TABLES)
    client = redis.Redis.from_url(get_settings().celery_broker_url)
    lock = client.lock(_lock_name(chosen, part), timeout=600, blocking=False)
    if not lock.acquire(blocking=False):
        return {"skipped": "another catch-up holds this partition"}
    try:
        r = sync_until_caught_up(chosen, partition=part)
    finally:
        lock.release()
    return {"rows_read": r.rows_read, "rows_applied": r.rows_applied, "quarantined": r.quarantined,
            "conflicts": r.conflicts, "seconds": r.seconds}


@app.task(name="sync.fan_out")
def fan_out(partitions: int = 1) -> int:
    """Hand one catch-up per (table, partition) to the workers through the broker."""
    for table in SYNC_TABLES:
        for index in range(partitions):
            catch_up.delay([table], [index, partitions] if partitions > 1 else None)
    return len(SYNC_TABLES) * partitions
