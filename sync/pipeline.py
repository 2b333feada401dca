"""One sync pass over one table: read a batch, map, resolve, aggregate, quarantine, write.

The same function serves backfill (large batches), `sync once` and follow mode (small batches);
only the batch size differs. Rows map with the pure functions in `sync.mapping`.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import neo4j
import psycopg
from psycopg.types.json import Jsonb

from activity.db import reader_url
from graph.connection import get_driver
from graph.cypher import render
from graph.settings import Settings, get_settings
from sync.aggregate import BatchAggregate, ResolvedConnection
from sync.bulk_fold import fold_results
from sync.bulk_source import BulkBatch, read_bulk_batch
from sync.bulk_sql import bulk_plan
from sync.changes import Change, Mapped, Quarantine, Skipped, UnknownType
from sync.changes_log import changes_cursor_name, plan
from sync.cursor import SyncCursor, advance
from sync.mapping import MappingConfig, map_row
from sync.resolve import (
    existing_django_users,
    lookups,
    missing_nodes,
    nodes_named,
    resolve_change,
    vibe_user_ids,
)
from sync.rows import ROW_TYPES, Row
from sync.source import read_batch
from sync.writer import CursorConflict, GraphNames, apply_batch

log = logging.getLogger(__name__)

# A row of the batch: (id, sign, position); sign -1 is an old version taken out again.
RowKey = tuple[int, int, int]

ROW_TYPE_BY_TABLE: dict[str, type[Row]] = {cls.TABLE: cls for cls in ROW_TYPES}
SYNC_TABLES: tuple[str, ...] = tuple(ROW_TYPE_BY_TABLE)
# The column naming the row's source user (the start of the edges it makes), which partitions split on.
SOURCE_USER_COLUMN: dict[str, str] = {table: "user_id" for table in SYNC_TABLES} | {"profile_activity": "visitor_id"}


@dataclass(frozen=True)
class Partition:
    """Rows whose user_id % count == index: one source user's edges all live in one partition."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not (self.count >= 1 and 0 <= self.index < self.count):
            raise ValueError(f"bad partition {self.index}/{self.count}")

    def owns(self, user_id: object) -> bool:
        """Whether this partition applies a row whose source user is `user_id`.

        A value that is no integer (the mapping will quarantine the row) belongs to partition 0, so that
        exactly one partition quarantines it instead of every partition skipping it.
        """
        if self.count == 1:
            return True
        if isinstance(user_id, int) and not isinstance(user_id, bool):
            return user_id % self.count == self.index
        return self.index == 0

    def suffix(self) -> str:
        return "" if self.count == 1 else f":{self.index}/{self.count}"


WHOLE = Partition(0, 1)


@dataclass
class PassReport:
    """What one batch did."""

    table: str
    cursor: str
    rows_read: int = 0
    rows_applied: int = 0
    quarantined: int = 0
    edges: int = 0
    skipped: int = 0
    changes_read: int = 0  # update/delete log entries consumed (sync.changes_log)
    retracted: int = 0  # row versions taken out of the graph again
    bulk_rows: int = 0  # rows summed by Postgres (`bulk`), not mapped one by one
    conflict: bool = False
    lag_rows: int = 0
    seconds: float = 0.0
    read_seconds: float = 0.0  # Postgres read (and the cursor loads)
    prepare_seconds: float = 0.0  # read + mapping, resolution, aggregation, quarantine
    write_seconds: float = 0.0  # the Neo4j transaction; the rest of `seconds` is mapping and aggregation
    reasons: Counter[str] = field(default_factory=Counter)


def cursor_name(table: str, partition: Partition = WHOLE) -> str:
    return table + partition.suffix()


def load_cursor(session: neo4j.Session, name: str) -> SyncCursor:
    rec = session.run(render("sync/read_cursors"), name=name).single()
    return SyncCursor.from_props(name, None if rec is None else dict(rec["props"]))


def _row(cls: type[Row], data: dict[str, Any]) -> Row:
    return cls(**data)


def _quarantine(conn: psycopg.Connection[Any], items: list[tuple[Quarantine, dict[str, Any]]]) -> None:
    """Idempotent (one row per source row): a replayed batch re-inserts nothing."""
    if not items:
        return
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO activity_graph_quarantine (source_table, source_id, reason, row_data)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (source_table, source_id) DO NOTHING",
            [(q.table, row["id"], q.reason, Jsonb(row, dumps=_dumps)) for q, row in items],
        )


def _dumps(obj: Any) -> str:
    import json
    import math

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return str(v)
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(obj), default=str)


@dataclass
class PreparedBatch:
    """A batch read, mapped and aggregated, ready for its Neo4j transaction (`commit_batch`)."""

    report: PassReport
    agg: BatchAggregate
    cursor: SyncCursor
    after: SyncCursor
    log_after: SyncCursor | None
    notes: list[dict[str, object]]
    names: GraphNames
    idle: bool
    started: float

    @property
    def cursors_after(self) -> tuple[SyncCursor, SyncCursor]:
        """The (table, change log) cursors once this batch has committed: where the next batch reads."""
        log = self.log_after or SyncCursor(changes_cursor_name(self.cursor.name))
        return self.after, log


def prepare_batch(
    table: str,
    session: neo4j.Session,
    conn: psycopg.Connection[Any],
    *,
    limit: int = 5000,
    partition: Partition = WHOLE,
    settings: Settings | None = None,
    config: MappingConfig | None = None,
    create_missing: bool = True,
    cursors: tuple[SyncCursor, SyncCursor] | None = None,
    bulk: bool = False,
) -> PreparedBatch:
    """Read the next batch of `table` under one snapshot, map, resolve, aggregate, quarantine.

    `cursors` (table cursor, change log cursor) default to the graph's; a pipelined caller passes the
    ones the previous batch will leave (`PreparedBatch.cursors_after`) to read ahead while it commits.
    With `bulk` (and `create_missing`: match-only needs the per-row node checks), the batch is the same
    but Postgres sums its plain rows (`sync.bulk_sql`); only the others go through the Python mapping.
    """
    s = settings or get_settings()
    cfg = config or MappingConfig.from_settings(s)
    row_type = ROW_TYPE_BY_TABLE[table]
    name = cursor_name(table, partition)
    report = PassReport(table, name)
    started = time.perf_counter()
    if cursors is None:
        cursor, log_cursor = load_cursor(session, name), load_cursor(session, changes_cursor_name(name))
    else:
        cursor, log_cursor = cursors
    sql_plan = bulk_plan(table, cfg) if bulk and create_missing else None
    bulk_batch: BulkBatch | None = None
    if sql_plan is not None:
        bulk_batch = read_bulk_batch(conn, sql_plan, row_type.columns(), cursor, limit,
                                     partition=(partition.index, partition.count), changes_cursor=log_cursor)
        batch = bulk_batch.batch
    else:
        batch = read_batch(conn, table, row_type.columns(), cursor, limit, changes_cursor=log_cursor)
    span = None if bulk_batch is None else bulk_batch.span
    report.read_seconds = time.perf_counter() - started
    report.rows_read = len(batch.rows) if span is None else len(batch.gap_ids) + span.count
    top = max(batch.new_ids, default=cursor.last_id) if span is None else span.top
    report.lag_rows = max(0, batch.max_visible_id - top)
    # (row, sign): the batch's new rows; then, for rows updated or deleted after they were applied,
    # the version the graph holds (-1) and the newest one (+1) (sync.changes_log).
    work: list[tuple[dict[str, Any], int]] = [(data, 1) for data in batch.rows]
    if batch.changes is not None:
        report.changes_read = len(batch.changes.entries)
        work += plan(cursor, batch.changes)

    quarantined: list[tuple[Quarantine, dict[str, Any]]] = []
    per_row: list[tuple[RowKey, Change]] = []
    note_counts: Counter[tuple[str, str, str, str]] = Counter()
    newest: float | None = None
    rows_by_key: dict[RowKey, dict[str, Any]] = {}
    q_keys: set[RowKey] = set()
    user_column = SOURCE_USER_COLUMN[table]
    for position, (data, sign) in enumerate(work):
        if not partition.owns(data.get(user_column)):
            continue
        key = (data["id"], sign, position)
        result = map_row(_row(row_type, data), cfg)
        if sign < 0:
            if isinstance(result, Mapped):  # a version that was quarantined was never applied
                rows_by_key[key] = data
                per_row.extend((key, change) for change in result.changes)
            continue
        rows_by_key[key] = data
        if isinstance(result, Quarantine):
            quarantined.append((result, data))
            q_keys.add(key)
            continue
        assert isinstance(result, Mapped)
        for note in result.notes:
            if isinstance(note, UnknownType):
                note_counts[("unknown_type", note.table, note.column, note.value)] += 1
            elif isinstance(note, Skipped):
                note_counts[("skipped", note.table, "reason", note.reason)] += 1
                report.skipped += 1
        for change in result.changes:
            per_row.append((key, change))
        ts = data.get("timestamp")
        if ts is not None:
            newest = max(newest or 0.0, ts.timestamp())

    found = lookups(session, [c for _, c in per_row], cfg)
    vibe_users = vibe_user_ids([c for _, c in per_row])
    if vibe_users:  # a text target naming no Django user is quarantined, never a new Users node
        found = replace(found, django_users=existing_django_users(conn, vibe_users))
    agg = BatchAggregate(half_life_seconds=cfg.weights.half_life_seconds)
    bad_rows: set[RowKey] = set()
    resolved: list[tuple[RowKey, Change | ResolvedConnection]] = []

    def reject(key: RowKey, reason: Quarantine) -> None:
        if key not in bad_rows:
            bad_rows.add(key)
            if key[1] > 0:  # a retraction that cannot resolve now is dropped, never quarantined
                quarantined.append((reason, rows_by_key[key]))
                q_keys.add(key)

    for key, change in per_row:
        out = resolve_change(change, table, key[0], found, cfg)
        if isinstance(out, Quarantine):
            reject(key, out)
            continue
        resolved.append((key, out))
    if not create_missing:  # match-only: a row naming an absent node is quarantined whole
        needed = {ref for _, out in resolved for ref in nodes_named(out, cfg)}
        absent = missing_nodes(session, needed)
        if absent:
            for key, out in resolved:
                gone = [r for r in nodes_named(out, cfg) if r in absent]
                if gone:
                    reject(key, Quarantine(table, key[0], f"node_missing: {gone[0].label} "
                                           f"{gone[0].key_map} is not in the graph"))
    for key, out in resolved:
        if key in bad_rows:  # a row applies whole or not at all
            continue
        if isinstance(out, ResolvedConnection):
            agg.add_connection(out, key[1])
        else:
            agg.add(out, key[1])
    report.retracted = sum(1 for key in rows_by_key if key[1] < 0 and key not in bad_rows)
    if bulk_batch is not None:  # the plain rows, summed by Postgres
        bulk_notes = fold_results(agg, bulk_batch.results, cfg, table)
        note_counts.update(bulk_notes)
        report.skipped += sum(n for (kind, *_), n in bulk_notes.items() if kind == "skipped")
        if bulk_batch.newest is not None:
            newest = max(newest or 0.0, bulk_batch.newest.timestamp())

    report.quarantined = len(quarantined)
    report.reasons.update(q.code for q, _ in quarantined)
    report.edges = len(agg.edges)
    report.rows_applied = sum(1 for key in rows_by_key if key[2] < len(batch.rows) and key not in q_keys)
    report.bulk_rows = 0 if bulk_batch is None else bulk_batch.plain_rows
    report.rows_applied += report.bulk_rows
    _quarantine(conn, quarantined)
    now = time.time()
    if batch.rows_held_back:  # the change log filled the batch: the table cursor stays put
        after = replace(cursor, version=cursor.version + 1)
    else:
        after = advance(cursor, batch.new_ids if span is None else span, batch.gap_ids, batch.snapshot, now,
                        grace_s=s.sync_gap_grace_s, newest_row_at=newest)
    log_after = None
    if batch.changes is not None:
        log_after = advance(log_cursor, batch.changes.new_seqs, batch.changes.gap_seqs, batch.snapshot, now,
                            grace_s=s.sync_gap_grace_s)
    log_idle = log_after is None or (log_after.last_id, log_after.gaps) == (log_cursor.last_id, log_cursor.gaps)
    # Nothing to move: an idle poll does not bump the version.
    idle = report.rows_read == 0 and after.gaps == cursor.gaps and log_idle
    notes: list[dict[str, object]] = [{"kind": k, "table": t, "field": f, "value": v, "count": n}
                                      for (k, t, f, v), n in note_counts.items()]
    names = GraphNames.of(cfg, create_missing=create_missing)
    report.prepare_seconds = time.perf_counter() - started
    return PreparedBatch(report, agg, cursor, after, log_after, notes, names, idle, started)


def commit_batch(prepared: PreparedBatch, session: neo4j.Session, worker: str | None = None) -> PassReport:
    """The batch's one Neo4j transaction (cursor lock and version check first); a conflict applies nothing."""
    p, report = prepared, prepared.report
    if not p.idle:
        write_started = time.perf_counter()
        try:
            session.execute_write(apply_batch, p.agg, p.cursor, p.after, p.notes, p.names,
                                  worker or f"{socket.gethostname()}:{os.getpid()}",
                                  () if p.log_after is None else (p.log_after,))
        except CursorConflict:
            # The batch is the other worker's: nothing of it counts here (its quarantine rows
            # were inserted idempotently by both and belong to the winner's report).
            report.conflict = True
            report.rows_applied = report.quarantined = report.edges = report.skipped = 0
            report.changes_read = report.retracted = report.bulk_rows = 0
            report.reasons.clear()
            log.info("cursor %s moved under us; batch left to the other worker", report.cursor)
        report.write_seconds = time.perf_counter() - write_started
    report.seconds = time.perf_counter() - p.started
    return report


def sync_batch(
    table: str,
    *,
    limit: int = 5000,
    partition: Partition = WHOLE,
    settings: Settings | None = None,
    config: MappingConfig | None = None,
    create_missing: bool = True,
    worker: str | None = None,
    pg: psycopg.Connection[Any] | None = None,
) -> PassReport:
    """Apply the next batch of `table` (for `partition`) to the graph, exactly once in effect."""
    s = settings or get_settings()
    own_pg = pg is None
    conn = pg or psycopg.connect(reader_url(s), autocommit=True)
    try:
        with get_driver(s).session(database=s.neo4j_database) as session:
            prepared = prepare_batch(table, session, conn, limit=limit, partition=partition, settings=s,
                                     config=config, create_missing=create_missing)
            return commit_batch(prepared, session, worker)
    finally:
        if own_pg:
            conn.close()
