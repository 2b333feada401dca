"""Pure arithmetic: raw graph features -> connection strength and feed scores. No I/O, no clock.

Every value is in [0, 1]. Saturating raw amounts use ``sat(x, k) = x / (x + k)`` (``x = k`` gives 0.5); a
component is the weighted mean of its signals, a total the weighted mean of its components, so the weights
are relative and the result stays in [0, 1] whatever they are. docs/feed.md has every formula.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from graph.feed.model import CandidateFeatures, TieFeatures, ViewerFeatures
from graph.feed.weights import FeedWeights

CONNECTED_STATES = frozenset({"connected"})
PENDING_STATES = frozenset({"requested"})
# The platform's Connection.connection_status values (docs/platform.md, section 6).
PLATFORM_CONNECTED = frozenset({"accepted"})
PLATFORM_PENDING = frozenset({"received"})

STRENGTH_COMPONENTS: tuple[str, ...] = (
    "connection",
    "visits_out",
    "engaged_out",
    "vibes_out",
    "mutual",
    "similar",
    "visits_in",
    "vibes_in",
    "engaged_in",
    "community",
)


def sat(x: float, k: float) -> float:
    """x / (x + k) for x > 0, else 0: a raw amount in [0, inf) as a share in [0, 1)."""
    if not x > 0.0:  # also NaN
        return 0.0
    if x == math.inf:
        return 1.0
    return x / (x + k)


def clamp01(x: float) -> float:
    if x >= 1.0:
        return 1.0 if x != math.inf else 0.0
    if x > 0.0:
        return x
    return 0.0  # also NaN and -inf


def weighted_mean(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """sum(w * v) / sum(w) over the keys of `weights` (0 when they sum to 0)."""
    return Mean(weights)(values)


class Mean:
    """`weighted_mean` with its weights fixed: their items and total taken once (the scorer calls it a few times
    per candidate)."""

    __slots__ = ("items", "total")

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.items = tuple(weights.items())
        self.total = sum(w for _, w in self.items)

    def __call__(self, values: Mapping[str, float]) -> float:
        if self.total <= 0.0:
            return 0.0
        acc = 0.0
        get = values.get
        for key, w in self.items:
            acc += w * get(key, 0.0)
        return clamp01(acc / self.total)


# -- connection strength -----------------------------------------------------------------------------------------


def connection_value(tie: TieFeatures, weights: FeedWeights) -> float:
    """1 for a connection (CONNECTED connected, or an Accepted platform Connection), `requested_value` for a
    pending one, else 0."""
    return connection_of(tie.connected_states, tie.platform_statuses, weights)


def connection_of(connected_states: Sequence[str], platform_statuses: Sequence[str], weights: FeedWeights) -> float:
    """`connection_value` from the states themselves."""
    if not connected_states and not platform_statuses:
        return 0.0
    states = {s.lower() for s in connected_states}
    statuses = {s.lower() for s in platform_statuses}
    if states & CONNECTED_STATES or statuses & PLATFORM_CONNECTED:
        return 1.0
    if states & PENDING_STATES or statuses & PLATFORM_PENDING:
        return weights.requested_value
    return 0.0


def strength_components(
    tie: TieFeatures | None, weights: FeedWeights, mean: Mean | None = None
) -> tuple[float, dict[str, float]]:
    """(total, components) of the tie from A to B; an absent tie is (0, all zeros). `mean`: the strength weights
    as a `Mean`, when the caller scores many ties."""
    if tie is None:
        return 0.0, dict.fromkeys(STRENGTH_COMPONENTS, 0.0)
    k = weights.strength_scales
    components = {
        "connection": connection_value(tie, weights),
        "visits_out": sat(tie.visit_out, k["visits"]),
        "engaged_out": sat(tie.engaged_out, k["engaged"]),
        "vibes_out": sat(tie.vibe_out, k["vibes"]),
        "mutual": sat(float(tie.mutual), k["mutual"]),
        "similar": clamp01(tie.similar),
        "visits_in": sat(tie.visit_in, k["visits"]),
        "vibes_in": sat(tie.vibe_in, k["vibes"]),
        "engaged_in": sat(tie.engaged_in, k["engaged"]),
        "community": max(1.0 if tie.same_community else 0.0, sat(float(tie.shared_groups), k["groups"])),
    }
    return (mean or Mean(weights.strength))(components), components


def tie_raw(tie: TieFeatures | None) -> dict[str, float]:
    """The raw values behind the components (for display)."""
    if tie is None:
        return {}
    return {
        "visit_out": tie.visit_out,
        "visit_in": tie.visit_in,
        "vibe_out": tie.vibe_out,
        "vibe_in": tie.vibe_in,
        "engaged_out": tie.engaged_out,
        "engaged_in": tie.engaged_in,
        "similar": tie.similar,
        "mutual": float(tie.mutual),
        "same_community": 1.0 if tie.same_community else 0.0,
        "shared_groups": float(tie.shared_groups),
        "connected": 1.0 if (
            {s.lower() for s in tie.connected_states} & CONNECTED_STATES
            or {s.lower() for s in tie.platform_statuses} & PLATFORM_CONNECTED
        ) else 0.0,
    }


# -- the viewer --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewerProfile:
    """What the viewer's features imply for every candidate of one call."""

    personal: bool
    highly_social: bool
    visual_lover: bool
    creator: bool
    visual_share: float
    kind_shares: dict[str, float]  # share of recent engagement weight per kind (sums to 1, or empty)
    kind_max: float  # the largest share (type preference = share / kind_max)
    hour_fit: tuple[float, ...]  # per hour of day (UTC), smoothed activity / its maximum; empty if unknown


def viewer_profile(viewer: ViewerFeatures, weights: FeedWeights) -> ViewerProfile:
    total = sum(w for w in viewer.kind_weights.values() if w > 0)
    shares = {k: w / total for k, w in viewer.kind_weights.items() if w > 0} if total > 0 else {}
    visual = {k.lower() for k in weights.visual_kinds}
    visual_share = sum(s for k, s in shares.items() if k.lower() in visual)
    hours = viewer.active_hours
    fit: tuple[float, ...] = ()
    if len(hours) == 24 and sum(hours) > 0:
        smooth = [hours[(h - 1) % 24] + hours[h] + hours[(h + 1) % 24] for h in range(24)]
        peak = max(smooth)
        fit = tuple(s / peak for s in smooth) if peak > 0 else ()
    return ViewerProfile(
        personal=viewer.known,
        highly_social=viewer.known and (
            viewer.connections >= weights.social_min_connections
            or viewer.tie_weight_out >= weights.social_min_tie_weight
        ),
        visual_lover=viewer.known and bool(shares) and visual_share >= weights.visual_min_share,
        creator=viewer.known and viewer.authored >= weights.creator_min_items,
        visual_share=visual_share,
        kind_shares=shares,
        kind_max=max(shares.values()) if shares else 0.0,
        hour_fit=fit,
    )


def component_weights(profile: ViewerProfile, weights: FeedWeights) -> dict[str, float]:
    """The component weights in force for this viewer (write-up 4.4 adjustments on 6.2's weights).

    Unknown viewer: only the non-personal components (base, engagement, temporal).
    """
    w = dict(weights.components)
    if not profile.personal:
        return {k: v for k, v in w.items() if k in ("base", "engagement", "temporal")}
    if profile.highly_social:
        w["social"] = w.get("social", 0.0) + weights.social_boost
    if profile.visual_lover and weights.media_boost > 0:
        w["media"] = weights.media_boost
    if profile.creator and weights.creator_boost > 0:
        w["creator"] = weights.creator_boost
    return w


# -- one candidate -----------------------------------------------------------------------------------------------


def freshness(created_at: datetime | None, now: datetime, half_life_hours: float) -> float:
    """2^(-age / half-life); 1 for content dated in the future, 0 when the time is unknown."""
    if created_at is None:
        return 0.0
    age_h = (now - created_at).total_seconds() / 3600.0
    if age_h <= 0:
        return 1.0
    return float(2.0 ** (-age_h / half_life_hours))


def _sub(weights: FeedWeights, component: str, personal: bool = True) -> dict[str, float]:
    prefix = component + "."
    out = {k[len(prefix):]: w for k, w in weights.signals.items() if k.startswith(prefix)}
    if component == "temporal" and not personal:
        out.pop("active_hours", None)
    return out


SIGNALS: tuple[str, ...] = ("popularity", "influence", "quality", "time_spent", "scroll_depth", "strength",
                            "similar_users", "community", "freshness", "active_hours", "type_preference",
                            "content_similarity")
COMPONENTS: tuple[str, ...] = ("base", "engagement", "social", "temporal", "preference", "media", "creator")
_REPORTED_COMPONENTS = ("base", "engagement", "social", "temporal", "preference")
# the signal each component's own names stand for (the others read the signals by name)
_ALIASES: dict[str, dict[str, str]] = {
    "base": {"popularity": "popularity", "influence": "influence"},
    "temporal": {"freshness": "freshness", "active_hours": "active_hours"},
}
_PREFERENCE = ("type", "content")  # the preference component reads (type preference, content similarity)


class Positional:
    """`Mean` over a tuple of values: the weights as (position, weight / total) once, so a candidate's component
    is a few multiplications. Names the values do not have count in the total with the value 0."""

    __slots__ = ("items",)

    def __init__(self, weights: Mapping[str, float], names: Sequence[str], aliases: Mapping[str, str] | None = None):
        total = sum(weights.values())
        index = {name: i for i, name in enumerate(names)}
        items = []
        if total > 0.0:
            for key, w in weights.items():
                target = aliases.get(key) if aliases is not None else key
                if target is not None and target in index:
                    items.append((index[target], w / total))
        self.items = tuple(items)

    def __call__(self, values: Sequence[float]) -> float:
        acc = 0.0
        for i, w in self.items:
            acc += w * values[i]
        return clamp01(acc)


class Scorer:
    """Scores the candidates of one call: everything that depends only on the viewer, the time and the weights
    (component weights in force, each component's signal weights as positions, the viewer's kind shares) is
    worked out once, and a tie's strength once per author, so a call of hundreds of candidates costs
    microseconds each. `tests/unit/test_feed_scoring.py` checks it against the plain weighted means."""

    def __init__(self, viewer: ViewerProfile, now: datetime, weights: FeedWeights) -> None:
        self.viewer = viewer
        self.now = now
        self.weights = weights
        k = weights.scales
        self.k_popularity, self.k_influence, self.k_quality = k["popularity"], k["influence"], k["quality"]
        self.k_time, self.k_similar, self.k_community = k["time_spent"], k["similar_users"], k["community"]
        self.in_force = component_weights(viewer, weights)
        self.extras = tuple(x for x in ("media", "creator") if x in self.in_force)
        self.total = Positional(self.in_force, COMPONENTS)
        self.subs = tuple(
            Positional(_sub(weights, name, viewer.personal), SIGNALS, _ALIASES.get(name))
            for name in ("base", "engagement", "social", "temporal")
        )
        self.preference = Positional(_sub(weights, "preference", viewer.personal), _PREFERENCE)
        self.visual = frozenset(v.lower() for v in weights.visual_kinds)
        self.fresh_hl_s = weights.freshness_half_life_hours * 3600.0
        self.creator_min = weights.creator_min_items
        # the first key (in the viewer's order) for each lower-cased kind
        self.kind_share: dict[str, float] = {}
        for key, share in viewer.kind_shares.items():
            self.kind_share.setdefault(key.lower(), share)
        self._strength: dict[int, tuple[TieFeatures, float]] = {}
        self.strength_total = Positional(weights.strength, STRENGTH_COMPONENTS)
        ks = weights.strength_scales
        self.k_tie = (ks["visits"], ks["engaged"], ks["vibes"], ks["mutual"], ks["groups"])
        self.keys = (*_REPORTED_COMPONENTS, *self.extras, *SIGNALS, "personal", "found")
        self.extra_slots = tuple(5 if extra == "media" else 6 for extra in self.extras)

    def strength(self, tie: TieFeatures | None) -> float:
        if tie is None:
            return 0.0
        entry = self._strength.get(id(tie))
        if entry is None or entry[0] is not tie:  # the tie is held, so its id cannot be reused meanwhile
            entry = (tie, self._strength_of(tie))
            self._strength[id(tie)] = entry
        return entry[1]

    def _strength_of(self, tie: TieFeatures) -> float:
        """`strength_components(tie)[0]`, positionally (in STRENGTH_COMPONENTS order)."""
        kv, ke, kb, km, kg = self.k_tie
        return self.strength_total((
            connection_value(tie, self.weights),
            sat(tie.visit_out, kv),
            sat(tie.engaged_out, ke),
            sat(tie.vibe_out, kb),
            sat(float(tie.mutual), km),
            clamp01(tie.similar),
            sat(tie.visit_in, kv),
            sat(tie.vibe_in, kb),
            sat(tie.engaged_in, ke),
            1.0 if tie.same_community else sat(float(tie.shared_groups), kg),
        ))

    def score(self, cand: CandidateFeatures) -> tuple[float, dict[str, float]]:
        """(score, components) of one candidate: the weighted mean of the components in force."""
        viewer = self.viewer
        personal = viewer.personal
        tie = cand.tie
        n = cand.sample_n
        created = cand.created_at
        fresh = 0.0
        hour_fit = 0.0
        if created is not None:
            age_s = (self.now - created).total_seconds()
            fresh = 1.0 if age_s <= 0 else float(2.0 ** (-age_s / self.fresh_hl_s))
            if viewer.hour_fit and personal:
                hour_fit = viewer.hour_fit[created.astimezone(timezone.utc).hour]
        kind = (cand.kind or "").lower()
        type_pref = 0.0
        if viewer.kind_max > 0 and cand.kind is not None:
            type_pref = self.kind_share.get(kind, 0.0) / viewer.kind_max
        influence = tie.influence if tie is not None and tie.influence is not None else 0.0
        signals = (
            sat(cand.sample_weight * (max(cand.engagers, n) / n), self.k_popularity) if n > 0 else 0.0,
            sat(influence, self.k_influence),
            sat(cand.sample_weight / n, self.k_quality) if n > 0 else 0.0,
            sat(cand.sample_duration / n, self.k_time) if n > 0 else 0.0,
            clamp01(cand.sample_scroll_sum / cand.sample_scroll_n / 100.0) if cand.sample_scroll_n > 0 else 0.0,
            self.strength(tie) if personal else 0.0,
            sat(cand.similar_users_weight, self.k_similar) if personal else 0.0,
            sat(cand.community_weight, self.k_community) if personal else 0.0,
            fresh,
            hour_fit,
            type_pref if personal else 0.0,
            clamp01(cand.content_similarity) if personal else 0.0,
        )
        base, engagement, social, temporal = (sub(signals) for sub in self.subs)
        preference = self.preference((type_pref, signals[11]))
        components = (base, engagement, social, temporal, preference,
                      1.0 if kind in self.visual else 0.0,
                      1.0 if tie is not None and tie.authored >= self.creator_min else 0.0)
        score = self.total(components) if cand.found or tie is not None else 0.0
        values = (*components[:5], *(components[i] for i in self.extra_slots), *signals,
                  1.0 if personal else 0.0, 1.0 if cand.found else 0.0)
        return score, dict(zip(self.keys, values, strict=True))


def score_candidate(
    viewer: ViewerProfile, cand: CandidateFeatures, now: datetime, weights: FeedWeights
) -> tuple[float, dict[str, float]]:
    """(score, components) of one candidate (a call scoring many builds one `Scorer` instead)."""
    return Scorer(viewer, now, weights).score(cand)
