"""Drive the pipeline: a table until caught up (backfill, once), or forever (follow), and status."""

from __future__ import annotations

import select
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from activity.db import reader_url
from graph.connection import get_driver
from graph.cypher import query
from graph.settings import Settings, get_settings
from sync.cursor import SyncCursor
from sync.pipeline import (
    SYNC_TABLES,
    WHOLE,
    Partition,
    PassReport,
    PreparedBatch,
    commit_batch,
    cursor_name,
    prepare_batch,
    sync_batch,
)

Progress = Callable[[PassReport], None]


@dataclass
class RunReport:
    """Totals over many batches."""

    rows_read: int = 0
    rows_applied: int = 0
    quarantined: int = 0
    batches: int = 0
    conflicts: int = 0
    changes_read: int = 0  # update/delete log entries consumed
    retracted: int = 0
    bulk_rows: int = 0  # rows summed by Postgres (the bulk path)
    read_seconds: float = 0.0
    prepare_seconds: float = 0.0
    write_seconds: float = 0.0
    edges: int = 0  # weighted edge rows written (rows collapse onto them)
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, r: PassReport) -> None:
        self.rows_read += r.rows_read
        self.rows_applied += r.rows_applied
        self.quarantined += r.quarantined
        self.batches += 1
        self.conflicts += int(r.conflict)
        self.changes_read += r.changes_read
        self.read_seconds += r.read_seconds
        self.prepare_seconds += r.prepare_seconds
        self.edges += r.edges
        self.write_seconds += r.write_seconds
        self.retracted += r.retracted
        self.bulk_rows += r.bulk_rows
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
    read_ahead: bool = True,
    bulk: bool = False,
) -> RunReport:
    """Apply batches table by table until a batch comes back empty (`sync once` / `sync backfill`).

    With `read_ahead`, while one batch's Neo4j transaction runs (in a second thread), the next batch is
    read, mapped and aggregated from the cursors that transaction will leave, so Postgres, Python and
    Neo4j work at once. The batches are the same as without it; if the transaction loses its cursor to
    another worker, the batch read ahead is dropped. With `bulk`, Postgres sums each batch's plain rows
    (`sync.bulk_sql`): the same batches, the same graph, less Python (the backfill's fast path).
    """
    s = settings or get_settings()
    size = batch_size or s.sync_batch_size
    total = RunReport()
    start = time.perf_counter()
    driver = get_driver(s)

    def commit_in_own_session(prepared: PreparedBatch) -> PassReport:
        with driver.session(database=s.neo4j_database) as own:
            return commit_batch(prepared, own)

    order = list(tables)
    with psycopg.connect(reader_url(s), autocommit=True) as pg, \
            driver.session(database=s.neo4j_database) as session, ThreadPoolExecutor(1) as writer:

        def prepare(table: str, after: PreparedBatch | None = None) -> PreparedBatch:
            return prepare_batch(table, session, pg, limit=size, partition=partition, settings=s,
                                 create_missing=s.sync_create_missing, bulk=bulk,
                                 cursors=None if after is None else after.cursors_after)

        i = 0
        ahead: PreparedBatch | None = None
        while i < len(order) and (max_batches is None or total.batches < max_batches):
            table = order[i]
            cur = ahead if ahead is not None and ahead.report.table == table else prepare(table)
            ahead = None
            full = cur.report.rows_read >= size or cur.report.changes_read >= size
            # The next batch: more of this table, or the next table's first.
            nxt = table if full else (order[i + 1] if i + 1 < len(order) else None)
            if read_ahead and nxt is not None and not cur.idle:
                pending = writer.submit(commit_in_own_session, cur)
                try:
                    ahead = prepare(nxt, cur if nxt == table else None)
                finally:
                    r = pending.result()
                if r.conflict:
                    ahead = None
            else:
                r = commit_batch(cur, session)
            total.add(r)
            if progress:
                progress(r)
            if not full and not r.conflict:
                i += 1
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
    """Keep every table caught up; LISTEN wakes the loop early when the platform NOTIFYs.

    Every `poll_s` every table gets a pass (gaps to re-read, tables nobody notifies about); in between,
    a NOTIFY on `activity_graph_changed` whose payload names a table (the triggers of
    `activity/sql/change_triggers.sql` send the table's name) wakes the loop for that table alone, and
    any other payload for all of them. A table whose batch came back full goes again at once.
    """
    s = settings or get_settings()
    total = RunReport()
    start = time.perf_counter()
    tables = list(tables)
    size = s.sync_batch_size
    with psycopg.connect(reader_url(s), autocommit=True) as listen_conn, \
            psycopg.connect(reader_url(s), autocommit=True) as pg:
        listen_conn.execute("LISTEN activity_graph_changed")
        due: set[str] = set()
        next_round = 0.0
        while not stop():
            if time.monotonic() >= next_round:
                due, next_round = set(tables), time.monotonic() + poll_s
            busy: set[str] = set()
            for table in [t for t in tables if t in due]:
                r = sync_batch(table, limit=size, partition=partition, settings=s, pg=pg,
                               create_missing=s.sync_create_missing)
                total.add(r)
                if progress and (r.rows_read or r.changes_read):
                    progress(r)
                if r.rows_read >= size or r.changes_read >= size or r.conflict:
                    busy.add(table)
            due = busy
            if not busy:
                select.select([listen_conn.fileno()], [], [], max(0.0, next_round - time.monotonic()))
                for n in listen_conn.notifies(timeout=0, stop_after=1000):
                    due.update([n.payload] if n.payload in tables else tables)
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
            # (`<cursor>~changes` is the change log's cursor beside a table cursor: not a table row here.)
            names = [n for n in cursors if (n == table or n.startswith(table + ":")) and "~" not in n] \
                or [cursor_name(table)]
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
