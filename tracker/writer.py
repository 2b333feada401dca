"""Batch writes to Postgres: COPY for new rows, COPY-to-temp + ``INSERT ... ON CONFLICT`` for replays.

Why two paths: every row carries a ``uid`` generated (uuid4) when ``track_*`` was called, and every table
has ``UNIQUE (uid)``. A batch never sent before cannot collide, so it is streamed with plain
``COPY <table> FROM STDIN (FORMAT BINARY)`` into the table (the fast path, :meth:`PgWriter.write_rows`: the
flusher's normalized rows, see :mod:`tracker.binary`; all tables of a batch in one transaction).
A batch whose earlier attempt may have committed
(the connection died around COMMIT) or that comes back from the spool is COPY-ed into a temporary table and
moved with ``INSERT ... SELECT ... ON CONFLICT (uid) DO NOTHING``: COPY itself cannot skip conflicts, and
this way a replay adds exactly the rows that are missing. ``session_activity`` always takes the merge path
(one row per session, updated in place, see :data:`SESSION_MERGE`).

Errors: a data error (class 22/23: a user id absent from ``auth_user``, say) means the transaction did not
commit; the batch is split in halves until the offending rows are isolated, and those are returned as
:class:`~tracker.spool.Rejected`. Any other failure (connection refused or lost, server shutdown, timeout,
missing table) raises :class:`~tracker.errors.WriterUnavailable`: the caller spools the batch.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import psycopg
from psycopg import errors as pg_errors

from tracker import binary
from tracker.errors import WriterUnavailable
from tracker.normalize import Notes
from tracker.rows import line
from tracker.spool import Rejected
from tracker.tables import TABLES, Table

log = logging.getLogger(__name__)

_COPY_CHUNK_ROWS = 512


@dataclass
class WriteOutcome:
    """What one write did: rows inserted (or merged) per table, rows skipped as already present, refused rows."""

    written: dict[str, int] = field(default_factory=dict)
    already_present: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def merge(self, other: WriteOutcome) -> None:
        for table, n in other.written.items():
            self.written[table] = self.written.get(table, 0) + n
        self.already_present += other.already_present
        self.rejected.extend(other.rejected)

    @property
    def rows(self) -> int:
        return sum(self.written.values())


Rows = Mapping[str, Sequence[Sequence[object]]]


class BatchWriter(Protocol):
    """Where the flusher sends batches: Postgres directly, or Celery (``tracker.celery_tasks``).

    ``write`` takes COPY text lines (replays, the spool's format); a writer may also have
    ``write_rows(rows)`` for fresh normalized rows (binary COPY): without it the flusher formats text lines.
    """

    def write(self, batch: Mapping[str, Sequence[bytes]], *, fresh: bool) -> WriteOutcome: ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


def _temp_name(table: Table) -> str:
    return f"_activity_tracker_{table.name}"


def _insert_sql(table: Table) -> str:
    cols = table.quoted_columns
    tmp = _temp_name(table)
    return f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {tmp} ON CONFLICT (uid) DO NOTHING"


# session_activity: one row per (user, session), uid = uuid5 of both (tracker.rows). Events of a session are
# merged so that the result does not depend on their order or on how often one is replayed: start_time is
# the earliest, end_time/timestamp/updated_at the latest, counters the largest (they are absolute, not
# increments), descriptive columns come from the latest event, referrer from the first that had one;
# duration_seconds is end - start (truncated, as the platform's save()), NULL if end < start (or > int).
_SESSION_LATEST = ("ip_address", "user_agent", "metadata", "session_type", "device_info", "location_data",
                   "exit_page")


def _duration(end: str, start: str) -> str:
    """end - start in whole seconds, NULL when negative or beyond the integer column (no error, no refusal)."""
    seconds = f"extract(epoch FROM {end} - {start})"
    return f"CASE WHEN {seconds} >= 0 AND {seconds} < 2147483648 THEN trunc({seconds})::integer END"


SESSION_MERGE = f"""
INSERT INTO session_activity AS s ({TABLES["session_activity"].quoted_columns})
SELECT DISTINCT ON (uid)
       uid, min(created_at) OVER w, max(updated_at) OVER w, max("timestamp") OVER w,
       ip_address, user_agent, metadata, session_id, session_type,
       min(start_time) OVER w, max(end_time) OVER w,
       {_duration("max(end_time) OVER w", "min(start_time) OVER w")},
       max(pages_visited) OVER w, max(actions_performed) OVER w,
       device_info, location_data,
       (array_agg(referrer) FILTER (WHERE referrer IS NOT NULL) OVER w)[1],
       exit_page, user_id
  FROM {_temp_name(TABLES["session_activity"])}
WINDOW w AS (PARTITION BY uid ORDER BY "timestamp" ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
 ORDER BY uid, "timestamp" DESC
ON CONFLICT (uid) DO UPDATE SET
    {", ".join(f'{c} = CASE WHEN EXCLUDED."timestamp" >= s."timestamp" THEN EXCLUDED.{c} ELSE s.{c} END'
               for c in _SESSION_LATEST)},
    referrer = COALESCE(s.referrer, EXCLUDED.referrer),
    created_at = LEAST(s.created_at, EXCLUDED.created_at),
    updated_at = GREATEST(s.updated_at, EXCLUDED.updated_at),
    "timestamp" = GREATEST(s."timestamp", EXCLUDED."timestamp"),
    start_time = LEAST(s.start_time, EXCLUDED.start_time),
    end_time = GREATEST(s.end_time, EXCLUDED.end_time),
    duration_seconds = {_duration("GREATEST(s.end_time, EXCLUDED.end_time)",
                                  "LEAST(s.start_time, EXCLUDED.start_time)")},
    pages_visited = GREATEST(s.pages_visited, EXCLUDED.pages_visited),
    actions_performed = GREATEST(s.actions_performed, EXCLUDED.actions_performed)
"""


def _is_data_error(exc: BaseException) -> bool:
    return isinstance(exc, pg_errors.DataError | pg_errors.IntegrityError)


class PgWriter:
    """One psycopg connection, owned by the flusher thread; reconnects on the next write after a failure."""

    def __init__(self, conninfo: str, *, connect_timeout_s: int = 3, statement_timeout_s: float = 60.0) -> None:
        self._conninfo = conninfo
        self._connect_timeout = connect_timeout_s
        self._statement_timeout_ms = int(statement_timeout_s * 1000)
        self._conn: psycopg.Connection[Any] | None = None

    # --- connection ---------------------------------------------------------------------------------

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(
                self._conninfo,
                connect_timeout=self._connect_timeout,
                application_name="activity-tracker",
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
                keepalives_count=3,
            )
            binary.register(self._conn)
        return self._conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # closing a broken connection may fail again; nothing to keep
                log.debug("activity tracker: error closing the connection", exc_info=True)

    def abandon(self) -> None:
        """After fork: never touch the parent's connection (closing it would end the parent's session)."""
        if self._conn is not None:
            _ABANDONED.append(self._conn)
        self._conn = None

    def ping(self) -> None:
        try:
            self._connection().execute("SELECT 1").fetchone()
            self._connection().rollback()
        except psycopg.Error as exc:
            self.close()
            raise WriterUnavailable(str(exc)) from exc

    # --- writing ------------------------------------------------------------------------------------

    def write(self, batch: Mapping[str, Sequence[bytes]], *, fresh: bool) -> WriteOutcome:
        """Write every table's rows in one transaction; isolate refused rows if the data is at fault."""
        batch = {t: lines for t, lines in batch.items() if lines}
        if not batch:
            return WriteOutcome()
        try:
            return self._transaction(batch, fresh)
        except psycopg.Error as exc:
            if not _is_data_error(exc):
                self.close()
                raise WriterUnavailable(f"{type(exc).__name__}: {exc}") from exc
            log.warning("activity tracker: batch refused (%s); isolating the rows at fault", exc)
        outcome = WriteOutcome()
        for table, lines in batch.items():
            # The failed attempt committed nothing; retries use the conflict-safe path all the same, so a
            # duplicate uid (the one data error a fresh batch should never meet) is skipped, not refused.
            outcome.merge(self._bisect(table, list(lines)))
        return outcome

    def write_rows(self, batch: Rows) -> WriteOutcome:
        """Fresh rows (uids never sent), normalized: binary COPY, every table in one transaction. A data error
        falls back to the text path, which isolates the rows at fault."""
        batch = {t: rows for t, rows in batch.items() if rows}
        if not batch:
            return WriteOutcome()
        try:
            return self._transaction(batch, True, rows=True)
        except psycopg.Error as exc:
            if not _is_data_error(exc):
                self.close()
                raise WriterUnavailable(f"{type(exc).__name__}: {exc}") from exc
            log.warning("activity tracker: batch refused (%s); isolating the rows at fault", exc)
        notes = Notes()
        outcome = WriteOutcome()
        for table, rows in batch.items():
            outcome.merge(self._bisect(table, [line(TABLES[table], values, notes)[0] for values in rows]))
        return outcome

    def _bisect(self, table: str, lines: list[bytes]) -> WriteOutcome:
        try:
            return self._transaction({table: lines}, fresh=False)
        except psycopg.Error as exc:
            if not _is_data_error(exc):
                self.close()
                raise WriterUnavailable(f"{type(exc).__name__}: {exc}") from exc
            if len(lines) == 1:
                return WriteOutcome(rejected=[Rejected(table, lines[0], f"{type(exc).__name__}: {exc}".strip())])
        half = len(lines) // 2
        outcome = self._bisect(table, lines[:half])
        outcome.merge(self._bisect(table, lines[half:]))
        return outcome

    def _transaction(self, batch: Mapping[str, Sequence[Any]], fresh: bool, *, rows: bool = False) -> WriteOutcome:
        """One transaction over every table of the batch: ``rows`` normalized rows (binary COPY) or text lines."""
        conn = self._connection()
        outcome = WriteOutcome()
        try:
            with conn.cursor() as cur:
                cur.execute(f"SET LOCAL statement_timeout = {self._statement_timeout_ms}")
                for name, lines in batch.items():
                    table = TABLES[name]
                    if fresh and not table.upsert:
                        if rows:
                            binary.copy_rows(cur, name, table, lines)
                        else:
                            self._copy(cur, f"COPY {name} ({table.quoted_columns}) FROM STDIN", lines)
                        outcome.written[name] = len(lines)
                        continue
                    tmp = _temp_name(table)
                    # Created once per server session, emptied by every commit (and by rollback). Created in
                    # the transaction that uses it, so it also works behind a transaction-pooling proxy.
                    cur.execute(
                        f"CREATE TEMP TABLE IF NOT EXISTS {tmp} ON COMMIT DELETE ROWS AS "
                        f"SELECT {table.quoted_columns} FROM {name} WITH NO DATA"
                    )
                    if rows:
                        binary.copy_rows(cur, tmp, table, lines)
                    else:
                        self._copy(cur, f"COPY {tmp} ({table.quoted_columns}) FROM STDIN", lines)
                    cur.execute(SESSION_MERGE if table.upsert else _insert_sql(table))
                    inserted = max(cur.rowcount, 0)
                    outcome.written[name] = inserted
                    if not table.upsert:
                        outcome.already_present += len(lines) - inserted
            conn.commit()
        except BaseException:
            if not conn.closed:
                try:
                    conn.rollback()
                except psycopg.Error:
                    self.close()
            raise
        return outcome

    @staticmethod
    def _copy(cur: psycopg.Cursor[Any], statement: str, lines: Sequence[bytes]) -> None:
        with cur.copy(statement) as copy:
            for i in range(0, len(lines), _COPY_CHUNK_ROWS):
                copy.write(b"".join(lines[i : i + _COPY_CHUNK_ROWS]))


# Connections inherited through fork: kept referenced so that their finalizer never runs in the child.
_ABANDONED: list[psycopg.Connection[Any]] = []
