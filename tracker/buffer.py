"""The in-memory buffer between ``track_*`` calls and the flusher, and the counters both report into.

Why this shape: a request thread must only append and leave. Rows arrive already formatted as COPY text
lines (bytes), grouped per table, so the flusher's work under the GIL is a ``b"".join`` and a socket write;
the lock is held for an append and a counter bump. The flusher takes everything at once by swapping the
lists (O(1)), so a request never waits for a flush.
"""

from __future__ import annotations

import threading
from collections import Counter

Lines = dict[str, list[bytes]]
Pending = list[tuple[str, bytes]]


class Buffer:
    """Per-table lists of COPY lines plus rows whose user is still a ``Users.uid``; bounded by the caller."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: Lines = {}
        self._pending: Pending = []
        self._count = 0

    def add(self, table: str, line: bytes, pending: bool) -> int:
        """Append one row; returns how many rows are now waiting."""
        with self._lock:
            if pending:
                self._pending.append((table, line))
            else:
                rows = self._rows.get(table)
                if rows is None:
                    self._rows[table] = [line]
                else:
                    rows.append(line)
            self._count += 1
            return self._count

    def drain(self) -> tuple[Lines, Pending]:
        """Everything waiting, leaving the buffer empty."""
        with self._lock:
            rows, pending = self._rows, self._pending
            self._rows, self._pending, self._count = {}, [], 0
        return rows, pending

    def __len__(self) -> int:
        return self._count


class Stats:
    """Thread-safe counters: what came in, what the rules did, where rows went."""

    def __init__(self, max_off_list_values: int = 200) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._off_list_seen: dict[str, set[str]] = {}
        self._max_off_list = max_off_list_values

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def add_all(self, names: list[str]) -> None:
        with self._lock:
            for name in names:
                if name.startswith("off_list:"):
                    name = self._bounded_off_list(name)
                self._counts[name] += 1

    def _bounded_off_list(self, name: str) -> str:
        column, _, value = name.partition("=")
        seen = self._off_list_seen.setdefault(column, set())
        if value in seen:
            return name
        if len(seen) < self._max_off_list:
            seen.add(value)
            return name
        return f"{column}=<other>"

    def after_fork(self) -> None:
        """A lock held by another thread at fork time would stay held forever in the child."""
        self._lock = threading.Lock()

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def get(self, name: str) -> int:
        with self._lock:
            return self._counts[name]
