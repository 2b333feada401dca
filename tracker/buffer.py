"""The in-memory buffer between ``track_*`` calls and the flusher, and the counters both report into.

Why this shape: a request thread must only append and leave. An event is one tuple (the builder, the uid,
the call's time, the raw arguments); ``collections.deque.append`` is atomic under the GIL, so the request
path takes no lock at all. The flusher takes what is there with ``popleft`` (also atomic), so an append racing
with a drain lands either in this drain or in the next one, never nowhere. Building the rows (normalization,
JSON) happens in the flusher (:mod:`tracker.build`).
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

Lines = dict[str, list[bytes]]
Pending = list[tuple[str, bytes]]


class Buffer:
    """Events waiting for the flusher; bounded by the caller (``buffer_max_rows``)."""

    def __init__(self) -> None:
        self._events: deque[Any] = deque()
        self.append = self._events.append

    def drain(self) -> list[Any]:
        """Everything waiting now, oldest first (appends made meanwhile stay for the next drain). Safe against
        another drain at the same time (the flusher and a call spilling a full buffer): each event is popped
        by exactly one of them."""
        out: list[Any] = []
        pop, keep = self._events.popleft, out.append
        try:
            for _ in range(len(self._events)):
                keep(pop())
        except IndexError:  # the other drain took the rest
            pass
        return out

    def __len__(self) -> int:
        return len(self._events)


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
