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
from dataclasses import dataclass, field
from typing import Any

import neo4j
import psycopg
from psycopg.types.json import Jsonb

from activity.db import reader_url
from graph.connection import get_driver
from graph.cypher import render
from graph.settings import Settings, get_settings
from sync.aggregate import BatchAggregate, ResolvedConnection
from sync.changes import Change, Mapped, Quarantine, Skipped, UnknownType
from sync.cursor import SyncCursor, advance
from sync.mapping import MappingConfig, map_row
from sync.resolve import lookups, missing_nodes, nodes_named, resolve_change
from sync.rows import ROW_TYPES, Row
from sync.source import Batch, read_batch
from sync.writer import CursorConflict, GraphNames, apply_batch

log = logging.getLogger(__name__)

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
    conflict: bool = False
    lag_rows: int = 0
    seconds: float = 0.0
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
    cfg = config or MappingConfig.from_settings(s)
    row_type = ROW_TYPE_BY_TABLE[table]
    name = cursor_name(table, partition)
    report = PassReport(table, name)
    started = time.perf_counter()
    driver = get_driver(s)
    own_pg = pg is None
    conn = pg or psycopg.connect(reader_url(s), autocommit=True)
    try:
        with driver.session(database=s.neo4j_database) as session:
            cursor = load_cursor(session, name)
            batch: Batch = read_batch(conn, table, row_type.columns(), cursor, limit)
            report.rows_read = len(batch.rows)
            report.lag_rows = max(0, batch.max_visible_id - max(batch.new_ids, default=cursor.last_id))

            quarantined: list[tuple[Quarantine, dict[str, Any]]] = []
            per_row: list[tuple[int, Change]] = []
            note_counts: Counter[tuple[str, str, str, str]] = Counter()
            newest: float | None = None
            rows_by_id: dict[int, dict[str, Any]] = {}
            user_column = SOURCE_USER_COLUMN[table]
            for data in batch.rows:
                if not partition.owns(data.get(user_column)):
                    continue
                rows_by_id[data["id"]] = data
                result = map_row(_row(row_type, data), cfg)
                if isinstance(result, Quarantine):
                    quarantined.append((result, data))
                    continue
                assert isinstance(result, Mapped)
                for note in result.notes:
                    if isinstance(note, UnknownType):
                        note_counts[("unknown_type", note.table, note.column, note.value)] += 1
                    elif isinstance(note, Skipped):
                        note_counts[("skipped", note.table, "reason", note.reason)] += 1
                        report.skipped += 1
                for change in result.changes:
                    per_row.append((data["id"], change))
                ts = data.get("timestamp")
                if ts is not None:
                    newest = max(newest or 0.0, ts.timestamp())

            found = lookups(session, [c for _, c in per_row], cfg)
            agg = BatchAggregate(half_life_seconds=cfg.weights.half_life_seconds)
            bad_rows: set[int] = set()
            resolved: list[tuple[int, Change | ResolvedConnection]] = []
            for row_id, change in per_row:
                out = resolve_change(change, table, row_id, found, cfg)
                if isinstance(out, Quarantine):
                    if row_id not in bad_rows:
                        bad_rows.add(row_id)
                        quarantined.append((out, rows_by_id[row_id]))
                    continue
                resolved.append((row_id, out))
            if not create_missing:  # match-only: a row naming an absent node is quarantined whole
                needed = {ref for _, out in resolved for ref in nodes_named(out, cfg)}
                absent = missing_nodes(session, needed)
                if absent:
                    for row_id, out in resolved:
                        gone = [r for r in nodes_named(out, cfg) if r in absent]
                        if gone and row_id not in bad_rows:
                            bad_rows.add(row_id)
                            quarantined.append((Quarantine(table, row_id, f"node_missing: {gone[0].label} "
                                                           f"{gone[0].key_map} is not in the graph"),
                                                rows_by_id[row_id]))
            for row_id, out in resolved:
                if row_id in bad_rows:  # a row applies whole or not at all
                    continue
                if isinstance(out, ResolvedConnection):
                    agg.add_connection(out)
                else:
                    agg.add(out)

            report.quarantined = len(quarantined)
            report.reasons.update(q.code for q, _ in quarantined)
            report.edges = len(agg.edges)
            report.rows_applied = len(rows_by_id) - len(quarantined)
            _quarantine(conn, quarantined)
            after = advance(cursor, batch.new_ids, batch.gap_ids, batch.snapshot, time.time(),
                            grace_s=s.sync_gap_grace_s, newest_row_at=newest)
            if batch.empty and after.gaps == cursor.gaps:
                report.seconds = time.perf_counter() - started
                return report  # nothing to move: don't bump the version for an idle poll
            notes = [{"kind": k, "table": t, "field": f, "value": v, "count": n}
                     for (k, t, f, v), n in note_counts.items()]
            names = GraphNames.of(cfg, create_missing=create_missing)
            try:
                session.execute_write(apply_batch, agg, cursor, after, notes, names,
                                      worker or f"{socket.gethostname()}:{os.getpid()}")
            except CursorConflict:
                # The batch is the other worker's: nothing of it counts here (its quarantine rows
                # were inserted idempotently by both and belong to the winner's report).
                report.conflict = True
                report.rows_applied = report.quarantined = report.edges = report.skipped = 0
                report.reasons.clear()
                log.info("cursor %s moved under us; batch left to the other worker", name)
    finally:
        if own_pg:
            conn.close()
    report.seconds = time.perf_counter() - started
    return report
