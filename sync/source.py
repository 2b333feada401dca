"""The Postgres end of the sync: read one batch of a table under one snapshot.

Reads run in a REPEATABLE READ, read-only transaction, so the rows and the snapshot bounds that
decide which gaps may still fill belong to the same instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from sync.changes_log import ChangeBatch, installed, read_changes
from sync.cursor import Snapshot, SyncCursor


@dataclass(frozen=True)
class Batch:
    """Rows above the cursor plus rows that filled its gaps, and the snapshot they were read under."""

    rows: list[dict[str, Any]]
    new_ids: list[int]
    gap_ids: list[int]
    snapshot: Snapshot
    max_visible_id: int  # the table's highest visible id at the snapshot (for lag)
    # Updates and deletes (sync.changes_log), when change capture is installed and asked for.
    changes: ChangeBatch | None = None
    # True when the change log filled the batch: no rows were read, the table cursor must stay put.
    rows_held_back: bool = False

    @property
    def empty(self) -> bool:
        return not self.rows


def open_snapshot(cur: psycopg.Cursor[Any]) -> Snapshot:
    """Make the transaction a read-only REPEATABLE READ snapshot (its first statement) and return its bounds:
    every read of the batch sees the same rows, and the cursor knows which transactions were still open."""
    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    cur.execute(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,"
        " pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax"
    )
    row = cur.fetchone()
    assert row is not None
    xmin, xmax = (row["xmin"], row["xmax"]) if isinstance(row, dict) else (row[0], row[1])
    return Snapshot(int(xmin), int(xmax))


def read_batch(
    conn: psycopg.Connection[Any],
    table: str,
    columns: Sequence[str],
    cursor: SyncCursor,
    limit: int,
    changes_cursor: SyncCursor | None = None,
) -> Batch:
    """One snapshot-consistent batch: the `limit` lowest ids above `last_id`, and every gap row.

    With `changes_cursor` (and the change log installed), also the logged updates and deletes above it,
    read first; if they fill `limit`, no rows are read this time (see `sync.changes_log`).
    """
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    tbl = sql.Identifier(table)
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        snapshot = open_snapshot(cur)
        changes = None
        if changes_cursor is not None and installed(cur):
            changes = read_changes(cur, table, columns, changes_cursor, limit)
            if changes.truncated:
                return Batch([], [], [], snapshot, 0, changes, rows_held_back=True)
        cur.execute(
            sql.SQL("SELECT {cols} FROM {tbl} WHERE id > %s ORDER BY id LIMIT %s").format(cols=cols, tbl=tbl),
            (cursor.last_id, limit),
        )
        rows = cur.fetchall()
        new_ids = [int(r["id"]) for r in rows]
        gap_ids: list[int] = []
        ranges = cursor.gap_ranges()
        if ranges:
            cur.execute(
                sql.SQL(
                    "SELECT {cols} FROM {tbl} t JOIN unnest(%s::bigint[], %s::bigint[]) AS g(lo, hi)"
                    " ON t.id BETWEEN g.lo AND g.hi ORDER BY t.id"
                ).format(cols=sql.SQL(", ").join(sql.SQL("t.") + sql.Identifier(c) for c in columns), tbl=tbl),
                ([lo for lo, _ in ranges], [hi for _, hi in ranges]),
            )
            gap_rows = cur.fetchall()
            gap_ids = [int(r["id"]) for r in gap_rows]
            rows = gap_rows + rows
        cur.execute(sql.SQL("SELECT coalesce(max(id), 0) AS m FROM {tbl}").format(tbl=tbl))
        top = cur.fetchone()
        assert top is not None
    return Batch(rows, new_ids, gap_ids, snapshot, int(top["m"]), changes)
