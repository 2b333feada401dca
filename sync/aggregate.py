"""Collapse a batch's changes onto the edges and nodes they touch, so the writer sends each once.

Many rows land on one edge (a user viewing a post ten times); folding them here with the exact
decayed merge means the Neo4j write is one UNWIND row per edge, not per source row. Pure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

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


def prop_safe(value: str) -> str:
    """A type value as a property-name suffix: lower snake case, at most 48 characters.

    Values are free text in the tables; they reach Neo4j only as parameter map keys, never as
    query text, and this keeps the property names readable.
    """
    return _UNSAFE.sub("_", value.strip().lower())[:48].strip("_") or "blank"  # (rel_type, src user_id, dst)


@dataclass
class EdgeAgg:
    """One edge's share of the batch: the decayed sum plus summed extra numbers."""

    sum: DecayedSum
    prop_sums: dict[str, float] = field(default_factory=dict)
    prop_counts: dict[str, int] = field(default_factory=dict)


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
    authors: dict[NodeRef, tuple[str, datetime]] = field(default_factory=dict)
    connections: list[ResolvedConnection] = field(default_factory=list)
    profiles: dict[str, Profile] = field(default_factory=lambda: defaultdict(Profile))

    def add(self, change: Change) -> None:
        """Fold one (resolved) change in."""
        if isinstance(change, EdgeContribution):
            assert isinstance(change.dst, NodeRef), "vibe targets are resolved before aggregation"
            key = (change.rel_type, change.src, change.dst)
            one = DecayedSum.of(change.contribution, change.at, change.interaction_type, self.half_life_seconds)
            agg = self.edges.get(key)
            if agg is None:
                agg = self.edges[key] = EdgeAgg(one)
            else:
                agg.sum = agg.sum.merge(one)
            for name, value in change.props:
                agg.prop_sums[name] = agg.prop_sums.get(name, 0.0) + value
                agg.prop_counts[name] = agg.prop_counts.get(name, 0) + 1
        elif isinstance(change, Impression):
            ikey = (change.user, change.content)
            span = self.impressions.get(ikey)
            if span is None:
                self.impressions[ikey] = Span(1, change.at, change.at)
            else:
                span.count += 1
                span.first_at = min(span.first_at, change.at)
                span.last_at = max(span.last_at, change.at)
        elif isinstance(change, Authorship):
            # The earliest create wins: a later `create` on the same id is a re-post, not a new author.
            prev = self.authors.get(change.content)
            if prev is None or change.at < prev[1]:
                self.authors[change.content] = (change.user, change.at)
        elif isinstance(change, UserActivityCount):
            p = self.profiles[change.user]
            key_name = f"act_{prop_safe(change.activity_type)}"
            p.counts[key_name] = p.counts.get(key_name, 0) + 1
            p.hours[change.hour_of_day] += 1
        elif isinstance(change, SessionObservation):
            p = self.profiles[change.user]
            p.sessions += 1
            if change.length_seconds is not None:
                p.session_seconds_sum += change.length_seconds
                p.session_seconds_max = max(p.session_seconds_max, change.length_seconds)
        elif isinstance(change, VibeProfileUpdate):
            p = self.profiles[change.user]
            p.vibe["vibe_n"] = p.vibe.get("vibe_n", 0.0) + 1
            parts: tuple[tuple[str, float | None], ...] = (
                ("score", change.score), ("iq", change.iq), ("aq", change.aq), ("sq", change.sq), ("hq", change.hq)
            )
            for name, amount in parts:
                if amount is not None:
                    p.vibe[f"vibe_{name}_sum"] = p.vibe.get(f"vibe_{name}_sum", 0.0) + amount

    def add_all(self, changes: Iterable[Change]) -> None:
        for change in changes:
            self.add(change)

    def add_connection(self, event: ResolvedConnection) -> None:
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
                "weight": e.sum.weight,
                "count": e.sum.count,
                "first_at": wire_time(e.sum.first_at),
                "last_at": wire_time(e.sum.last_at),
                "counts": {f"n_{prop_safe(t)}": n for t, n in e.sum.types},
                "sums": props,
            }
        )
    return out
