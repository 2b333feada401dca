"""`Scorer.score` for all of a call's candidates at once, with numpy.

A call scores hundreds of candidates inside the platform's request, and scoring them one by one in Python cost
about as much as the whole database round trip. The arithmetic here is `Scorer.score`'s, operation for
operation in the same order (so the same floats, up to the last bit of `2 ** x`); what is per candidate in
Python is only reading the features and building each result's components dict.
`tests/unit/test_feed_batch_scoring.py` checks it against `Scorer.score` on random cases.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timezone

import numpy as np
import numpy.typing as npt

from graph.feed.model import CandidateFeatures, TieFeatures
from graph.feed.scoring import Positional, Scorer, connection_value

Floats = npt.NDArray[np.float64]


def _sat(x: Floats, k: float) -> Floats:
    """`scoring.sat` elementwise: x / (x + k) for x > 0 (NaN: 0), 1 for +inf."""
    positive = x > 0.0
    out = np.zeros_like(x)
    np.divide(x, x + k, out=out, where=positive)
    out[x == math.inf] = 1.0
    return out


def _clamp01(x: Floats) -> Floats:
    """`scoring.clamp01` elementwise (+inf: 0, as there)."""
    return np.where(x >= 1.0, np.where(x == math.inf, 0.0, 1.0), np.where(x > 0.0, x, 0.0))


def _mean(positional: Positional, columns: Sequence[Floats], n: int) -> Floats:
    """`Positional.__call__` over columns: the same products summed in the same order."""
    acc = np.zeros(n)
    for i, w in positional.items:
        acc = acc + w * columns[i]
    return _clamp01(acc)


def _strengths(scorer: Scorer, ties: Sequence[TieFeatures]) -> Floats:
    """`Scorer._strength_of` for each tie."""
    if not ties:
        return np.zeros(0)
    kv, ke, kb, km, kg = scorer.k_tie
    raw = np.array([(t.visit_out, t.engaged_out, t.vibe_out, float(t.mutual), t.similar, t.visit_in, t.vibe_in,
                     t.engaged_in, float(t.shared_groups), 1.0 if t.same_community else 0.0,
                     connection_value(t, scorer.weights)) for t in ties], dtype=np.float64)
    community = np.where(raw[:, 9] > 0.0, 1.0, _sat(raw[:, 8], kg))
    columns = (raw[:, 10], _sat(raw[:, 0], kv), _sat(raw[:, 1], ke), _sat(raw[:, 2], kb), _sat(raw[:, 3], km),
               _clamp01(raw[:, 4]), _sat(raw[:, 5], kv), _sat(raw[:, 6], kb), _sat(raw[:, 7], ke), community)
    return _mean(scorer.strength_total, columns, len(ties))


def score_batch(
    scorer: Scorer, features: Sequence[CandidateFeatures], extra: dict[str, float] | None = None
) -> list[tuple[float, dict[str, float]]]:
    """[(score, components)] as `scorer.score` gives for each candidate; `extra` entries end each components
    dict (the caller's, e.g. `snapshot`)."""
    n = len(features)
    if n == 0:
        return []
    with np.errstate(all="ignore"):  # inf / inf in sat() is replaced right after, as scoring.sat does
        return _score_batch(scorer, features, extra, n)


def _score_batch(
    scorer: Scorer, features: Sequence[CandidateFeatures], extra: dict[str, float] | None, n: int
) -> list[tuple[float, dict[str, float]]]:
    viewer = scorer.viewer
    personal = viewer.personal
    now = scorer.now
    hour_fit = viewer.hour_fit if personal else ()
    kind_max = viewer.kind_max
    visual = scorer.visual

    # per candidate in Python: times, kinds and ties (dict look-ups); the rest as one matrix
    ages = np.full(n, math.nan)
    hours = np.zeros(n)
    type_pref = np.zeros(n)
    media = np.zeros(n)
    tie_at = np.full(n, -1, dtype=np.int64)
    ties: list[TieFeatures] = []
    tie_slot: dict[int, int] = {}
    by_kind: dict[str, tuple[float, float]] = {}
    for j, cand in enumerate(features):
        created = cand.created_at
        if created is not None:
            ages[j] = (now - created).total_seconds()
            if hour_fit:
                hours[j] = hour_fit[created.astimezone(timezone.utc).hour]
        kind = cand.kind
        if kind is not None:
            pref_media = by_kind.get(kind)
            if pref_media is None:
                low = kind.lower()
                pref = scorer.kind_share.get(low, 0.0) / kind_max if kind_max > 0 else 0.0
                pref_media = by_kind[kind] = (pref, 1.0 if low in visual else 0.0)
            type_pref[j], media[j] = pref_media
        elif "" in visual:
            media[j] = 1.0
        tie = cand.tie
        if tie is not None:
            slot = tie_slot.get(id(tie))
            if slot is None:
                slot = tie_slot[id(tie)] = len(ties)
                ties.append(tie)
            tie_at[j] = slot
    m = np.array([(c.sample_weight, float(c.engagers), float(c.sample_n), c.sample_duration, c.sample_scroll_sum,
                   c.sample_scroll_n, c.similar_users_weight, c.community_weight, c.content_similarity,
                   1.0 if c.found else 0.0) for c in features], dtype=np.float64)
    sw, engagers, sn, duration, scroll_sum, scroll_n = (m[:, i] for i in range(6))
    has_tie = tie_at >= 0
    safe_at = np.where(has_tie, tie_at, 0)
    strength_of_tie = _strengths(scorer, ties)
    influence_of_tie = np.array([t.influence if t.influence is not None else 0.0 for t in ties], dtype=np.float64)
    creator_of_tie = np.array([1.0 if t.authored >= scorer.creator_min else 0.0 for t in ties], dtype=np.float64)
    influence = np.where(has_tie, influence_of_tie[safe_at], 0.0) if ties else np.zeros(n)

    sampled = sn > 0
    sn_safe = np.where(sampled, sn, 1.0)
    zero = np.zeros(n)
    popularity = np.where(sampled, _sat(sw * (np.maximum(engagers, sn) / sn_safe), scorer.k_popularity), 0.0)
    quality = np.where(sampled, _sat(sw / sn_safe, scorer.k_quality), 0.0)
    time_spent = np.where(sampled, _sat(duration / sn_safe, scorer.k_time), 0.0)
    scrolled = scroll_n > 0
    scroll = np.where(scrolled, _clamp01(scroll_sum / np.where(scrolled, scroll_n, 1.0) / 100.0), 0.0)
    dated = ~np.isnan(ages)
    fresh = np.where(dated, np.where(ages <= 0, 1.0, np.power(2.0, -np.where(dated, ages, 0.0) / scorer.fresh_hl_s)),
                     0.0)
    signals = (
        popularity,
        _sat(influence, scorer.k_influence),
        quality,
        time_spent,
        scroll,
        np.where(has_tie, strength_of_tie[safe_at], 0.0) if personal and ties else zero,
        _sat(m[:, 6], scorer.k_similar) if personal else zero,
        _sat(m[:, 7], scorer.k_community) if personal else zero,
        fresh,
        hours,
        type_pref if personal else zero,
        _clamp01(m[:, 8]) if personal else zero,
    )
    base, engagement, social, temporal = (_mean(sub, signals, n) for sub in scorer.subs)
    preference = _mean(scorer.preference, (type_pref, signals[11]), n)
    creator = np.where(has_tie, creator_of_tie[safe_at], 0.0) if ties else zero
    components = (base, engagement, social, temporal, preference, media, creator)
    scored = (m[:, 9] > 0) | has_tie
    total = np.where(scored, _mean(scorer.total, components, n), 0.0)

    columns = [*components[:5], *(components[i] for i in scorer.extra_slots), *signals,
               np.full(n, 1.0 if personal else 0.0), m[:, 9]]
    keys = scorer.keys
    if extra:
        keys = (*keys, *extra)
        columns += [np.full(n, v) for v in extra.values()]
    rows = np.column_stack(columns).tolist()
    return list(zip(total.tolist(), [dict(zip(keys, row, strict=True)) for row in rows], strict=True))

