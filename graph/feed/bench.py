"""Latency of `graph_feed_score` on whatever graph is loaded (a command, not a test).

0. Serving state: the content aggregates and the viewers' snapshots are refreshed first (timed), as the beat
   schedule keeps them; `refresh=False` measures whatever is there.
1. Batched: `rounds` calls, each scoring `candidates` candidates for one viewer in one query: p50, p99, with the
   process caches (graph/feed/cache.py) warm, as a serving process has them: a warm-up pass scores the whole
   candidate pool once and each viewer once, so content rows are cached (for their time to live) and snapshots
   held. Interleaved with it, call for call so all see the same load: the same calls with the caches off, and
   with snapshots off too (the live branch).
2. Per candidate (caches off): the same scoring done one query per candidate (as the write-up's code does: a query for
   each content item), for `per_candidate_rounds` of those calls; the ratio of the two.
3. Concurrency: `concurrency` callers at once, `calls_per_caller` calls each: errors (exceptions; the function
   promises none), neutral results (deadline, pool full) and p99.

Viewers are the most active users (worst case for the viewer part); candidates are drawn at random from the
most engaged content of the feed's types (worst case for the candidate part). Wall-clock latency of the public
function, so the worker-thread hop and decoding the result are included.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from graph.feed import reader
from graph.feed.api import _now, fetch_scores, graph_feed_score
from graph.feed.cache import clear_feed_caches
from graph.feed.runner import RUNNER, run_read
from graph.feed.weights import FeedWeights, feed_weights
from graph.schema import ident
from graph.settings import Settings, get_settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Latency:
    """Milliseconds over `n` calls."""

    n: int
    p50: float
    p99: float
    mean: float
    max: float

    @classmethod
    def of(cls, samples_s: Sequence[float]) -> Latency:
        ms = sorted(x * 1000.0 for x in samples_s)
        if not ms:
            return cls(0, 0.0, 0.0, 0.0, 0.0)
        return cls(len(ms), percentile(ms, 50), percentile(ms, 99), statistics.fmean(ms), ms[-1])


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(q / 100.0 * len(sorted_values) + 0.5)))
    return float(sorted_values[rank - 1])


@dataclass
class BenchReport:
    """What `run_benchmark` measured."""

    graph: dict[str, int]
    viewers: int
    candidates: int
    deadline_ms: float
    batched: Latency  # the process caches warm (the default settings)
    batched_uncached: Latency  # the same calls with the process caches off
    batched_live: Latency  # the same calls with viewer snapshots (and caches) off: the live branch
    batched_neutral: int
    per_candidate: Latency  # one whole call (all candidates, one query each)
    per_candidate_query: Latency  # one of those queries
    ratio_p50: float  # per-candidate call p50 / batched p50
    ratio_uncached_p50: float  # per-candidate call p50 / batched p50 with the caches off
    concurrency: int
    concurrent: Latency
    concurrent_errors: int
    concurrent_neutral: int
    concurrent_default_deadline_misses: int  # calls slower than the default deadline setting
    refresh: dict[str, float] = field(default_factory=dict)  # seconds, counts and rates of the serving jobs
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _graph_size(settings: Settings) -> dict[str, int]:
    from graph.connection import get_driver

    driver = get_driver(settings)
    out: dict[str, int] = {}
    queries = {
        "users": f"MATCH (n:{ident(settings.user_label)}) RETURN count(n) AS n",
        "engaged_with": "MATCH ()-[r:ENGAGED_WITH]->() RETURN count(r) AS n",
        "similar_to": "MATCH ()-[r:SIMILAR_TO]->() RETURN count(r) AS n",
    }
    for name, q in queries.items():
        records, _, _ = driver.execute_query(q, database_=settings.neo4j_database)
        out[name] = int(records[0]["n"]) if records else 0
    return out


def pools(
    settings: Settings, weights: FeedWeights, viewers: int, content: int
) -> tuple[list[str], list[tuple[str, str]]]:
    """The most active viewers, and the most engaged content of the feed's types."""
    from graph.connection import get_driver

    labels = reader.Labels.of(settings)
    types = tuple(weights.candidate_types)
    driver = get_driver(settings)
    users = run_read(driver, settings.neo4j_database, reader.pool_query("feed/sample_viewers", labels, types),
                     {"limit": viewers}, None)
    items = run_read(driver, settings.neo4j_database, reader.pool_query("feed/sample_content", labels, types),
                     {"limit": content, "generic_types": reader.generic_types(labels, types)}, None)
    refs = [reader.node_ref(r["labels"], r["content_type"], r["content_id"], labels) for r in items]
    return [str(r["user_id"]) for r in users], [ref for ref in refs if ref is not None]


def run_benchmark(
    *,
    candidates: int = 500,
    viewers: int = 20,
    rounds: int = 50,
    per_candidate_rounds: int = 2,
    concurrency: int = 32,
    calls_per_caller: int = 10,
    now: datetime | None = None,
    seed: int = 7,
    refresh: bool = True,
    settings: Settings | None = None,
    weights: FeedWeights | None = None,
    progress: Progress | None = None,
) -> BenchReport:
    """Measure; see the module docstring. Needs a loaded graph (the deadline is lifted to measure latency)."""
    s = settings or get_settings()
    base = weights or feed_weights()
    say = progress or (lambda _msg: None)
    # measure latency, not the deadline: a generous one, and room for every concurrent caller
    w = base.model_copy(update={"deadline_ms": 60_000.0, "max_in_flight": max(base.max_in_flight, concurrency)})
    at = _now(now)
    rng = random.Random(seed)
    notes: list[str] = []

    say("reading the graph's size and the viewer and content pools")
    size = _graph_size(s)
    users, pool = pools(s, w, viewers, max(4 * candidates, 2000))
    if not users or not pool:
        raise RuntimeError("no viewers with engagements or no content of the feed's types: load a graph first")
    k = min(candidates, len(pool))
    if k < candidates:
        notes.append(f"only {len(pool)} content items of the feed's types: {k} candidates per call")

    def cands() -> list[tuple[str, str]]:
        return rng.sample(pool, k)

    timings: dict[str, float] = {}
    if refresh:
        from graph.feed.aggregates import refresh_content_aggregates
        from graph.feed.viewers import refresh_viewer_snapshots

        say("refreshing the content aggregates")
        t0 = time.perf_counter()
        timings["aggregated_items"] = refresh_content_aggregates(now=at, settings=s, weights=w)
        timings["aggregates_s"] = time.perf_counter() - t0
        say(f"refreshing the snapshots of the {len(users)} viewers")
        snap = refresh_viewer_snapshots(users, now=at, settings=s, weights=w)
        timings["snapshots"] = snap["written"]
        timings["snapshots_s"] = snap["seconds"]
        timings["snapshots_per_s"] = snap["viewers_per_s"]
    uncached_w = w.model_copy(update={"content_cache_ttl_s": 0.0, "snapshot_cache_max_viewers": 0})
    live_w = uncached_w.model_copy(update={"snapshot_max_age_s": 0.0})

    say("warming up (plans the queries)")
    graph_feed_score(users[0], cands(), now=at, settings=s, weights=uncached_w)
    graph_feed_score(users[0], cands(), now=at, settings=s, weights=live_w)
    say("warming the process caches: the candidate pool once, each viewer once")
    clear_feed_caches()
    t0 = time.perf_counter()
    for start in range(0, len(pool), k):
        graph_feed_score(users[0], pool[start:start + k], now=at, settings=s, weights=w)
    for viewer in users:
        graph_feed_score(viewer, pool[:1], now=at, settings=s, weights=w)
    timings["cache_warm_up_s"] = time.perf_counter() - t0

    say(f"batched: {rounds} calls x {k} candidates: caches warm, caches off, live; interleaved")
    batched: list[float] = []
    batched_uncached: list[float] = []
    batched_live: list[float] = []
    neutral = 0
    from_snapshot = 0
    for r in range(rounds):
        viewer, batch = users[r % len(users)], cands()
        t0 = time.perf_counter()
        result = graph_feed_score(viewer, batch, now=at, settings=s, weights=w)
        batched.append(time.perf_counter() - t0)
        neutral += sum(1 for x in result if x.reason is not None)
        from_snapshot += 1 if result and result[0].components.get("snapshot") == 1.0 else 0
        t0 = time.perf_counter()
        graph_feed_score(viewer, batch, now=at, settings=s, weights=uncached_w)
        batched_uncached.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        graph_feed_score(viewer, batch, now=at, settings=s, weights=live_w)
        batched_live.append(time.perf_counter() - t0)
    if from_snapshot < rounds:
        notes.append(f"{rounds - from_snapshot} of {rounds} batched calls had no fresh viewer snapshot (live branch)")

    say(f"per candidate: {per_candidate_rounds} calls x {k} queries (caches off)")
    driver = RUNNER.driver(s, w)
    per_call: list[float] = []
    per_query: list[float] = []
    for r in range(per_candidate_rounds):
        viewer, batch = users[r % len(users)], cands()
        t0 = time.perf_counter()
        for ref in batch:
            q0 = time.perf_counter()
            fetch_scores(driver, s, uncached_w, viewer, [ref], at, None)
            per_query.append(time.perf_counter() - q0)
        per_call.append(time.perf_counter() - t0)

    say(f"concurrency: {concurrency} callers x {calls_per_caller} calls")
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    conc_neutral = 0
    jobs = [(users[(c * calls_per_caller + i) % len(users)], cands())
            for c in range(concurrency) for i in range(calls_per_caller)]

    def caller(c: int) -> None:
        nonlocal errors, conc_neutral
        for i in range(calls_per_caller):
            viewer, batch = jobs[c * calls_per_caller + i]
            t0 = time.perf_counter()
            try:
                result = graph_feed_score(viewer, batch, now=at, settings=s, weights=w)
                bad = sum(1 for x in result if x.reason is not None)
                failed = 0
            except Exception:  # the function promises never to raise: count it
                bad, failed = 0, 1
            with lock:
                latencies.append(time.perf_counter() - t0)
                errors += failed
                conc_neutral += 1 if bad else 0

    with ThreadPoolExecutor(max_workers=concurrency) as ex:
        list(ex.map(caller, range(concurrency)))

    b, bu, pc = Latency.of(batched), Latency.of(batched_uncached), Latency.of(per_call)
    return BenchReport(
        graph=size,
        viewers=len(users),
        candidates=k,
        deadline_ms=base.deadline_ms,
        batched=b,
        batched_uncached=bu,
        batched_live=Latency.of(batched_live),
        batched_neutral=neutral,
        per_candidate=pc,
        per_candidate_query=Latency.of(per_query),
        ratio_p50=pc.p50 / b.p50 if b.p50 > 0 else 0.0,
        ratio_uncached_p50=pc.p50 / bu.p50 if bu.p50 > 0 else 0.0,
        concurrency=concurrency,
        concurrent=Latency.of(latencies),
        concurrent_errors=errors,
        concurrent_neutral=conc_neutral,
        concurrent_default_deadline_misses=sum(1 for x in latencies if x * 1000.0 > base.deadline_ms),
        refresh=timings,
        notes=notes,
    )
