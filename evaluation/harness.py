"""`evaluate`: split a dataset, fit the baselines, build the graph from the training part, compare.

1. Read the dataset (`evaluation.dataset`) and hold out each user's latest items (`evaluation.split`).
2. Baselines on the training rows (`evaluation.baselines`).
3. Unless ``graph=False``: the training rows go into a scratch Postgres database made from the admin URL
   (`evaluation.load`), the sync mirrors it into the settings' Neo4j graph, the GDS jobs run and the feed's
   content aggregates are refreshed, all as of the end of the training data (`evaluation.graph_run`); then
   `graph_feed_score` ranks each sampled test user's candidates as of that user's cut-off time, and
   `graph_feed_candidates` retrieves from the whole graph. The scratch database is dropped at the end.
4. Two tables: every method on the candidate protocol (`evaluation.protocol`), and retrieval from the full
   catalogue (graph candidates, alone and re-ranked by `graph_feed_score`, beside the baselines' full-catalogue
   rankings).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import SecretStr

from evaluation.baselines import AlsParams, IntArray, TrainingMatrix, fit_baselines
from evaluation.dataset import Dataset, read_dataset
from evaluation.metrics import MetricRow
from evaluation.protocol import (
    CandidateProtocol,
    candidate_sets,
    choose_protocol,
    evaluate_lists,
    evaluate_scorer,
    rank,
    tiebreak_order,
)
from evaluation.split import Split, split_dataset
from graph.settings import Settings, get_settings

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class EvalOptions:
    """Every knob of one evaluation run (defaults: what the docs' tables used)."""

    holdout: int = 1  # items held out per test user
    users: int = 500  # test users evaluated (a seeded sample; 0 = all)
    seed: int = 42
    min_train_items: int = 1
    max_full: int = 5000  # rank the full catalogue up to this many items, else the sampled protocol
    sample_items: int = 1000
    graph_candidates: int = 50  # graph_feed_candidates limit (Recall@50 needs 50)
    neighbours: int = 100  # item-kNN neighbours per item
    als: AlsParams | None = field(default_factory=AlsParams)
    graph: bool = True  # False: baselines only (no database, no Neo4j)
    wipe_graph: bool = False
    keep_database: bool = False
    half_life_days: float | None = None  # None: the sync's setting (ACTIVITY_WEIGHT_HALF_LIFE_DAYS)
    candidate_window_days: float | None = None  # None: the feed's setting
    deadline_ms: float = 120_000.0
    # When graph_feed_score and graph_feed_candidates are asked: "end" (the end of the training data, when the
    # graph snapshot was taken; the default) or "cutoff" (each user's own cut-off: content first seen later
    # then looks "from the future", which the feed scores as perfectly fresh, so this overrates newer items).
    request_time: Literal["end", "cutoff"] = "end"


@dataclass
class EvaluationResult:
    dataset: str
    stats: dict[str, Any]
    options: dict[str, Any]
    protocol: str
    catalogue_rows: list[MetricRow]
    retrieval_rows: list[MetricRow]
    graph: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "stats": self.stats,
            "options": self.options,
            "protocol": self.protocol,
            "catalogue": [r.as_dict() for r in self.catalogue_rows],
            "retrieval": [r.as_dict() for r in self.retrieval_rows],
            "graph": self.graph,
            "seconds": self.seconds,
            "notes": self.notes,
        }


def dataset_stats(dataset: Dataset, split: Split, evaluated: int) -> dict[str, Any]:
    users, items = len(dataset.users), len(dataset.items)
    kinds: dict[str, int] = {}
    for r in dataset.interactions:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    social: dict[str, int] = {}
    for s in dataset.social:
        social[s.kind] = social.get(s.kind, 0) + 1
    return {
        "users": users,
        "items": items,
        "interactions": len(dataset.interactions),
        "interaction_kinds": kinds,
        "social": social,
        "first": dataset.start.isoformat(),
        "last": dataset.end.isoformat(),
        "train_interactions": len(split.train),
        "train_social": len(split.social),
        "test_users": len(split.test),
        "evaluated_users": evaluated,
        "holdout": split.holdout,
    }


def sample_users(test_users: list[str], n: int, seed: int) -> list[str]:
    """A seeded sample of `n` test users (all of them when n <= 0 or there are fewer), sorted."""
    if n <= 0 or n >= len(test_users):
        return list(test_users)
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(len(test_users), size=n, replace=False))
    return [test_users[int(i)] for i in picked]


def run_evaluation(
    data: Path | str | Dataset,
    options: EvalOptions = EvalOptions(),
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> EvaluationResult:
    say = progress or (lambda _msg: None)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    dataset = data if isinstance(data, Dataset) else read_dataset(data)
    split = split_dataset(dataset, options.holdout, min_train_items=options.min_train_items)
    if not split.test:
        raise ValueError(f"no user has {options.holdout + options.min_train_items} or more items: nothing to test")
    users = dataset.users
    catalogue = dataset.items
    matrix = TrainingMatrix.build(split.train, users, catalogue)
    evaluated = sample_users(split.test_users, options.users, options.seed)
    rows = [matrix.user_index[u] for u in evaluated]
    relevant: dict[int, IntArray] = {
        matrix.user_index[u]: np.asarray([matrix.item_index[i] for i in split.test[u]], dtype=np.int64)
        for u in evaluated
    }
    protocol = choose_protocol(len(catalogue), max_full=options.max_full, sample_items=options.sample_items,
                               seed=options.seed)
    candidates, pool = candidate_sets(protocol, matrix, rows, relevant)
    tiebreak = tiebreak_order(len(catalogue), options.seed)
    seconds["prepare"] = time.perf_counter() - t0
    say(f"{len(dataset.interactions)} interactions, {len(users)} users, {len(catalogue)} items; "
        f"{len(split.test)} test users, {len(evaluated)} evaluated; {protocol.describe(len(catalogue))}")

    t0 = time.perf_counter()
    baselines = fit_baselines(matrix, neighbours=options.neighbours, als=options.als)
    seconds["fit_baselines"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    catalogue_rows = [evaluate_scorer(s, rows, candidates, relevant, tiebreak, pool)[0] for s in baselines]
    if protocol.mode == "full":
        full_candidates = candidates
        retrieval_rows = list(catalogue_rows)
    else:  # the baselines again, over the full catalogue, beside the graph's candidates
        full_candidates, _ = candidate_sets(CandidateProtocol("full", 0, options.seed), matrix, rows, relevant)
        retrieval_rows = [evaluate_scorer(s, rows, full_candidates, relevant, tiebreak, len(catalogue))[0]
                          for s in baselines]
    seconds["rank_baselines"] = time.perf_counter() - t0

    result = EvaluationResult(
        dataset=dataset.name,
        stats=dataset_stats(dataset, split, len(evaluated)),
        options=_options_dict(options),
        protocol=protocol.describe(len(catalogue)),
        catalogue_rows=catalogue_rows,
        retrieval_rows=retrieval_rows,
        seconds=seconds,
    )
    if options.graph:
        _graph_part(result, dataset, split, matrix, rows, candidates, full_candidates, relevant, tiebreak, pool,
                    options, settings or get_settings(), say)
    else:
        result.notes.append("graph part skipped (--no-graph): baselines only")
    return result


def _options_dict(options: EvalOptions) -> dict[str, Any]:
    return dataclasses.asdict(options)


def _graph_part(
    result: EvaluationResult,
    dataset: Dataset,
    split: Split,
    matrix: TrainingMatrix,
    rows: list[int],
    candidates: dict[int, IntArray],
    full_candidates: dict[int, IntArray],
    relevant: dict[int, IntArray],
    tiebreak: Any,
    pool: int,
    options: EvalOptions,
    base: Settings,
    say: Progress,
) -> None:
    from activity.db import admin_url
    from evaluation import graph_run, load

    seconds = result.seconds
    user_map = load.UserMap.of(dataset.users)
    train_end = _train_end(split, dataset)
    admin = admin_url(base)
    t0 = time.perf_counter()
    db_name, url = load.create_scratch_database(admin)
    say(f"scratch database {db_name}")
    try:
        report = load.load_training(url, split.train, split.social, user_map, dataset.start)
        seconds["load_postgres"] = time.perf_counter() - t0
        say("loaded " + ", ".join(f"{n} {t}" for t, n in report.rows.items()))
        settings = base.model_copy(update={"database_url": SecretStr(url), "sync_database_url": SecretStr(url)})
        with graph_run.half_life(options.half_life_days):
            weights = graph_run.offline_weights(deadline_ms=options.deadline_ms,
                                                candidate_window_days=options.candidate_window_days)
            say(f"building the graph at {settings.neo4j_uri} (sync, GDS jobs as of {train_end.isoformat()})")
            build = graph_run.build_graph(settings, user_map, now=train_end, wipe=options.wipe_graph,
                                          weights=weights)
            seconds.update({f"graph_{k}": v for k, v in build.seconds.items()})
            say(f"synced {build.rows_applied}/{build.rows_read} rows ({build.quarantined} quarantined); "
                f"jobs: {', '.join(f'{j} {o}' for j, o in build.jobs.items())}")
            at_end = {u: train_end for u in split.cutoff}
            now = dict(split.cutoff) if options.request_time == "cutoff" else at_end
            scorer = graph_run.GraphFeedScorer(settings, weights, matrix.users, matrix.items, user_map, now)
            t0 = time.perf_counter()
            def every_100(done: int, total: int) -> None:
                if done % 100 == 0 or done == total:
                    say(f"graph_feed_score: {done}/{total} users ({time.perf_counter() - t0:.0f} s)")

            row, _ = evaluate_scorer(scorer, rows, candidates, relevant, tiebreak, pool, progress=every_100)
            result.catalogue_rows.append(row)
            seconds["graph_feed_score"] = time.perf_counter() - t0
            say(f"graph_feed_score: {scorer.calls} calls, {scorer.scored} candidates, {scorer.neutral} neutral")

            retriever = graph_run.GraphCandidates(settings, weights, matrix.users, matrix.items, user_map, now)
            t0 = time.perf_counter()
            lists = {u: retriever.retrieve(u, options.graph_candidates) for u in rows}
            seconds["graph_candidates"] = time.perf_counter() - t0
            result.retrieval_rows.insert(0, evaluate_lists("graph_candidates", lists, relevant, len(matrix.items)))
            rerank_scorer = graph_run.GraphFeedScorer(settings, weights, matrix.users, matrix.items, user_map, now)
            reranked = {u: rank(lst, rerank_scorer.score(u, lst), tiebreak) if len(lst) else lst
                        for u, lst in lists.items()}
            result.retrieval_rows.insert(
                1, evaluate_lists("graph_candidates + graph_feed_score", reranked, relevant, len(matrix.items)))
            if full_candidates is candidates:
                result.retrieval_rows.append(row)
        result.graph = {
            "database": db_name,
            "neo4j_uri": settings.neo4j_uri,
            "train_end": train_end.isoformat(),
            "half_life_days": options.half_life_days,
            "request_time": options.request_time,
            "candidate_window_days": weights.candidate_window_days,
            "rows_loaded": report.rows,
            "user_nodes": build.user_nodes,
            "sync": {"rows_read": build.rows_read, "rows_applied": build.rows_applied,
                     "quarantined": build.quarantined, "reasons": build.quarantine_reasons},
            "jobs": build.jobs,
            "content_aggregates": build.aggregates,
            "feed_score": {"calls": scorer.calls + rerank_scorer.calls,
                           "candidates": scorer.scored + rerank_scorer.scored,
                           "neutral": scorer.neutral + rerank_scorer.neutral,
                           "neutral_reasons": {**scorer.reasons, **rerank_scorer.reasons},
                           "seconds_per_call": scorer.seconds / max(scorer.calls, 1)},
            "candidates": {"calls": retriever.calls, "mean_returned": retriever.returned / max(retriever.calls, 1),
                           "users_without_any": retriever.empty,
                           "seconds_per_call": retriever.seconds / max(retriever.calls, 1)},
        }
        if scorer.neutral or rerank_scorer.neutral:
            result.notes.append(f"{scorer.neutral + rerank_scorer.neutral} candidates got the neutral score "
                                f"(reasons: {result.graph['feed_score']['neutral_reasons']}): the graph rows "
                                "understate the graph")
        failed = {j: o for j, o in build.jobs.items() if not o.startswith("succeeded")}
        if failed:
            result.notes.append(f"GDS jobs that did not succeed: {failed}")
    finally:
        if options.keep_database:
            say(f"kept scratch database {db_name}")
        else:
            load.drop_scratch_database(admin, db_name)


def _train_end(split: Split, dataset: Dataset) -> datetime:
    """The latest training time (interactions and dated social rows): the GDS jobs' reference time."""
    times = [r.timestamp for r in split.train] + [s.timestamp for s in split.social if s.timestamp is not None]
    return max(times) if times else dataset.end
