"""Drive the pipeline: a table until caught up (backfill, once), or forever (follow), and status."""

from __future__ import annotations

import select
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from activity.db import reader_url
from graph.connection import get_driver
from graph.cypher import query
from graph.settings import Settings, get_settings
from sync.cursor import SyncCursor
from sync.pipeline import SYNC_TABLES, WHOLE, Partition, PassReport, cursor_name, sync_batch

Progress = Callable[[PassReport], None]


@dataclass
class RunReport:
    """Totals over many batches."""

    rows_read: int = 0
    rows_applied: int = 0
    quarantined: int = 0
    batches: int = 0
    conflicts: int = 0
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, r: PassReport) -> None:
        self.rows_read += r.rows_read
        self.rows_applied += r.rows_applied
        self.quarantined += r.quarantined
        self.batches += 1
        self.conflicts += int(r.conflict)
        self.reasons.update(r.reasons)

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0


def sync_until_caught_up(
    tables: Iterable[str] = SYNC_TABLES,
    *,
    batch_size: int | None = None,
    partition: Partition = WHOLE,
    settings: Settings | None = None,
    progress: Progress | None = None,
    max_batches: int | None = None,
) -> RunReport:
    """Apply batches table by table until a batch comes back empty (`sync once` / `sync backfill`)."""
    s = settings or get_settings()
    size = batch_size or s.sync_batch_size
    total = RunReport()
    start = time.perf_counter()
    with psycopg.connect(reader_url(s), autocommit=True) as pg:
        for table in tables:
            while max_batches is None or total.batches < max_batches:
                r = sync_batch(table, limit=size, partition=partition, settings=s, pg=pg,
                               create_missing=s.sync_create_missing)
                total.add(r)
                if progress:
                    progress(r)
                if r.rows_read < size and not r.conflict:
                    break
    total.seconds = time.perf_counter() - start
    return total


def follow(
    tables: Iterable[str] = SYNC_TABLES,
    *,
    poll_s: float = 0.2,
    partition: Partition = WHOLE,
    settings: Settings | None = None,
    stop: Callable[[], bool] = lambda: False,
    progress: Progress | None = None,
) -> RunReport:
    """Keep every table caught up; LISTEN wakes the loop early when the platform NOTIFYs."""
    s = settings or get_settings()
    total = RunReport()
    start = time.perf_counter()
    tables = list(tables)
    with psycopg.connect(reader_url(s), autocommit=True) as listen_conn, \
            psycopg.connect(reader_url(s), autocommit=True) as pg:
        listen_conn.execute("LISTEN activity_graph_changed")
        while not stop():
            busy = False
            for table in tables:
                r = sync_batch(table, limit=s.sync_batch_size, partition=partition, settings=s, pg=pg,
                               create_missing=s.sync_create_missing)
                total.add(r)
                if progress and r.rows_read:
                    progress(r)
                busy = busy or r.rows_read >= s.sync_batch_size
            if not busy:
                select.select([listen_conn.fileno()], [], [], poll_s)
                for _ in listen_conn.notifies(timeout=0, stop_after=1000):
                    pass
    total.seconds = time.perf_counter() - start
    return total


@dataclass(frozen=True)
class TableStatus:
    """`sync status`: one row per cursor."""

    cursor: str
    last_id: int
    max_id: int
    lag_rows: int
    lag_seconds: float | None
    gaps: int
    rows_applied: int
    quarantined: int


def status(settings: Settings | None = None) -> tuple[list[TableStatus], list[dict[str, Any]]]:
    """Per-table cursor, lag in rows and seconds, quarantine counts; and the unknown types seen."""
    s = settings or get_settings()
    driver = get_driver(s)
    recs, _, _ = driver.execute_query(query("sync/read_cursors"), name=None, database_=s.neo4j_database)
    cursors = {r["name"]: SyncCursor.from_props(r["name"], dict(r["props"])) for r in recs}
    notes, _, _ = driver.execute_query(
        "MATCH (n:SyncNote) RETURN n.kind AS kind, n.source_table AS table, n.field AS field, "
        "n.value AS value, n.count AS count ORDER BY kind, table, count DESC", database_=s.neo4j_database)
    out: list[TableStatus] = []
    with psycopg.connect(reader_url(s), autocommit=True) as pg:
        q: dict[str, int] = {
            str(t): int(n)
            for t, n in pg.execute("SELECT source_table, count(*) FROM activity_graph_quarantine GROUP BY 1")
        }
        for table in SYNC_TABLES:
            names = [n for n in cursors if n == table or n.startswith(table + ":")] or [cursor_name(table)]
            tbl = sql.Identifier(table)
            top = pg.execute(sql.SQL("SELECT coalesce(max(id), 0), max(timestamp) FROM {}").format(tbl)).fetchone()
            assert top is not None
            max_id, newest = int(top[0]), top[1]
            for name in names:
                c = cursors.get(name, SyncCursor(name))
                lag = pg.execute(sql.SQL("SELECT count(*) FROM {} WHERE id > %s").format(tbl), (c.last_id,)).fetchone()
                lag_rows = int(lag[0]) if lag else 0
                lag_s = None
                if newest is not None and lag_rows:
                    lag_s = newest.timestamp() - (c.last_row_at or 0.0)
                out.append(TableStatus(name, c.last_id, max_id, lag_rows, lag_s,
                                       sum(g.hi - g.lo + 1 for g in c.gaps), c.rows_applied, int(q.get(table, 0))))
    return out, [dict(n) for n in notes]
