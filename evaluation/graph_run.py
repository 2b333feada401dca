"""The graph side of the evaluation: sync the scratch tables into Neo4j, run the GDS jobs, then score.

The graph is the one the settings name. It must be empty (the sync keeps its cursors in the graph, and any
other data would mix into the scores) unless ``wipe`` is given, which deletes everything in it first: never
point a wiping evaluation at a shared server.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from evaluation.baselines import FloatArray, IntArray
from evaluation.load import UserMap, item_uid, seed_user_nodes
from graph.connection import get_driver
from graph.feed.weights import FeedWeights, feed_weights
from graph.settings import Settings

log = logging.getLogger(__name__)

HALF_LIFE_ENV = "ACTIVITY_WEIGHT_HALF_LIFE_DAYS"


class GraphNotEmpty(RuntimeError):
    """The target graph holds data and wiping was not asked for."""


@contextmanager
def half_life(days: float | None) -> Iterator[None]:
    """Run the sync, the GDS jobs and the feed with this decay half-life (they all read
    ``ACTIVITY_WEIGHT_HALF_LIFE_DAYS``); None leaves the environment's value. Restored afterwards."""
    if days is None:
        yield
        return
    before = os.environ.get(HALF_LIFE_ENV)
    os.environ[HALF_LIFE_ENV] = repr(float(days))
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(HALF_LIFE_ENV, None)
        else:
            os.environ[HALF_LIFE_ENV] = before


def graph_is_empty(settings: Settings) -> bool:
    records, _, _ = get_driver(settings).execute_query(
        "MATCH (n) RETURN count(n) > 0 AS any LIMIT 1", database_=settings.neo4j_database
    )
    return not bool(records and records[0]["any"])


def wipe_graph(settings: Settings) -> None:
    """Delete every node and relationship of the settings' database (and nothing else)."""
    with get_driver(settings).session(database=settings.neo4j_database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


@dataclass
class GraphBuild:
    """What building the graph did, with timings in seconds."""

    user_nodes: int = 0
    rows_read: int = 0
    rows_applied: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    jobs: dict[str, str] = field(default_factory=dict)  # job -> outcome (and error)
    aggregates: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def build_graph(settings: Settings, users: UserMap, *, now: datetime, wipe: bool,
                weights: FeedWeights | None = None) -> GraphBuild:
    """Wipe (when asked) or check the graph is empty; schema, Users nodes, sync, GDS jobs (as of `now`),
    the feed's content aggregates (as of `now`)."""
    import algorithms
    from graph.feed.aggregates import refresh_content_aggregates
    from graph.schema import init_graph_schema
    from sync.runner import sync_until_caught_up

    out = GraphBuild()
    t0 = time.perf_counter()
    if wipe:
        wipe_graph(settings)
    elif not graph_is_empty(settings):
        raise GraphNotEmpty(
            f"the graph at {settings.neo4j_uri} (database {settings.neo4j_database}) is not empty; point NEO4J_URI "
            "at an empty database, or pass --wipe-graph to delete everything in it first"
        )
    init_graph_schema(settings)
    out.user_nodes = seed_user_nodes(settings, users)
    out.seconds["graph_setup"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sync = sync_until_caught_up(settings=settings)
    out.rows_read, out.rows_applied, out.quarantined = sync.rows_read, sync.rows_applied, sync.quarantined
    out.quarantine_reasons = dict(sync.reasons)
    out.seconds["sync"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    for outcome in algorithms.run_all({"now": now}, settings=settings):
        out.jobs[outcome.job] = outcome.outcome + (f": {outcome.error}" if outcome.error else "")
    out.seconds["gds"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    out.aggregates = refresh_content_aggregates(now=now, settings=settings, weights=weights)
    out.seconds["aggregates"] = time.perf_counter() - t0
    return out


def offline_weights(*, deadline_ms: float = 120_000.0, candidate_window_days: float | None = None,
                    max_candidates: int = 5000, base: FeedWeights | None = None) -> FeedWeights:
    """The feed settings for offline scoring: the environment's, with a deadline long enough for any call
    (online it is tens of milliseconds; offline a neutral score would only add noise), room for a whole
    candidate set in one call, and, when given, the graph candidates' look-back window."""
    update: dict[str, Any] = {"deadline_ms": deadline_ms, "log_interval_seconds": 0.0,
                              "max_candidates": max_candidates}
    if candidate_window_days is not None:
        update["candidate_window_days"] = candidate_window_days
    return (base or feed_weights()).model_copy(update=update)


@dataclass
class GraphFeedScorer:
    """`graph_feed_score` as a `Scorer`: the user at matrix row `user`, the catalogue items as posts, scored
    as of that user's cut-off time; candidates go in chunks of the feed's `max_candidates`."""

    settings: Settings
    weights: FeedWeights
    users: Sequence[str]  # matrix row -> dataset user id
    items: Sequence[str]  # catalogue index -> dataset item id
    user_map: UserMap
    now: Mapping[str, datetime]
    name: str = "graph_feed_score"
    calls: int = 0
    scored: int = 0
    neutral: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    _uids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._uids = [item_uid(i) for i in self.items]

    def score(self, user: int, items: IntArray) -> FloatArray:
        from graph import graph_feed_score

        dataset_user = self.users[user]
        viewer = self.user_map.django[dataset_user]
        at = self.now[dataset_user]
        out = np.zeros(len(items), dtype=np.float64)
        chunk = max(1, self.weights.max_candidates)
        t0 = time.perf_counter()
        for start in range(0, len(items), chunk):
            part = items[start:start + chunk]
            scores = graph_feed_score(viewer, [("post", self._uids[int(i)]) for i in part], now=at,
                                      deadline_ms=self.weights.deadline_ms, settings=self.settings,
                                      weights=self.weights)
            self.calls += 1
            for n, fs in enumerate(scores):
                out[start + n] = fs.score
                if fs.reason is not None:
                    self.neutral += 1
                    key = fs.reason.split(":")[0]
                    self.reasons[key] = self.reasons.get(key, 0) + 1
            self.scored += len(part)
        self.seconds += time.perf_counter() - t0
        return out


@dataclass
class GraphCandidates:
    """`graph_feed_candidates` for the user at matrix row `user`, mapped back to catalogue indices (best first);
    content that is not a catalogue item is dropped."""

    settings: Settings
    weights: FeedWeights
    users: Sequence[str]
    items: Sequence[str]
    user_map: UserMap
    now: Mapping[str, datetime]
    name: str = "graph_candidates"
    calls: int = 0
    returned: int = 0
    empty: int = 0
    seconds: float = 0.0
    _by_uid: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_uid = {item_uid(it): n for n, it in enumerate(self.items)}

    def retrieve(self, user: int, limit: int) -> IntArray:
        from graph import graph_feed_candidates

        dataset_user = self.users[user]
        t0 = time.perf_counter()
        refs = graph_feed_candidates(self.user_map.django[dataset_user], limit, now=self.now[dataset_user],
                                     settings=self.settings, weights=self.weights)
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        found = [self._by_uid[cid] for _, cid in refs if cid in self._by_uid]
        self.returned += len(found)
        self.empty += int(not found)
        return np.asarray(found, dtype=np.int64)
