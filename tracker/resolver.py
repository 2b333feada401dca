"""Turning a ``Users.uid`` (Neo4j, 32 hex) into the Django ``auth_user.id`` the tables need.

Why off the request path: several platform call sites pass a ``Users.uid`` where a Django id belongs (the
platform then failed its ``User.objects.get`` and lost the row). A lookup per call would put a Neo4j round
trip inside the request, so ``track_*`` only marks such rows and the flusher resolves all uids of a batch
with one query. A resolver is anything with ``resolve_many``; it returns the uids it found (missing ones
end as dead letters) and raises if the graph cannot be asked (the rows then wait, spooled if need be).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

RESOLVE_QUERY = "UNWIND $uids AS uid MATCH (u:Users {uid: uid}) RETURN u.uid AS uid, u.user_id AS user_id"


class UidResolver(Protocol):
    def resolve_many(self, uids: Sequence[str]) -> Mapping[str, int]: ...


def _as_id(value: object) -> int | None:
    try:
        out = int(str(value))
    except (TypeError, ValueError):
        return None
    return out if out > 0 else None


class CachedResolver:
    """Wraps a batch lookup with an LRU cache of found uids (a user's uid never changes its Django id)."""

    def __init__(self, lookup: Callable[[Sequence[str]], Mapping[str, object]], max_size: int = 100_000) -> None:
        self._lookup = lookup
        self._cache: OrderedDict[str, int] = OrderedDict()
        self._max = max_size
        self._lock = threading.Lock()

    def after_fork(self) -> None:
        self._lock = threading.Lock()

    def resolve_many(self, uids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        missing: list[str] = []
        with self._lock:
            for uid in dict.fromkeys(uids):
                hit = self._cache.get(uid)
                if hit is None:
                    missing.append(uid)
                else:
                    self._cache.move_to_end(uid)
                    found[uid] = hit
        if missing:
            fetched = {uid: _as_id(v) for uid, v in self._lookup(missing).items()}
            with self._lock:
                for uid, user_id in fetched.items():
                    if user_id is not None:
                        found[uid] = user_id
                        self._cache[uid] = user_id
                while len(self._cache) > self._max:
                    self._cache.popitem(last=False)
        return found


def neo4j_driver_resolver(driver: Any, database: str | None = None) -> CachedResolver:
    """A resolver over a ``neo4j.Driver`` (one UNWIND query per batch)."""

    def lookup(uids: Sequence[str]) -> dict[str, object]:
        records, _, _ = driver.execute_query(RESOLVE_QUERY, uids=list(uids), database_=database)
        return {r["uid"]: r["user_id"] for r in records}

    return CachedResolver(lookup)


def neomodel_resolver() -> CachedResolver:
    """A resolver over the platform's own neomodel connection (``neomodel.db``)."""

    def lookup(uids: Sequence[str]) -> dict[str, object]:
        from neomodel import db

        rows, _ = db.cypher_query(RESOLVE_QUERY, {"uids": list(uids)})
        return {row[0]: row[1] for row in rows}

    return CachedResolver(lookup)


def graph_settings_resolver() -> CachedResolver:
    """A resolver over this layer's own driver (``graph.connection``), for processes outside the platform."""
    from graph.connection import get_driver
    from graph.settings import get_settings

    settings = get_settings()
    return neo4j_driver_resolver(get_driver(settings), settings.neo4j_database)


class MappingResolver:
    """A fixed uid → id table (tests, or a platform that keeps its own map)."""

    def __init__(self, mapping: Mapping[str, int]) -> None:
        self._mapping = dict(mapping)

    def resolve_many(self, uids: Sequence[str]) -> dict[str, int]:
        return {u: self._mapping[u] for u in uids if u in self._mapping}
