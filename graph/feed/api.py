"""What the platform calls: `graph_feed_score`, `graph_feed_candidates`, `connection_strength(s)`.

`graph_feed_score` runs inside the platform's feed request: one query for all candidates, a deadline, and no
exception for any database trouble (neutral scores and a logged reason instead). The strength and candidate
functions are for jobs, the CLI and the feed's candidate step; they raise on database errors like any reader.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, cast

import neo4j

from graph.feed import reader, scoring
from graph.feed.batch_scoring import gather_rows, score_batch, score_columns
from graph.feed.cache import CACHES, ExpiringLru
from graph.feed.model import CandidateFeatures, FeedScore, Strength, ViewerFeatures
from graph.feed.runner import RUNNER, log, run_read
from graph.feed.weights import FeedWeights, feed_weights
from graph.settings import Settings, get_settings


def half_life_seconds(settings: Settings) -> float:
    """The half-life the sync decayed `weight` with (readers must use the same one): `Settings.half_life_days`
    once that field exists, else the sync's `ACTIVITY_WEIGHT_HALF_LIFE_DAYS` (14 days by default)."""
    days = getattr(settings, "half_life_days", None)
    if days is None:
        return _sync_half_life_seconds(os.environ.get("ACTIVITY_WEIGHT_HALF_LIFE_DAYS"))
    return float(days) * 86400.0


@lru_cache(maxsize=8)
def _sync_half_life_seconds(_env_value: str | None) -> float:
    """The sync's half-life, read once per value of its variable: reading the sync's settings parses the
    environment, a millisecond a feed request need not spend."""
    from sync.weights import Weights

    return Weights().half_life_seconds


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)


def tie_params(weights: FeedWeights, *, exact: bool = False) -> dict[str, int]:
    """The bounds strength/viewer_ties.cypher takes; `exact` (connection_strength): every direct tie."""
    return {
        "max_tie_engagements": weights.max_tie_engagements,
        "max_fans": weights.max_fans,
        "max_tied": 1 << 40 if exact else weights.max_ties,
    }


def _user_key(user_id: int | str) -> str:
    return str(user_id).strip()


# -- graph_feed_score ----------------------------------------------------------------------------------------------


def neutral_scores(
    candidates: Sequence[tuple[str, str]], reason: str, weights: FeedWeights | None = None
) -> list[FeedScore]:
    """The fallback: every candidate at the neutral score, in order, with the reason."""
    w = weights or feed_weights()
    return [
        FeedScore(str(t), str(i), w.neutral_score, {"neutral": 1.0}, reason)
        for t, i in (_pair(c) for c in candidates)
    ]


def _pair(candidate: Any) -> tuple[str, str]:
    try:
        content_type, content_id = candidate[0], candidate[1]
        return str(content_type), str(content_id)
    except (TypeError, IndexError, KeyError):
        return "", str(candidate)


def score_features(
    viewer: ViewerFeatures,
    features: Sequence[CandidateFeatures],
    candidates: Sequence[tuple[str, str]],
    now: datetime,
    weights: FeedWeights,
) -> list[FeedScore]:
    """Features -> scores (pure; the benchmark's per-candidate way uses it too)."""
    scorer = scoring.Scorer(scoring.viewer_profile(viewer, weights), now, weights)
    features = [replace(cand, kind=content_type) if cand.kind is None and cand.found else cand
                for (content_type, _), cand in zip(candidates, features, strict=True)]
    scored = score_batch(scorer, features, {"snapshot": 1.0 if viewer.from_snapshot else 0.0})
    return _feed_scores(candidates, [cand.kind if cand.found else None for cand in features], scored)


def _feed_scores(candidates: Sequence[tuple[str, str]], kinds: Sequence[str | None],
                 scored: Sequence[tuple[float, dict[str, float]]]) -> list[FeedScore]:
    return [FeedScore(content_type, content_id, score, components, kind=kind)
            for (content_type, content_id), kind, (score, components) in zip(candidates, kinds, scored, strict=True)]


def fetch_scores(
    driver: neo4j.Driver,
    settings: Settings,
    weights: FeedWeights,
    user_id: str,
    candidates: Sequence[tuple[str, str]],
    now: datetime,
    timeout_s: float | None,
) -> list[FeedScore]:
    """The one round trip and the scoring: from the snapshot branch the content rows are scored as columns,
    without a `CandidateFeatures` per candidate (`batch_scoring.gather_rows`); otherwise via the features."""
    read = _fetch(driver, settings, weights, user_id, candidates, now, timeout_s)
    if read.joined is None:
        return score_features(read.viewer, read.features, candidates, now, weights)
    scorer = scoring.Scorer(scoring.viewer_profile(read.viewer, weights), now, weights)
    columns, kinds = gather_rows(scorer, read.joined, candidates, read.viewer.community)
    return _feed_scores(candidates, kinds, score_columns(scorer, columns, {"snapshot": 1.0}))


def _fetch(
    driver: neo4j.Driver,
    settings: Settings,
    weights: FeedWeights,
    user_id: str,
    candidates: Sequence[tuple[str, str]],
    now: datetime,
    timeout_s: float | None,
) -> reader.ScoresRead:
    """The one round trip: the viewer and every candidate. Candidates whose viewer-independent row the process
    holds (graph/feed/cache.py) are not looked up again by the snapshot branch, and a snapshot the process holds
    is not sent again."""
    labels = reader.Labels.of(settings)
    hl_s = half_life_seconds(settings)
    times = reader.time_params(now, hl_s)
    snap = snapshot_params(weights, hl_s, times["now_ms"])
    where = (settings.neo4j_uri, settings.neo4j_database, labels)
    rows_cache = cast("ExpiringLru[tuple[str, str], reader.ContentRow] | None", CACHES.map(
        ("rows", *where, weights.sample_edges, times["hl_ms"]), weights.content_cache_max_items,
        weights.content_cache_ttl_s))
    snapshots = cast("ExpiringLru[str, reader.ViewerSnapshot] | None", CACHES.map(
        ("snapshots", *where, snap["snapshot_params"]), weights.snapshot_cache_max_viewers,
        weights.snapshot_max_age_s))
    keys = candidates  # as the caller gave them (graph_feed_score made them (str, str) pairs)
    cached_rows = rows_cache.get_many(keys) if rows_cache is not None else {}
    held = snapshots.get(user_id) if snapshots is not None else None
    params: dict[str, Any] = {
        "user_id": user_id,
        "result_sets": list(reader.RESULT_SETS),
        "max_similar": weights.max_similar_users,
        "max_engaged": weights.max_engaged,
        "sample_edges": weights.sample_edges,
        "have_at_ms": held.at_ms if held is not None else -1,
        **tie_params(weights),
        **times,
        **snap,
        **reader.candidate_params(candidates, labels, [i in cached_rows for i in range(len(candidates))]),
    }
    records = run_read(driver, settings.neo4j_database, reader.score_query(labels), params, timeout_s)
    read = reader.read_scores(records[0] if records else None, len(candidates), now_ms=params["now_ms"],
                              hl_ms=params["hl_ms"], cached_rows=cached_rows, held=held, features=False)
    if read.from_snapshot:
        if rows_cache is not None and read.rows:
            rows_cache.put_many((keys[i], row) for i, row in read.rows.items())
        if snapshots is not None and read.snapshot is not None:
            snapshots.put(user_id, read.snapshot)
    return read


def snapshot_fingerprint(weights: FeedWeights, half_life_s: float) -> str:
    """What a viewer snapshot was computed with: a reader uses it only under the same limits and half-life."""
    return (f"v2 sim={weights.max_similar_users} ties={weights.max_ties} engaged={weights.max_engaged} "
            f"tie_engaged={weights.max_tie_engagements} fans={weights.max_fans} fof={weights.snapshot_max_fof} "
            f"items={weights.snapshot_max_items} hl={half_life_s!r}")


def snapshot_params(weights: FeedWeights, half_life_s: float, now_ms: int) -> dict[str, Any]:
    """`$snapshot_params` and `$fresh_ms` of the feed query (max age 0: no snapshot is ever fresh)."""
    max_age_ms = int(weights.snapshot_max_age_s * 1000)
    return {
        "snapshot_params": snapshot_fingerprint(weights, half_life_s),
        "fresh_ms": now_ms - max_age_ms if max_age_ms > 0 else now_ms + 1,
    }


def graph_feed_score(
    user_id: int | str,
    candidates: Sequence[tuple[str, str]],
    *,
    now: datetime | None = None,
    deadline_ms: float | None = None,
    settings: Settings | None = None,
    weights: FeedWeights | None = None,
    driver: neo4j.Driver | None = None,
) -> list[FeedScore]:
    """Score `candidates` ((content_type, content_id) pairs, a post being ("post", its uid)) for the viewer
    `user_id` (the platform's Django user id, `Users.user_id`).

    Returns one `FeedScore` per candidate, in input order, `score` in [0, 1] with its `components`. One database
    round trip for all of them. An unknown candidate scores from what the graph knows (its author) or 0; an
    unknown viewer gets the non-personal score (popularity, engagement quality, freshness). After `deadline_ms`
    (default: setting `ACTIVITY_FEED_DEADLINE_MS`), or on any database error, every candidate gets the neutral
    score with `reason` set, and a warning is logged; no exception reaches the caller.
    """
    try:
        w = weights or feed_weights()
        s = settings or get_settings()
    except Exception as exc:  # broken settings must not break the feed either
        log.warning("graph_feed_score: neutral scores, settings unreadable: %s", exc)
        return [FeedScore(t, i, 0.5, {"neutral": 1.0}, f"settings unreadable: {exc}")
                for t, i in (_pair(c) for c in candidates)]
    try:
        pairs = [_pair(c) for c in candidates]
        if not pairs:
            return []
        at = _now(now)
        deadline_s = (w.deadline_ms if deadline_ms is None else float(deadline_ms)) / 1000.0
        if not math.isfinite(deadline_s) or deadline_s <= 0:
            return neutral_scores(pairs, "no time left (deadline <= 0)", w)
        key = _user_key(user_id)
        scored_pairs = pairs[: w.max_candidates]
        db = driver if driver is not None else RUNNER.driver(s, w)

        def work() -> list[FeedScore]:
            return fetch_scores(db, s, w, key, scored_pairs, at, deadline_s)

        outcome = RUNNER.run(work, deadline_s=deadline_s, weights=w, what="graph_feed_score")
        if outcome.value is None:
            return neutral_scores(pairs, outcome.reason or "no result", w)
        scores = outcome.value
        if len(pairs) > len(scored_pairs):
            scores += neutral_scores(pairs[len(scored_pairs):], f"beyond max_candidates ({w.max_candidates})", w)
        return scores
    except Exception as exc:  # a bug here must not take the feed down
        log.exception("graph_feed_score: neutral scores after an unexpected error")
        return neutral_scores([_pair(c) for c in candidates], f"unexpected error: {type(exc).__name__}", w)


def warm_up(
    *,
    settings: Settings | None = None,
    weights: FeedWeights | None = None,
    timeout_s: float = 120.0,
) -> bool:
    """Have the server plan the feed query outside any request: planning it takes about two seconds, so the first
    requests would otherwise get neutral scores. Neo4j keys a plan by each string parameter's size bucket (0, 1,
    then the next power of ten: reader.py), and the candidates travel in strings padded to one bucket, so what
    varies is the viewer key's length: one-digit, up to ten characters, and longer keys are planned here. Call it
    at process start (in a background thread, e.g. from an AppConfig.ready). True when the server answered;
    never raises."""
    try:
        s = settings or get_settings()
        w = weights or feed_weights()
        db = RUNNER.driver(s, w)
        for key in ("0", "00", "0" * 11):
            fetch_scores(db, s, w, key, [("post", "0" * 32)], _now(None), timeout_s)
        return True
    except Exception as exc:
        log.warning("graph feed warm-up failed: %s: %s", type(exc).__name__, exc)
        return False


# -- connection strength -------------------------------------------------------------------------------------------


def connection_strengths(
    user_id: int | str,
    others: Sequence[int | str],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    weights: FeedWeights | None = None,
    driver: neo4j.Driver | None = None,
) -> list[Strength]:
    """Connection strength from `user_id` to each of `others`, in order, in one query
    (`cypher/strength/read_strengths.cypher`). Raises on database errors."""
    s = settings or get_settings()
    w = weights or feed_weights()
    at = _now(now)
    me = _user_key(user_id)
    keys = [_user_key(o) for o in others]
    if not keys:
        return []
    params = {
        "user_id": me,
        "others": reader.unique(keys),
        "result_sets": list(reader.RESULT_SETS),
        **tie_params(w, exact=True),
        **reader.time_params(at, half_life_seconds(s)),
    }
    db = driver if driver is not None else RUNNER.driver(s, w)
    records = run_read(db, s.neo4j_database, reader.strength_query(reader.Labels.of(s)), params, None)
    by_key = {str(r["other_id"]): r for r in records}
    out = []
    for key in keys:
        rec = by_key.get(key)
        known = bool(rec and rec["viewer_known"] and rec["other_known"])
        tie = reader.read_tie(rec["tie"]) if known and rec is not None and key != me else None
        total, components = scoring.strength_components(tie, w)
        out.append(Strength(me, key, total, components, scoring.tie_raw(tie), known))
    return out


def connection_strength(
    user_id: int | str,
    other_id: int | str,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    weights: FeedWeights | None = None,
    driver: neo4j.Driver | None = None,
) -> Strength:
    """Connection strength from `user_id` to `other_id`: total in [0, 1] with every component."""
    return connection_strengths(user_id, [other_id], now=now, settings=settings, weights=weights, driver=driver)[0]


# -- graph candidates ----------------------------------------------------------------------------------------------


def graph_feed_candidates(
    user_id: int | str,
    limit: int,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    weights: FeedWeights | None = None,
    driver: neo4j.Driver | None = None,
) -> list[tuple[str, str]]:
    """Up to `limit` (content_type, content_id) the viewer has not engaged with, best first: what similar users,
    the viewer's communities and strongest ties engaged with recently, and neighbours of content the viewer
    engaged with. One query. Unknown viewer: []. Raises on database errors."""
    return [ref for ref, _, _ in scored_candidates(user_id, limit, now=now, settings=settings, weights=weights,
                                                   driver=driver)]


def scored_candidates(
    user_id: int | str,
    limit: int,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    weights: FeedWeights | None = None,
    driver: neo4j.Driver | None = None,
) -> list[tuple[tuple[str, str], float, dict[str, float]]]:
    """`graph_feed_candidates` with each candidate's combined score and per-source scores (normalised)."""
    if limit <= 0:
        return []
    s = settings or get_settings()
    w = weights or feed_weights()
    at = _now(now)
    labels = reader.Labels.of(s)
    types = tuple(w.candidate_types)
    params = {
        "user_id": _user_key(user_id),
        "result_sets": list(reader.RESULT_SETS),
        "since_ms": int((at - timedelta(days=w.candidate_window_days)).timestamp() * 1000),
        "max_similar": w.max_similar_users,
        "max_ties": w.candidate_max_ties,
        "max_engaged": w.max_engaged,
        "per_source": max(w.candidate_per_source, limit),
        "connected_tie": 1.0,
        "generic_types": reader.generic_types(labels, types),
        **reader.time_params(at, half_life_seconds(s)),
    }
    db = driver if driver is not None else RUNNER.driver(s, w)
    records = run_read(db, s.neo4j_database, reader.candidates_query(labels, types), params, None)
    return combine_sources(
        [(str(r["source"]), reader.node_ref(r["labels"], r["content_type"], r["content_id"], labels),
          float(r["w"] or 0.0)) for r in records],
        w.candidate_sources,
        limit,
    )


def combine_sources(
    rows: Sequence[tuple[str, tuple[str, str] | None, float]],
    source_weights: dict[str, float],
    limit: int,
) -> list[tuple[tuple[str, str], float, dict[str, float]]]:
    """Each source's values divided by that source's best, summed with the source weights; best first, ties by
    (content_type, content_id) so the order is stable."""
    best: dict[str, float] = {}
    for source, ref, value in rows:
        if ref is not None and value > 0:
            best[source] = max(best.get(source, 0.0), value)
    per_ref: dict[tuple[str, str], dict[str, float]] = {}
    for source, ref, value in rows:
        if ref is None or value <= 0 or best.get(source, 0.0) <= 0:
            continue
        parts = per_ref.setdefault(ref, {})
        parts[source] = max(parts.get(source, 0.0), value / best[source])
    scored = [
        (ref, sum(source_weights.get(src, 0.0) * v for src, v in parts.items()), parts)
        for ref, parts in per_ref.items()
    ]
    scored = [x for x in scored if x[1] > 0]
    scored.sort(key=lambda x: (-x[1], x[0]))
    return scored[:limit]
