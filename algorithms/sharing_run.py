"""The sharing engine inside a similarity job: read the weights per shared item, compute, write SIMILAR_TO.

It replaces the projection, `gds.nodeSimilarity` and the write-back only; the run's lifecycle (run record,
atomic result-set switch, clean-up of older or failed runs) stays `runs.execute`'s. The input is read with
the projection's own aggregation grouped per shared item (one record per content, not per engagement), so
the engine sees exactly the weights GDS would. No GDS graph is made, so the memory check is the worker's:
before reading, the input is counted (the projection's own count query) and the engine's peak (the read's
Python objects and arrays per weight and node, plus one batch of `BATCH_PAIRS` triples) is compared with the
worker's available memory times `gds_memory_headroom`; the estimate is recorded on the run like GDS's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import neo4j
import numpy as np

from algorithms.cypher_text import statement
from algorithms.projection import InsufficientMemory, MemoryEstimate
from algorithms.runs import RunContext
from algorithms.sharing import FloatArray, Postings, SharingResult, postings_from_flat, sharing_top_k

# Triples per vectorised batch: ~250 MB of temporary arrays, a few tenths of a second each.
BATCH_PAIRS = 2_000_000
# Peak bytes, measured generously: per weight read (Python int and float objects while reading, then about ten
# int64/float64 arrays), per node (its element id string and dict slot), per triple of a batch (~15 arrays).
BYTES_PER_WEIGHT = 160
BYTES_PER_NODE = 250
BYTES_PER_TRIPLE = 130


@dataclass(frozen=True)
class SharingInput:
    """A job's input query (a `cypher/algorithms` file returning `members`, `weights` per shared item)."""

    purpose: str
    query: str
    count_query: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class SharingOutcome:
    """What the engine computed and wrote."""

    nodes_compared: int
    relationships_written: int
    pair_updates: int
    similarity_distribution: dict[str, float]


class InsufficientWorkerMemory(InsufficientMemory):
    """The worker's free memory cannot hold the sharing engine's input and one batch."""

    def __init__(self, what: str, estimate: MemoryEstimate) -> None:
        self.what = what
        self.estimate = estimate
        RuntimeError.__init__(
            self,
            f"{what}: not enough free memory in the worker for the sharing engine: it estimates "
            f"{estimate.required_memory} for {estimate.node_count:,} nodes and {estimate.relationship_count:,} "
            f"weights; the worker has {estimate.available_heap_bytes / 2**20:,.1f} MiB available and a job may "
            f"plan on {estimate.headroom:.0%} of it. Free memory, or use similarity_engine 'gds'.",
        )


def available_memory_bytes() -> int | None:
    """The worker's available memory (Linux `MemAvailable`); None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def estimate_memory(nodes: int, weights: int, headroom: float, available: int | None) -> MemoryEstimate:
    """The engine's peak in the worker for `nodes` and `weights` (see the module doc); `available` None: 0."""
    low = nodes * BYTES_PER_NODE + weights * BYTES_PER_WEIGHT
    high = low + min(BATCH_PAIRS, max(weights, 1) * 64) * BYTES_PER_TRIPLE
    text = f"[{low / 2**20:,.1f} MiB ... {high / 2**20:,.1f} MiB] (sharing engine, worker)"
    return MemoryEstimate(nodes, weights, low, high, text, available or 0, headroom)


def check_memory(ctx: RunContext, spec: SharingInput) -> MemoryEstimate:
    """Count the input, estimate, record on the run; refuse (`InsufficientWorkerMemory`) if it cannot fit."""
    ctx.step(f"estimate memory ({spec.purpose}, worker)")
    records, _, _ = ctx.driver.execute_query(
        statement(spec.count_query, ctx.settings),
        dict(spec.parameters),
        database_=ctx.database,
        routing_=neo4j.RoutingControl.READ,
    )
    nodes, weights = (int(records[0]["node_count"]), int(records[0]["relationship_count"])) if records else (0, 0)
    available = available_memory_bytes()
    estimate = estimate_memory(nodes, weights, ctx.config.memory_headroom, available)
    ctx.record_estimate(estimate)
    if available is not None and not estimate.fits:  # unknown free memory (not Linux): not refused
        raise InsufficientWorkerMemory(f"{ctx.job} ({ctx.run_id})", estimate)
    return estimate


def read_postings(ctx: RunContext, spec: SharingInput) -> tuple[Postings, list[str]]:
    """The weights per shared item, members interned to 0..n-1; and the element id of each member."""
    ids: dict[str, int] = {}
    lengths: list[int] = []
    members: list[int] = []
    weights: list[float] = []
    with ctx.driver.session(database=ctx.database, default_access_mode=neo4j.READ_ACCESS) as session:
        for record in session.run(statement(spec.query, ctx.settings), dict(spec.parameters)):
            row = record["members"]
            lengths.append(len(row))
            members.extend(ids.setdefault(m, len(ids)) for m in row)
            weights.extend(record["weights"])
    return postings_from_flat(lengths, members, weights, len(ids)), list(ids)


def distribution(scores: FloatArray) -> dict[str, float]:
    """The statistics GDS reports for its similarities (`similarityDistribution`), from the kept scores."""
    if scores.size == 0:
        return {}
    qs = (1, 5, 10, 25, 50, 75, 90, 95, 99, 100)
    out = {"min": float(scores.min()), "max": float(scores.max()), "mean": float(scores.mean())}
    out["stdDev"] = float(scores.std())
    out.update({f"p{q}": float(v) for q, v in zip(qs, np.percentile(scores, qs), strict=True)})
    return out


def write_similar(ctx: RunContext, result: SharingResult, keys: list[str], source: str | None) -> int:
    """`SIMILAR_TO {score, source, run_id, computed_at}` (no `source` when None) in batches of about
    `write_batch_size` edges, one row per source node; invisible to readers until the run publishes."""
    query = statement("write_sharing_similar", ctx.settings)
    batch = max(ctx.config.write_batch_size, 1)
    total = len(result)
    src, tgt, score = result.source, result.target, result.score
    if total == 0:
        return 0
    starts = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])
    ends = np.r_[starts[1:], total].astype(np.int64)
    written = 0
    rows: list[dict[str, Any]] = []
    pending = 0

    def flush() -> None:
        nonlocal written, rows, pending
        if rows:
            _, summary, _ = ctx.driver.execute_query(
                query,
                rows=rows,
                source=source,
                run_id=ctx.run_id,
                computed_at=ctx.started_at,
                database_=ctx.database,
            )
            written += int(summary.counters.relationships_created)
            ctx.progress.fraction(ctx.job, written / total)
        rows, pending = [], 0

    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        rows.append({"a": keys[int(src[a])], "b": [keys[t] for t in tgt[a:b].tolist()], "s": score[a:b].tolist()})
        pending += b - a
        if pending >= batch:
            flush()
    flush()
    return written


def run_sharing(
    ctx: RunContext,
    spec: SharingInput,
    *,
    metric: str,
    top_k: int,
    similarity_cutoff: float,
    degree_cutoff: int,
    source: str | None,
) -> SharingOutcome:
    """Check memory, read, compute every node's top K over the nodes sharing an item with it, write under the
    run id."""
    check_memory(ctx, spec)
    ctx.step(f"read weights ({spec.purpose})")
    postings, keys = read_postings(ctx, spec)
    ctx.node_count += postings.n_members + postings.n_items
    ctx.relationship_count += int(postings.members.size)
    ctx.step(
        f"sharing similarity ({postings.n_members:,} nodes, {postings.members.size:,} weights, {metric}, top {top_k})"
    )
    result = sharing_top_k(
        postings,
        metric=metric,
        top_k=top_k,
        similarity_cutoff=similarity_cutoff,
        degree_cutoff=degree_cutoff,
        batch_pairs=BATCH_PAIRS,
        on_progress=lambda done: ctx.progress.fraction(ctx.job, done),
    )
    del postings
    ctx.step(f"write SIMILAR_TO ({source or 'content'})")
    written = write_similar(ctx, result, keys, source)
    ctx.results_written += written
    return SharingOutcome(
        nodes_compared=result.nodes_compared,
        relationships_written=written,
        pair_updates=result.pair_updates,
        similarity_distribution=distribution(result.score),
    )
