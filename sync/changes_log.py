"""Updates and deletes reach the graph: a trigger log drained like a table, retracting what changed.

Capture (`activity/sql/change_triggers.sql`, installed by `install_change_capture`): an UPDATE (that
changes anything) or DELETE of an activity row writes the row's OLD and NEW (none for a delete) versions
to `activity_graph_change (source_table, seq, source_id, op, old_row, new_row)` in the same
transaction, `seq` from a per-table sequence.

Apply: each table's batch (`sync.pipeline.sync_batch`) reads, in the same REPEATABLE READ snapshot as
its new rows, the log entries (OLD and NEW versions) above its change cursor (`<cursor>~changes`: the
same `SyncCursor` with gaps, so a log entry committing late is not missed either) and writes both
cursors in the same Neo4j transaction. For a row the table cursor had already *covered* before this
batch (id <= last_id, not in a gap), the graph holds exactly the row's version as of the previous
batch's snapshot, and the first new log entry of that row carries that version as OLD (updates of one
row are serialized by its row lock, so their log seqs follow their commit order). So the batch

* retracts the first entry's OLD version (sign -1: the same mapping, the same change values, negated:
  `weight -= c * 2^-(last_at - t)/hl`, `count`/`n_<type>`/sums down by the row's share; an edge or
  impression whose count reaches 0 is deleted), and
* applies the NEW version of the row's last entry in the batch (sign +1), unless that was a delete.

A log entry for a row not covered yet is only consumed: the table's own read will see the row's version
of that later snapshot. For that to hold, the rows a batch reads must not already reflect log entries
the batch leaves unread: when the log read hits the batch limit, the batch reads no new rows and leaves
the table cursor where it is (the next batch goes on with the log).

What a retraction cannot restore (a sum does not remember its rows): `first_at`/`last_at` stay as they
were (a bound; a reader's `weight * 2^-(t - last_at)/hl` is still exact for t >= last_at),
`session_seconds_max` and a content node's `created_at` keep their extremes, and a connection's `state`
keeps the latest event's state (its `events` count goes down). Changing weights in the settings while
rows are still being updated retracts with the new weights: rebuild after such a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from sync.cursor import SyncCursor

CHANGE_TABLE = "activity_graph_change"

__all__ = [
    "CHANGE_TABLE",
    "ChangeBatch",
    "ChangeEntry",
    "changes_cursor_name",
    "covered",
    "install_change_capture",
    "plan",
    "prune_change_log",
    "read_changes",
]


@dataclass(frozen=True)
class ChangeEntry:
    """One logged UPDATE ('U') or DELETE ('D'): the row before, and after (None for a delete)."""

    seq: int
    op: str
    source_id: int
    old: dict[str, Any]
    new: dict[str, Any] | None


@dataclass(frozen=True)
class ChangeBatch:
    """The log entries a batch consumes, read under the batch's snapshot."""

    entries: list[ChangeEntry]
    new_seqs: list[int]
    gap_seqs: list[int]
    truncated: bool = False  # the log read hit the limit: more entries wait in this snapshot


def changes_cursor_name(cursor: str) -> str:
    """The change log's cursor beside a table (or partition) cursor."""
    return f"{cursor}~changes"


def covered(cursor: SyncCursor, row_id: int) -> bool:
    """Whether `cursor` has applied (or quarantined) the row `row_id` already."""
    return row_id <= cursor.last_id and not any(row_id in g for g in cursor.gaps)


def installed(cur: psycopg.Cursor[Any]) -> bool:
    """Whether the log table exists (the sync runs without change capture where it was not installed)."""
    cur.execute("SELECT to_regclass(%s) IS NOT NULL AS ok", (CHANGE_TABLE,))
    row = cur.fetchone()
    return bool(row and (row["ok"] if isinstance(row, dict) else row[0]))


def read_changes(
    cur: psycopg.Cursor[Any], table: str, columns: Sequence[str], log_cursor: SyncCursor, limit: int
) -> ChangeBatch:
    """Inside the batch's snapshot: log entries above `log_cursor` (at most `limit`) and in its gaps.

    `cur` must use the dict row factory. Both versions are rebuilt with the table's own row type
    (`jsonb_populate_record`), so they map exactly like rows read from the table.
    """
    tbl = sql.Identifier(table)
    cols = sql.SQL(", ").join(
        [sql.SQL("o.{} AS {}").format(sql.Identifier(c), sql.Identifier("o:" + c)) for c in columns]
        + [sql.SQL("n.{} AS {}").format(sql.Identifier(c), sql.Identifier("n:" + c)) for c in columns]
    )
    base = sql.SQL(
        "SELECT l.seq AS ag_seq, l.op AS ag_op, l.new_row IS NULL AS ag_deleted, {cols} FROM {log} l"
        " CROSS JOIN LATERAL jsonb_populate_record(NULL::{tbl}, l.old_row) o"
        " CROSS JOIN LATERAL jsonb_populate_record(NULL::{tbl}, coalesce(l.new_row, '{{}}'::jsonb)) n"
    ).format(cols=cols, log=sql.Identifier(CHANGE_TABLE), tbl=tbl)
    cur.execute(base + sql.SQL(" WHERE l.source_table = %s AND l.seq > %s ORDER BY l.seq LIMIT %s"),
                (table, log_cursor.last_id, limit))
    fresh = cur.fetchall()
    gap_rows: list[dict[str, Any]] = []
    ranges = log_cursor.gap_ranges()
    if ranges:
        cur.execute(base + sql.SQL(" JOIN unnest(%s::bigint[], %s::bigint[]) AS g(lo, hi)"
                                   " ON l.seq BETWEEN g.lo AND g.hi WHERE l.source_table = %s ORDER BY l.seq"),
                    ([lo for lo, _ in ranges], [hi for _, hi in ranges], table))
        gap_rows = cur.fetchall()
    entries = []
    for r in sorted(gap_rows + fresh, key=lambda r: int(r["ag_seq"])):
        old = {c: r["o:" + c] for c in columns}
        new = None if r["ag_deleted"] else {c: r["n:" + c] for c in columns}
        entries.append(ChangeEntry(int(r["ag_seq"]), str(r["ag_op"]), int(old["id"]), old, new))
    return ChangeBatch(
        entries,
        new_seqs=[e.seq for e in entries if e.seq > log_cursor.last_id],
        gap_seqs=[e.seq for e in entries if e.seq <= log_cursor.last_id],
        truncated=len(fresh) >= limit,
    )


def plan(cursor: SyncCursor, changes: ChangeBatch) -> list[tuple[dict[str, Any], int]]:
    """(row, sign) pairs: per covered row named in the log, its held version (-1), then its newest one (+1).

    `cursor` is the table cursor *before* this batch. The held version is the OLD of the row's first
    entry here (entries come in seq order); the newest is the NEW of its last (none after a delete).
    Pure.
    """
    first: dict[int, ChangeEntry] = {}
    last: dict[int, ChangeEntry] = {}
    for e in changes.entries:
        if covered(cursor, e.source_id):
            first.setdefault(e.source_id, e)
            last[e.source_id] = e
    out: list[tuple[dict[str, Any], int]] = []
    for row_id, e in first.items():
        out.append((e.old, -1))
        newest = last[row_id].new
        if newest is not None:
            out.append((newest, +1))
    return out


def install_change_capture(conn: psycopg.Connection[Any], reader_role: str | None = None) -> None:
    """Create the log table, sequences and triggers (admin role; idempotent)."""
    from activity.schema import sql_file

    with conn.transaction():
        conn.execute(sql_file("change_triggers.sql"))
        if reader_role:
            conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(CHANGE_TABLE),
                                                                   sql.Identifier(reader_role)))


def prune_change_log(conn: psycopg.Connection[Any], positions: dict[str, int]) -> int:
    """Delete log entries every change cursor has consumed: `positions` = table -> lowest seq still needed.

    The caller takes, per table, the minimum over its change cursors (all partitions) of the lowest gap
    `lo` or else `last_id + 1`. Admin role (the sync's reader role may only read the log).
    """
    total = 0
    for table, keep_from in positions.items():
        cur = conn.execute(sql.SQL("DELETE FROM {} WHERE source_table = %s AND seq < %s").format(
            sql.Identifier(CHANGE_TABLE)), (table, keep_from))
        total += cur.rowcount
    return total
