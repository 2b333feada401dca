"""The Postgres end of a bulk batch: the same batch as `sync.source.read_batch`, with Postgres summing the plain rows.

Under one REPEATABLE READ snapshot, like `read_batch`: the change log above its cursor (if that fills the
batch, no rows are read), the `limit` lowest ids above the cursor (summarized as an `IdSpan`: count, top,
holes; the holes become the cursor's gaps as they would from the ids themselves), the rows of that id
range that are not plain (`sync.bulk_sql`) and every gap row, for the Python path, and the aggregate
queries over the plain rows of the range that the partition owns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from sync.bulk_sql import BulkPlan, BulkQuery
from sync.changes_log import installed, read_changes
from sync.cursor import IdSpan, SyncCursor
from sync.source import Batch, open_snapshot

__all__ = ["BulkBatch", "read_bulk_batch"]


@dataclass(frozen=True)
class BulkBatch:
    """`batch` holds what the Python path maps (gap rows, then the range's rows that are not plain)."""

    batch: Batch
    span: IdSpan | None  # every id read above the cursor; None when the change log held the rows back
    results: list[tuple[BulkQuery, list[tuple[Any, ...]]]]
    plain_rows: int  # plain rows of the range the partition owns: applied by the aggregates
    newest: datetime | None  # their newest `timestamp`


def _span(cur: psycopg.Cursor[Any], tbl: sql.Identifier, last_id: int, limit: int) -> IdSpan:
    cur.execute(
        sql.SQL(
            "WITH ids AS (SELECT id FROM {tbl} WHERE id > %(last)s ORDER BY id LIMIT %(limit)s),"
            " h AS (SELECT coalesce(lag(id) OVER (ORDER BY id), %(last)s) + 1 AS lo, id - 1 AS hi FROM ids)"
            " SELECT (SELECT count(*) FROM ids) AS n, (SELECT max(id) FROM ids) AS top,"
            " (SELECT coalesce(array_agg(lo ORDER BY lo), '{{}}') FROM h WHERE lo <= hi) AS los,"
            " (SELECT coalesce(array_agg(hi ORDER BY lo), '{{}}') FROM h WHERE lo <= hi) AS his"
        ).format(tbl=tbl),
        {"last": last_id, "limit": limit},
    )
    row = cur.fetchone()
    assert row is not None
    n = int(row["n"])
    return IdSpan(n, int(row["top"]) if n else last_id,
                  tuple((int(lo), int(hi)) for lo, hi in zip(row["los"], row["his"], strict=True)))


def read_bulk_batch(
    conn: psycopg.Connection[Any],
    plan: BulkPlan,
    columns: Sequence[str],
    cursor: SyncCursor,
    limit: int,
    *,
    partition: tuple[int, int] = (0, 1),
    changes_cursor: SyncCursor | None = None,
) -> BulkBatch:
    """One snapshot-consistent bulk batch of `plan.table` (`partition` = (index, count))."""
    tbl = sql.Identifier(plan.table)
    cols = sql.SQL(", ").join(sql.SQL("t.") + sql.Identifier(c) for c in columns)
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        snapshot = open_snapshot(cur)
        changes = None
        if changes_cursor is not None and installed(cur):
            changes = read_changes(cur, plan.table, columns, changes_cursor, limit)
            if changes.truncated:
                return BulkBatch(Batch([], [], [], snapshot, 0, changes, rows_held_back=True), None, [], 0, None)
        span = _span(cur, tbl, cursor.last_id, limit)
        params: dict[str, object] = {**plan.params, "lo": cursor.last_id, "hi": span.top,
                                     "pindex": partition[0], "pcount": partition[1]}
        rows: list[dict[str, Any]] = []
        results: list[tuple[BulkQuery, list[tuple[Any, ...]]]] = []
        plain_rows, newest = 0, None
        if span.count:
            cur.execute(sql.SQL("SELECT {cols} FROM {tbl} t WHERE t.id > %(lo)s AND t.id <= %(hi)s"
                                " AND ({plain}) IS NOT TRUE ORDER BY t.id").format(cols=cols, tbl=tbl,
                                                                                    plain=plan.plain), params)
            rows = cur.fetchall()
            with conn.cursor(binary=True) as tcur:
                for q in plan.queries:
                    tcur.execute(q.query, params)
                    results.append((q, tcur.fetchall()))
                tcur.execute(sql.SQL(
                    "SELECT count(*), max(t.{ts}) FROM {tbl} t WHERE t.id > %(lo)s AND t.id <= %(hi)s"
                    " AND t.{u} %% %(pcount)s = %(pindex)s AND ({plain})"
                ).format(ts=sql.Identifier("timestamp"), tbl=tbl, u=sql.Identifier(plan.user_column),
                         plain=plan.plain), params)
                top = tcur.fetchone()
                assert top is not None
                plain_rows, newest = int(top[0]), top[1]
        gap_rows: list[dict[str, Any]] = []
        ranges = cursor.gap_ranges()
        if ranges:
            cur.execute(
                sql.SQL(
                    "SELECT {cols} FROM {tbl} t JOIN unnest(%s::bigint[], %s::bigint[]) AS g(lo, hi)"
                    " ON t.id BETWEEN g.lo AND g.hi ORDER BY t.id"
                ).format(cols=cols, tbl=tbl),
                ([lo for lo, _ in ranges], [hi for _, hi in ranges]),
            )
            gap_rows = cur.fetchall()
        cur.execute(sql.SQL("SELECT coalesce(max(id), 0) AS m FROM {tbl}").format(tbl=tbl))
        m = cur.fetchone()
        assert m is not None
    batch = Batch(gap_rows + rows, [int(r["id"]) for r in rows], [int(r["id"]) for r in gap_rows], snapshot,
                  int(m["m"]), changes)
    return BulkBatch(batch, span, results, plain_rows, newest)
