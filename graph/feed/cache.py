"""Per-process caches for `graph_feed_score`: what one call read that later calls may use again.

- **Content rows** (`reader.ContentRow`): a candidate's features that do not depend on the viewer (author,
  engagement aggregates or sample, author's community, influence and platform communities). Most of a call's
  server work is reading them, and a feed's candidates (recent posts) recur across viewers and pages. Kept for
  `content_cache_ttl_s` seconds (default 60): that is their staleness rule. A new engagement, a new aggregate
  or a new GDS community reaches a cached candidate's score within that time; absent candidates are never cached
  (a post synced a moment ago is looked up on the next call).
- **Viewer snapshots** (`reader.ViewerSnapshot`, undecayed): the snapshot job's arrays, which the query would
  otherwise send and the driver decode on every call. Exact, not a staleness rule: every call still asks the
  server for the viewer's snapshot, sending the `at_ms` it holds, and gets the arrays only when the server's
  snapshot is another one; a snapshot that is no longer fresh makes the server take the live branch as before.

Both are bounded LRU maps, one per (server, database, labels, query parameters) scope, safe across threads.
`clear_feed_caches()` empties them (tests, or after a bulk rewrite of the graph).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ExpiringLru(Generic[K, V]):
    """A bounded map whose entries expire `ttl_s` after they were put (monotonic clock); least recently used
    entries go first when it is full."""

    def __init__(self, max_items: int, ttl_s: float) -> None:
        self.max_items = max_items
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K, now: float | None = None) -> V | None:
        return self.get_many([key], now).get(0)

    def get_many(self, keys: Sequence[K], now: float | None = None) -> dict[int, V]:
        """{position in `keys`: value} for the keys held and not expired."""
        t = time.monotonic() if now is None else now
        out: dict[int, V] = {}
        items = self._items
        with self._lock:
            for n, key in enumerate(keys):
                entry = items.get(key)
                if entry is None:
                    continue
                if entry[0] <= t:
                    del items[key]
                    continue
                items.move_to_end(key)
                out[n] = entry[1]
        return out

    def put_many(self, pairs: Iterable[tuple[K, V]], now: float | None = None) -> None:
        if self.max_items <= 0:
            return
        expires = (time.monotonic() if now is None else now) + self.ttl_s
        items = self._items
        with self._lock:
            for key, value in pairs:
                items[key] = (expires, value)
                items.move_to_end(key)
            while len(items) > self.max_items:
                items.popitem(last=False)

    def put(self, key: K, value: V, now: float | None = None) -> None:
        self.put_many([(key, value)], now)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class FeedCaches:
    """The process's caches, one `ExpiringLru` per scope and kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._maps: dict[Hashable, ExpiringLru[object, object]] = {}

    def map(self, scope: Hashable, max_items: int, ttl_s: float) -> ExpiringLru[object, object] | None:
        """The map for `scope` (created on first use); None when caching is off (no items or no time)."""
        if max_items <= 0 or ttl_s <= 0:
            return None
        key = (scope, max_items, ttl_s)
        with self._lock:
            found = self._maps.get(key)
            if found is None:
                found = self._maps[key] = ExpiringLru(max_items, ttl_s)
            return found

    def clear(self) -> None:
        with self._lock:
            maps = list(self._maps.values())
            self._maps.clear()
        for m in maps:
            m.clear()


CACHES = FeedCaches()


def clear_feed_caches() -> None:
    """Forget every cached content row and viewer snapshot of this process."""
    CACHES.clear()
