"""The sharing engine inside a similarity job: read the weights per shared item, compute, write SIMILAR_TO.

It replaces the projection, `gds.nodeSimilarity` and the write-back only; the run's lifecycle (run record,
atomic result-set switch, clean-up of older or failed runs) stays `runs.execute`'s. The input is read with
the projection's own aggregation grouped per shared item (one record per content, not per engagement), so
the engine sees exactly the weights GDS would. No GDS graph is made, so there is no GDS memory estimate:
the engine holds the postings (about 40 bytes per engagement) and one batch of `batch_pairs` triples
(about 60 bytes each) in the worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import neo4j
import numpy as np

from algorithms.cypher_text import statement
from algorithms.runs import RunContext
from algorithms.sharing import FloatArray, Postings, SharingResult, postings_from_flat, sharing_top_k

# Triples per vectorised batch: ~250 MB of temporary arrays, a few tenths of a second each.
BATCH_PAIRS = 4_000_000


@dataclass(frozen=True)
class SharingInput:
    """A job's input query (a `cypher/algorithms` file returning `members`, `weights` per shared item)."""

    purpose: str
    query: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class SharingOutcome:
    """What the engine computed and wrote."""

    nodes_compared: int
    relationships_written: int
    pair_updates: int
    similarity_distribution: dict[str, float]


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
    starts = np.flatnonzero(np.r_[True, src[1:] != src[:-1]]) if total else np.zeros(0, dtype=np.int64)
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
        rows.append(
            {"a": keys[int(src[a])], "b": [keys[t] for t in tgt[a:b].tolist()], "s": score[a:b].tolist()}
        )
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
    """Read, compute every node's top K over the nodes sharing an item with it, write under the run id."""
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
