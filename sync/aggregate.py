"""Collapse a batch's changes onto the edges and nodes they touch, so the writer sends each once.

Many rows land on one edge (a user viewing a post ten times); folding them here with the exact
decayed merge means the Neo4j write is one UNWIND row per edge, not per source row. Pure.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from sync.changes import (
    Authorship,
    Change,
    ConnectionState,
    EdgeContribution,
    Impression,
    NodeRef,
    SessionObservation,
    UserActivityCount,
    VibeProfileUpdate,
)
from sync.decay import DecayedSum

EdgeKey = tuple[str, str, NodeRef]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_UNSAFE = re.compile(r"[^a-z0-9_]+")


def wire_time(at: datetime | None) -> list[int] | None:
    """[epoch seconds, nanoseconds]: the driver packs ints far faster than datetimes (Cypher rebuilds them)."""
    if at is None:
        return None
    delta = at - _EPOCH  # exact integer arithmetic, unlike float timestamps
    return [delta.days * 86400 + delta.seconds, delta.microseconds * 1000]


@lru_cache(maxsize=4096)
def prop_safe(value: str) -> str:
    """A type value as a property-name suffix: lower snake case, at most 48 characters.

    Values are free text in the tables; they reach Neo4j only as parameter map keys, never as
    query text, and this keeps the property names readable.
    """
    return _UNSAFE.sub("_", value.strip().lower())[:48].strip("_") or "blank"  # (rel_type, src user_id, dst)


@dataclass(frozen=True)
class EdgePart:
    """Rows of one edge summed outside this module: weight as of `last_at`, counts by type, property sums.

    `props` holds (name, sum, how many rows had the value); a name with no value is left out of the edge.
    """

    weight: float
    count: int
    first_at: datetime
    last_at: datetime
    types: tuple[tuple[str, int], ...]
    props: tuple[tuple[str, float, int], ...] = ()


@dataclass
class EdgeAgg:
    """One edge's share of the batch: the decayed sum of its rows plus summed extra numbers.

    Rows fold in with `sync.decay`'s formula, inlined (this is the backfill's hot loop): the same
    floating-point operations as `DecayedSum.merge` of one-row sums, so the results are bit-identical.
    With retractions (sign -1, `sync.changes_log`) the sum is signed: weight, count and type counts of
    the rows taken out enter negated, so folding it into the edge takes them out exactly.
    """

    half_life_seconds: float
    weight: float = 0.0
    count: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    types: dict[str, int] = field(default_factory=dict)
    prop_sums: dict[str, float] = field(default_factory=dict)
    prop_counts: dict[str, int] = field(default_factory=dict)
    retracts: bool = False

    def fold(self, contribution: float, at: datetime, type: str, sign: int = 1) -> None:
        """One row in (sign 1) or out (sign -1)."""
        if not math.isfinite(contribution) or contribution < 0.0:
            raise ValueError(f"contribution must be finite and >= 0, got {contribution!r}")
        c = float(contribution) if sign > 0 else -float(contribution)
        last = self.last_at
        if last is None or self.first_at is None:
            self.weight, self.first_at, self.last_at = c, at, at
        elif at > last:
            self.weight = self.weight * 2.0 ** (-(at - last).total_seconds() / self.half_life_seconds) + c
            self.last_at = at
        else:
            self.weight = self.weight + c * 2.0 ** (-(last - at).total_seconds() / self.half_life_seconds)
            if at < self.first_at:
                self.first_at = at
        self.count += sign
        self.types[type] = self.types.get(type, 0) + sign
        self.retracts = self.retracts or sign < 0

    def merge(self, part: EdgePart) -> None:
        """Fold in rows summed elsewhere (`sync.bulk`: by Postgres): `sync.decay`'s merge of two sums."""
        last = self.last_at
        if last is None or self.first_at is None:
            self.weight, self.first_at, self.last_at = part.weight, part.first_at, part.last_at
        else:
            if part.last_at > last:
                self.weight = self.weight * 2.0 ** (-(part.last_at - last).total_seconds() / self.half_life_seconds) \
                    + part.weight
                self.last_at = part.last_at
            else:
                self.weight = self.weight \
                    + part.weight * 2.0 ** (-(last - part.last_at).total_seconds() / self.half_life_seconds)
            if part.first_at < self.first_at:
                self.first_at = part.first_at
        self.count += part.count
        for t, n in part.types:
            self.types[t] = self.types.get(t, 0) + n
        for name, total, n in part.props:
            if n:
                self.prop_sums[name] = self.prop_sums.get(name, 0.0) + total
                self.prop_counts[name] = self.prop_counts.get(name, 0) + n

    @property
    def sum(self) -> DecayedSum:
        """As a `DecayedSum` (type counts of 0 dropped)."""
        return DecayedSum(self.weight, self.count, self.first_at, self.last_at,
                          tuple(sorted((k, n) for k, n in self.types.items() if n)), self.half_life_seconds)


@dataclass
class Span:
    """A count with its first and last time (impressions)."""

    count: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class ResolvedConnection:
    """A connection event whose two users are known: `requester` sent (or is taken to have sent) it."""

    requester: str
    receiver: str
    state: ConnectionState | None
    at: datetime
    interaction_type: str


@dataclass
class Profile:
    """A user's activity profile increments from this batch."""

    counts: dict[str, int] = field(default_factory=dict)
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    sessions: int = 0
    session_seconds_sum: float = 0.0
    session_seconds_max: float = 0.0
    vibe: dict[str, float] = field(default_factory=dict)


@dataclass
class BatchAggregate:
    """Everything one batch writes, keyed for one UNWIND per kind."""

    half_life_seconds: float
    edges: dict[EdgeKey, EdgeAgg] = field(default_factory=dict)
    impressions: dict[tuple[str, NodeRef], Span] = field(default_factory=dict)
    # (author, content) -> (create rows, earliest create): one CREATED per user who created the content,
    # so any split into batches (and any retraction) gives the same edges; the earliest is the author.
    authors: dict[tuple[str, NodeRef], tuple[int, datetime]] = field(default_factory=dict)
    connections: list[ResolvedConnection] = field(default_factory=list)
    profiles: dict[str, Profile] = field(default_factory=lambda: defaultdict(Profile))
    # Retracted authorships and connection events (sign -1): applied by their own statements.
    unauthors: list[Authorship] = field(default_factory=list)
    unconnections: list[ResolvedConnection] = field(default_factory=list)

    def add(self, change: Change, sign: int = 1) -> None:
        """Fold one (resolved) change in; `sign` -1 takes out a row that was applied before.

        Retraction is exact for weights, counts and sums; extremes (first/last times, the longest
        session, the earliest create's time) keep their values (`sync.changes_log`).
        """
        if isinstance(change, EdgeContribution):
            assert isinstance(change.dst, NodeRef), "vibe targets are resolved before aggregation"
            key = (change.rel_type, change.src, change.dst)
            agg = self.edges.get(key)
            if agg is None:
                agg = self.edges[key] = EdgeAgg(self.half_life_seconds)
            agg.fold(change.contribution, change.at, change.interaction_type, sign)
            for name, value in change.props:
                agg.prop_sums[name] = agg.prop_sums.get(name, 0.0) + sign * value
                agg.prop_counts[name] = agg.prop_counts.get(name, 0) + sign
        elif isinstance(change, Impression):
            ikey = (change.user, change.content)
            span = self.impressions.get(ikey)
            if span is None:
                self.impressions[ikey] = Span(sign, change.at, change.at)
            else:
                # A retracted impression's time lies within the edge's first/last already: min/max keep them.
                span.count += sign
                span.first_at = min(span.first_at, change.at)
                span.last_at = max(span.last_at, change.at)
        elif isinstance(change, Authorship):
            if sign < 0:
                self.unauthors.append(change)
                return
            akey = (change.user, change.content)
            prev = self.authors.get(akey)
            self.authors[akey] = (1, change.at) if prev is None else (prev[0] + 1, min(prev[1], change.at))
        elif isinstance(change, UserActivityCount):
            p = self.profiles[change.user]
            key_name = f"act_{prop_safe(change.activity_type)}"
            p.counts[key_name] = p.counts.get(key_name, 0) + sign
            p.hours[change.hour_of_day] += sign
        elif isinstance(change, SessionObservation):
            p = self.profiles[change.user]
            p.sessions += sign
            if change.length_seconds is not None:
                p.session_seconds_sum += sign * change.length_seconds
                if sign > 0:
                    p.session_seconds_max = max(p.session_seconds_max, change.length_seconds)
        elif isinstance(change, VibeProfileUpdate):
            p = self.profiles[change.user]
            p.vibe["vibe_n"] = p.vibe.get("vibe_n", 0.0) + sign
            parts: tuple[tuple[str, float | None], ...] = (
                ("score", change.score), ("iq", change.iq), ("aq", change.aq), ("sq", change.sq), ("hq", change.hq)
            )
            for name, amount in parts:
                if amount is not None:
                    p.vibe[f"vibe_{name}_sum"] = p.vibe.get(f"vibe_{name}_sum", 0.0) + sign * amount

    def add_edge_part(self, key: EdgeKey, part: EdgePart) -> None:
        """Rows of one edge summed elsewhere (`sync.bulk`), folded in like the same rows one by one."""
        agg = self.edges.get(key)
        if agg is None:
            agg = self.edges[key] = EdgeAgg(self.half_life_seconds)
        agg.merge(part)

    def add_impressions(self, user: str, content: NodeRef, count: int, first_at: datetime, last_at: datetime) -> None:
        """`count` impressions of `content` by `user` between `first_at` and `last_at`."""
        span = self.impressions.get((user, content))
        if span is None:
            self.impressions[(user, content)] = Span(count, first_at, last_at)
        else:
            span.count += count
            span.first_at = min(span.first_at, first_at)
            span.last_at = max(span.last_at, last_at)

    def add_authorships(self, user: str, content: NodeRef, count: int, first_at: datetime) -> None:
        """`count` create rows of `content` by `user`, the earliest at `first_at`."""
        key = (user, content)
        prev = self.authors.get(key)
        self.authors[key] = (count, first_at) if prev is None else (prev[0] + count, min(prev[1], first_at))

    def add_all(self, changes: Iterable[Change]) -> None:
        for change in changes:
            self.add(change)

    def add_connection(self, event: ResolvedConnection, sign: int = 1) -> None:
        if sign < 0:
            self.unconnections.append(event)
        else:
            self.connections.append(event)


def edge_rows(agg: BatchAggregate) -> dict[tuple[str, str, str], list[dict[str, object]]]:
    """UNWIND rows grouped by (rel_type, target label, target key shape)."""
    out: dict[tuple[str, str, str], list[dict[str, object]]] = defaultdict(list)
    for (rel, src, dst), e in agg.edges.items():
        props: dict[str, object] = {f"{k}_sum": v for k, v in e.prop_sums.items()}
        props.update({f"{k}_n": n for k, n in e.prop_counts.items()})
        out[(rel, dst.label, ",".join(k for k, _ in dst.keys))].append(
            {
                "src": src,
                "dst": dst.key_map,
                "kind": dst.kind,
                "weight": e.weight,
                "count": e.count,
                "first_at": wire_time(e.first_at),
                "last_at": wire_time(e.last_at),
                "counts": {f"n_{prop_safe(t)}": n for t, n in e.types.items() if n},
                "sums": props,
                "retracts": e.retracts,
            }
        )
    return out
