"""Streaming binary COPY into Postgres from writer threads, so generation and loading overlap.

Why threads: the generator is CPU-bound Python, the server is CPU-bound too; psycopg releases the GIL
while libpq sends data, so a writer thread feeding the server lets the main thread keep generating.
Each worker owns one connection and one transaction; payloads are batched per table into a few MB
and each batch is one `COPY ... FROM STDIN (FORMAT BINARY)`. With more than one worker the server
ingests on several backends at once (the tables' index maintenance dominates the server's cost).

Transactions: every worker commits only when the whole dataset was sent without error (`close`);
on any error all still-open transactions roll back. With several workers the final commits are
separate, so a failure during commit itself could leave a part committed (the ground-truth tables are
written after, and only on success).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

import psycopg

from .pgbinary import HEADER, TRAILER
from .tables import TABLES

_STOP = object()


class CopyError(RuntimeError):
    """A writer failed; the message names the table and the server's error."""


class _Worker(threading.Thread):
    def __init__(
        self,
        conninfo: str,
        q: queue.Queue[Any],
        errors: list[BaseException],
        on_open: Callable[[psycopg.Connection[Any]], None] | None,
        copy_sql: list[str],
    ) -> None:
        super().__init__(daemon=True, name="activity-generator-copy")
        self.conninfo = conninfo
        self.q = q
        self.errors = errors
        self.on_open = on_open
        self.copy_sql = copy_sql
        self.conn: psycopg.Connection[Any] | None = None
        self.opened = threading.Event()

    def run(self) -> None:
        try:
            self.conn = psycopg.connect(self.conninfo, autocommit=False)
            if self.on_open is not None:
                self.on_open(self.conn)
        except BaseException as exc:  # reported to the producer, never lost
            self.errors.append(exc)
        finally:
            self.opened.set()
        while True:
            item = self.q.get()
            if item is _STOP:
                return
            if self.errors or self.conn is None:
                continue  # drain: the producer will see the error and stop
            table, data = item
            try:
                with self.conn.cursor() as cur, cur.copy(self.copy_sql[table]) as cp:
                    cp.write(HEADER)
                    cp.write(data)
                    cp.write(TRAILER)
            except BaseException as exc:
                self.errors.append(CopyError(f"COPY into {TABLES[table].name} failed: {exc}"))


class CopySink:
    """Accepts per-table row payloads, batches them, and streams them through `workers` connections."""

    def __init__(
        self,
        conninfo: str,
        *,
        workers: int = 2,
        batch_bytes: int = 4 << 20,
        on_open: Callable[[psycopg.Connection[Any]], None] | None = None,
        before_commit: Callable[[psycopg.Connection[Any]], None] | None = None,
        targets: dict[int, str] | None = None,
    ) -> None:
        """`on_open` runs in each worker's transaction before its first COPY, `before_commit` after
        its last one (the index-rebuild path uses them with a single worker: one transaction).
        `targets` sends a table's rows into another table of the same shape (a staging table)."""
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.batch_bytes = batch_bytes
        self.errors: list[BaseException] = []
        self.q: queue.Queue[Any] = queue.Queue(maxsize=2 * workers)
        copy_sql = [spec.copy_sql((targets or {}).get(t)) for t, spec in enumerate(TABLES)]
        self.workers = [_Worker(conninfo, self.q, self.errors, on_open, copy_sql) for _ in range(workers)]
        self.pending: list[list[bytes]] = [[] for _ in TABLES]
        self.pending_size = [0] * len(TABLES)
        self.closed = False
        self.before_commit = before_commit
        for w in self.workers:
            w.start()
        for w in self.workers:
            w.opened.wait()
        self._check()

    def _check(self) -> None:
        if self.errors:
            raise self.errors[0]

    def write(self, table: int, payload: bytes) -> None:
        """Queue rows (binary tuples without file header) for `table`; sends when a batch is full."""
        if not payload:
            return
        self.pending[table].append(payload)
        self.pending_size[table] += len(payload)
        if self.pending_size[table] >= self.batch_bytes:
            self._send(table)

    def _send(self, table: int) -> None:
        self._check()
        data = b"".join(self.pending[table])
        self.pending[table] = []
        self.pending_size[table] = 0
        self.q.put((table, data))

    def flush(self) -> None:
        for t in range(len(TABLES)):
            if self.pending[t]:
                self._send(t)

    def close(self, *, commit: bool) -> None:
        """Finish: send what is pending, then commit (or roll back) every worker's transaction."""
        if self.closed:
            return
        self.closed = True
        try:
            if commit:
                self.flush()
        finally:
            for _ in self.workers:
                self.q.put(_STOP)
            for w in self.workers:
                w.join()
        ok = commit and not self.errors
        try:
            if ok and self.before_commit is not None:
                for w in self.workers:
                    if w.conn is not None:
                        try:
                            self.before_commit(w.conn)
                        except BaseException as exc:
                            self.errors.append(exc)
                            ok = False
                            break
            for w in self.workers:
                if w.conn is None:
                    continue
                if ok:
                    w.conn.commit()
                else:
                    w.conn.rollback()
        finally:
            for w in self.workers:
                if w.conn is not None:
                    w.conn.close()
        self._check()
