"""The naive writer the benchmark measures the sync against: one MERGE per source row, one transaction each.

What a straightforward port would do (a neomodel ``save()`` or one Cypher MERGE per activity row): read
the rows, map each with the same pure mapping, and write each edge contribution in its own managed
transaction, without aggregation. It writes relationship types prefixed with ``NAIVE_`` so that it can run
beside the real graph; ``drop_naive`` removes them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import neo4j
import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from activity.db import reader_url
from graph.connection import get_driver
from graph.cypher import render
from graph.schema import ident
from graph.settings import Settings, get_settings
from sync.aggregate import prop_safe, wire_time
from sync.changes import EdgeContribution, Mapped, NodeRef
from sync.mapping import MappingConfig, map_row
from sync.pipeline import ROW_TYPE_BY_TABLE
from sync.writer import GraphNames, _target_parts

PREFIX = "NAIVE_"


@dataclass(frozen=True)
class NaiveReport:
    """Rows read, relationship writes (one transaction each), and the wall time of it all."""

    rows: int
    writes: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def read_sample(conn: psycopg.Connection[Any], table: str, limit: int) -> list[dict[str, Any]]:
    """The first `limit` rows of `table` by id (the columns the sync reads)."""
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in ROW_TYPE_BY_TABLE[table].columns())
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql.SQL("SELECT {} FROM {} ORDER BY id LIMIT %s").format(cols, sql.Identifier(table)), (limit,))
        return cur.fetchall()


def _write_one(tx: neo4j.ManagedTransaction, q: str, params: dict[str, Any]) -> None:
    tx.run(q, params).consume()


def write_naive(
    table: str,
    rows: Iterable[dict[str, Any]],
    *,
    settings: Settings | None = None,
    config: MappingConfig | None = None,
) -> NaiveReport:
    """Map and write `rows` of `table` one transaction per edge contribution (vibe uid targets are skipped)."""
    s = settings or get_settings()
    cfg = config or MappingConfig.from_settings(s)
    names = GraphNames.of(cfg, create_missing=True)
    row_type = ROW_TYPE_BY_TABLE[table]
    hl = cfg.weights.half_life_seconds
    queries: dict[tuple[str, str, str], str] = {}
    n_rows = writes = 0
    started = time.perf_counter()
    with get_driver(s).session(database=s.neo4j_database) as session:
        for data in rows:
            n_rows += 1
            result = map_row(row_type(**data), cfg)
            if not isinstance(result, Mapped):
                continue
            for change in result.changes:
                if not isinstance(change, EdgeContribution) or not isinstance(change.dst, NodeRef):
                    continue
                dst = change.dst
                key = (change.rel_type, dst.label, ",".join(k for k, _ in dst.keys))
                q = queries.get(key)
                if q is None:
                    parts = _target_parts(names, dst.label, key[2])
                    parts["dst_match"] = parts["dst_match"].replace("e.dst.", "$dst.")
                    q = queries[key] = render("sync/naive_merge_edge", rel=ident(PREFIX + change.rel_type),
                                              **{k: v for k, v in parts.items() if k != "on_create_target"})
                session.execute_write(_write_one, q, {
                    "src": change.src, "dst": dst.key_map, "at": wire_time(change.at), "c": change.contribution,
                    "half_life_s": hl, "type_key": f"n_{prop_safe(change.interaction_type)}"})
                writes += 1
    return NaiveReport(n_rows, writes, time.perf_counter() - started)


def naive_sample(tables: Sequence[str], per_table: int, *, settings: Settings | None = None) -> NaiveReport:
    """Read `per_table` rows of each table and write them the naive way; the time includes the reads."""
    s = settings or get_settings()
    started = time.perf_counter()
    rows = writes = 0
    with psycopg.connect(reader_url(s), autocommit=True) as conn:
        for table in tables:
            r = write_naive(table, read_sample(conn, table, per_table), settings=s)
            rows += r.rows
            writes += r.writes
    return NaiveReport(rows, writes, time.perf_counter() - started)


def drop_naive(settings: Settings | None = None) -> None:
    """Delete the NAIVE_* relationships the naive writer made."""
    s = settings or get_settings()
    with get_driver(s).session(database=s.neo4j_database) as session:
        session.run("MATCH ()-[r]->() WHERE type(r) STARTS WITH $p CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
                    p=PREFIX).consume()
