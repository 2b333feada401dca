"""The Celery path: the flusher hands batches to a ``tracker.write_batch`` task instead of writing itself.

Why offer it: a platform that prefers no database connection in its web processes (or wants the writes
on its worker fleet) sets ``sink = "celery"``. The request path is unchanged (buffer, flusher); only the
flusher's last step is a task publish per batch instead of a COPY. If the broker refuses the publish the
batch is spooled exactly as for a Postgres outage. The task always takes the conflict-safe path
(``ON CONFLICT (uid) DO NOTHING``), because Celery may run a task twice (``acks_late``, redelivery,
retries); while Postgres is down it retries with backoff, and after its last retry it spools the batch on
the worker, whose own tracker replays it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from celery import shared_task

from tracker.errors import WriterUnavailable
from tracker.settings import TrackerSettings
from tracker.spool import Spool
from tracker.writer import PgWriter, WriteOutcome

log = logging.getLogger(__name__)

MAX_RETRIES = 20
_worker_writers: dict[str, PgWriter] = {}  # one connection per database URL, per worker process


def _writer(settings: TrackerSettings) -> PgWriter:
    conninfo = settings.conninfo()
    writer = _worker_writers.get(conninfo)
    if writer is None:
        writer = _worker_writers[conninfo] = PgWriter(
            conninfo, connect_timeout_s=settings.connect_timeout_s, statement_timeout_s=settings.statement_timeout_s
        )
    return writer


def write_lines(batch: Mapping[str, Sequence[str]], settings: TrackerSettings | None = None) -> WriteOutcome:
    """Write a batch of COPY lines (as text) with the conflict-safe path; dead letters go to the spool."""
    s = settings or TrackerSettings()
    lines = {table: [line.encode() for line in rows] for table, rows in batch.items()}
    outcome = _writer(s).write(lines, fresh=False)
    if outcome.rejected:
        Spool(s.spool_dir, s.spool_segment_bytes).reject(outcome.rejected)
    return outcome


def _write_batch(task: Any, batch: dict[str, list[str]]) -> dict[str, int]:
    settings = TrackerSettings()
    try:
        outcome = write_lines(batch, settings)
    except WriterUnavailable as exc:
        retries = int(task.request.retries)
        if retries < MAX_RETRIES:
            raise task.retry(exc=exc, countdown=min(2**retries, 300)) from exc
        lines = {table: [line.encode() for line in rows] for table, rows in batch.items()}
        n = Spool(settings.spool_dir, settings.spool_segment_bytes).append(lines)
        log.warning("activity tracker: Postgres still down after %d retries; %d rows spooled", retries, n)
        return {"written": 0, "spooled": n}
    return {"written": outcome.rows, "already_present": outcome.already_present, "rejected": len(outcome.rejected)}


write_batch = shared_task(name="tracker.write_batch", bind=True, acks_late=True, max_retries=MAX_RETRIES)(
    _write_batch
)


class CeleryWriter:
    """A :class:`~tracker.writer.BatchWriter` that publishes batches; "written" means handed to the broker."""

    def __init__(self, queue: str | None = None) -> None:
        self._queue = queue

    def write(self, batch: Mapping[str, Sequence[bytes]], *, fresh: bool) -> WriteOutcome:
        payload = {table: [line.decode() for line in rows] for table, rows in batch.items() if rows}
        if not payload:
            return WriteOutcome()
        try:
            write_batch.apply_async(args=[payload], queue=self._queue, retry=False)
        except Exception as exc:  # broker unreachable: the flusher spools the batch
            raise WriterUnavailable(f"celery publish failed: {exc}") from exc
        return WriteOutcome(written={table: len(rows) for table, rows in payload.items()})

    def ping(self) -> None:
        try:
            with write_batch.app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1)
        except Exception as exc:
            raise WriterUnavailable(f"celery broker unreachable: {exc}") from exc

    def close(self) -> None:
        return None
