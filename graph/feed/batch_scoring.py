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
from dataclasses import dataclass
from datetime import timezone

import numpy as np
import numpy.typing as npt

from graph.feed.model import CandidateFeatures, TieFeatures
from graph.feed.reader import EPOCH, ONE_MICROSECOND, SnapshotJoin
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


def tie_row(scorer: Scorer, t: TieFeatures) -> tuple[float, ...]:
    """A tie as a row of `Columns.ties`."""
    return (t.visit_out, t.engaged_out, t.vibe_out, float(t.mutual), t.similar, t.visit_in, t.vibe_in,
            t.engaged_in, float(t.shared_groups), 1.0 if t.same_community else 0.0,
            connection_value(t, scorer.weights), t.influence if t.influence is not None else 0.0,
            1.0 if t.authored >= scorer.creator_min else 0.0)


def _strengths(scorer: Scorer, raw: Floats) -> Floats:
    """`Scorer._strength_of` for each tie row."""
    kv, ke, kb, km, kg = scorer.k_tie
    community = np.where(raw[:, 9] > 0.0, 1.0, _sat(raw[:, 8], kg))
    columns = (raw[:, 10], _sat(raw[:, 0], kv), _sat(raw[:, 1], ke), _sat(raw[:, 2], kb), _sat(raw[:, 3], km),
               _clamp01(raw[:, 4]), _sat(raw[:, 5], kv), _sat(raw[:, 6], kb), _sat(raw[:, 7], ke), community)
    return _mean(scorer.strength_total, columns, len(raw))


@dataclass(slots=True)
class Columns:
    """One call's candidates column by column, as `score_columns` takes them."""

    m: Floats  # (n, 10): sample_weight, engagers, sample_n, duration, scroll_sum, scroll_n, similar_users_weight,
    # community_weight, content_similarity, found (1/0)
    ages: Floats  # seconds since creation; NaN: unknown
    hours: Floats  # the viewer's fit of each creation hour (0: unknown, or no fit)
    type_pref: Floats  # kind share / largest kind share (0 without a kind)
    media: Floats  # 1 for a visual kind
    tie_at: npt.NDArray[np.int64]  # row of `ties`, -1: no tie
    ties: list[tuple[float, ...]]  # one `tie_row` per distinct tie


def kind_parts(scorer: Scorer, kind: str | None) -> tuple[float, float]:
    """(type preference, media) of a kind, as `Scorer.score` works them out."""
    low = (kind or "").lower()
    pref = scorer.kind_share.get(low, 0.0) / scorer.viewer.kind_max \
        if scorer.viewer.kind_max > 0 and kind is not None else 0.0
    return pref, 1.0 if low in scorer.visual else 0.0


def gather(scorer: Scorer, features: Sequence[CandidateFeatures]) -> Columns:
    """`CandidateFeatures` as columns."""
    n = len(features)
    hour_fit = scorer.viewer.hour_fit if scorer.viewer.personal else ()
    now = scorer.now
    ages = np.full(n, math.nan)
    hours = np.zeros(n)
    type_pref = np.zeros(n)
    media = np.zeros(n)
    tie_at = np.full(n, -1, dtype=np.int64)
    ties: list[tuple[float, ...]] = []
    tie_slot: dict[int, int] = {}
    by_kind: dict[str | None, tuple[float, float]] = {}
    for j, cand in enumerate(features):
        created = cand.created_at
        if created is not None:
            ages[j] = (now - created).total_seconds()
            if hour_fit:
                hours[j] = hour_fit[created.astimezone(timezone.utc).hour]
        kind = cand.kind
        parts = by_kind.get(kind)
        if parts is None:
            parts = by_kind[kind] = kind_parts(scorer, kind)
        type_pref[j], media[j] = parts
        tie = cand.tie
        if tie is not None:
            slot = tie_slot.get(id(tie))
            if slot is None:
                slot = tie_slot[id(tie)] = len(ties)
                ties.append(tie_row(scorer, tie))
            tie_at[j] = slot
    m = np.array([(c.sample_weight, float(c.engagers), float(c.sample_n), c.sample_duration, c.sample_scroll_sum,
                   c.sample_scroll_n, c.similar_users_weight, c.community_weight, c.content_similarity,
                   1.0 if c.found else 0.0) for c in features], dtype=np.float64).reshape(n, 10)
    return Columns(m, ages, hours, type_pref, media, tie_at, ties)


US_PER_HOUR = 3_600_000_000


def gather_rows(
    scorer: Scorer, join: SnapshotJoin, candidates: Sequence[tuple[str, str]], community: int | None
) -> tuple[Columns, list[str | None]]:
    """The snapshot branch's content rows joined with the viewer's snapshot, straight into columns (what
    `reader.snapshot_features` + `gather` give, without an object per candidate), and each candidate's kind
    (None: not found); `community` is the viewer's. Times come from exact microseconds, as
    `timedelta.total_seconds` computes them."""
    n = len(candidates)
    snap, rows = join.snapshot, join.rows
    groups = join.groups
    sim, near, sim_decay = snap.sim, snap.near, snap.decay
    found: list[int] = []
    numbers: list[tuple[float, ...]] = []
    joined: list[tuple[float, float, float]] = []
    times: list[tuple[int, int, int]] = []
    tied = snap.tied
    type_pref = np.zeros(n)
    media = np.zeros(n)
    tie_at = np.full(n, -1, dtype=np.int64)
    ties: list[tuple[float, ...]] = []
    tie_slot: dict[str, int] = {}
    by_kind: dict[str | None, tuple[float, float]] = {}
    kinds: list[str | None] = [None] * n
    creator_min = scorer.creator_min
    for j, row in rows.items():
        if not 0 <= j < n:
            continue
        kind = row.kind if row.kind is not None else candidates[j][0]
        kinds[j] = kind
        parts = by_kind.get(kind)
        if parts is None:
            parts = by_kind[kind] = kind_parts(scorer, kind)
        type_pref[j], media[j] = parts
        found.append(j)
        ref = row.ref
        numbers.append(row.numbers)
        joined.append((sim.get(ref, 0.0) * sim_decay,
                       row.community_weights.get(community, 0.0) if community is not None else 0.0,
                       near.get(ref, 0.0)))
        times.append(row.times)
        author = row.author_id
        if author is not None:
            slot = tie_slot.get(author)
            if slot is None:
                slot = tie_slot[author] = len(ties)
                groups_shared = len(row.author_groups & groups) if groups and row.author_groups else 0
                same_community = community is not None and row.author_community == community
                if author in tied:  # snapshot parts too: the reader's own join (a few authors per call)
                    ties.append(tie_row(scorer, snap.tie_to(author, same_community, groups_shared,
                                                            row.author_influence, row.authored)))
                else:  # the row's live parts only (most authors)
                    influence = row.author_influence
                    ties.append((0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, float(groups_shared),
                                 1.0 if same_community else 0.0, 0.0,
                                 influence if influence is not None else 0.0,
                                 1.0 if row.authored >= creator_min else 0.0))
            tie_at[j] = slot
    vec = np.zeros((n, 10))
    at_ms = np.zeros(n, dtype=np.int64)
    created_us = np.zeros(n, dtype=np.int64)
    dated = np.zeros(n, dtype=bool)
    if found:
        index = np.array(found, dtype=np.int64)
        vec[index, :6] = np.array(numbers, dtype=np.float64)
        vec[index, 6:9] = np.array(joined, dtype=np.float64)
        vec[index, 9] = 1.0
        t = np.array(times, dtype=np.int64)
        at_ms[index], created_us[index], dated[index] = t[:, 0], t[:, 1], t[:, 2] != 0
    # the weights are as of each row's time: decayed to the request's (reader.snapshot_decay)
    if join.now_ms is not None and join.hl_ms:
        older = at_ms < join.now_ms
        decay = np.where(older, np.power(2.0, (at_ms - join.now_ms) / join.hl_ms), 1.0)
        vec[:, 0] *= decay
        vec[:, 7] *= decay
    now_us = (scorer.now - EPOCH) // ONE_MICROSECOND
    ages = np.where(dated, (now_us - created_us) / 1e6, math.nan)
    hours = np.zeros(n)
    fit = scorer.viewer.hour_fit if scorer.viewer.personal else ()
    if fit:
        hours = np.where(dated, np.asarray(fit)[(created_us // US_PER_HOUR) % 24], 0.0)
    return Columns(vec, ages, hours, type_pref, media, tie_at, ties), kinds


def score_batch(
    scorer: Scorer, features: Sequence[CandidateFeatures], extra: dict[str, float] | None = None
) -> list[tuple[float, dict[str, float]]]:
    """[(score, components)] as `scorer.score` gives for each candidate; `extra` entries end each components
    dict (the caller's, e.g. `snapshot`)."""
    if not features:
        return []
    return score_columns(scorer, gather(scorer, features), extra)


def score_columns(
    scorer: Scorer, cols: Columns, extra: dict[str, float] | None = None
) -> list[tuple[float, dict[str, float]]]:
    """`score_batch` from columns."""
    n = len(cols.ages)
    if n == 0:
        return []
    with np.errstate(all="ignore"):  # inf / inf in sat() is replaced right after, as scoring.sat does
        return _score_columns(scorer, cols, extra, n)


def _score_columns(
    scorer: Scorer, cols: Columns, extra: dict[str, float] | None, n: int
) -> list[tuple[float, dict[str, float]]]:
    personal = scorer.viewer.personal
    m, ages, hours, type_pref, media, tie_at, ties = (cols.m, cols.ages, cols.hours, cols.type_pref, cols.media,
                                                       cols.tie_at, cols.ties)
    sw, engagers, sn, duration, scroll_sum, scroll_n = (m[:, i] for i in range(6))
    has_tie = tie_at >= 0
    safe_at = np.where(has_tie, tie_at, 0)
    tie_raw = np.array(ties, dtype=np.float64).reshape(len(ties), 13)
    strength_of_tie = _strengths(scorer, tie_raw)
    influence_of_tie, creator_of_tie = tie_raw[:, 11], tie_raw[:, 12]
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

