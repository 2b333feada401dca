"""Exponential time decay, exact under incremental and out-of-order updates, so edge weights need no rebuilds.

The one formula, shared with the Neo4j writer's Cypher twin (all times in seconds, ``hl`` = half-life)::

    T          = max(last, ts)
    new_weight = old_weight * 2^(-(T - last)/hl) + contribution * 2^(-(T - ts)/hl)
    new_last   = T

``old_weight`` is the weight as of ``last``. Both exponents are <= 0, so nothing is ever decayed backwards
(a row older than ``last`` is decayed forward to ``last``) and nothing can overflow. Applied once per row,
in any order, it gives ``weight(T) = sum_i c_i * 2^(-(T - t_i)/hl)`` with ``T = max_i t_i``, up to float
rounding. Merging two partial sums uses the same formula with ``(contribution, ts)`` = the other sum's
``(weight, last_at)``; that is how a batch pre-aggregated in Python is folded into an existing edge.

Cypher twin, with ``r.weight``/``r.last_at`` on the edge, ``$c``/``$ts`` the batch row, ``$hl`` seconds::

    WITH r, CASE WHEN r.last_at IS NULL OR $ts > r.last_at THEN $ts ELSE r.last_at END AS t
    WITH r, t, duration.inSeconds(coalesce(r.last_at, t), t) AS d_old, duration.inSeconds($ts, t) AS d_new
    SET r.weight = coalesce(r.weight, 0.0)
                   * 2.0 ^ (-(d_old.seconds + d_old.nanosecondsOfSecond / 1e9) / $hl)
                 + $c * 2.0 ^ (-(d_new.seconds + d_new.nanosecondsOfSecond / 1e9) / $hl),
        r.last_at = t
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_HALF_LIFE_DAYS = 14.0
DEFAULT_HALF_LIFE_SECONDS = DEFAULT_HALF_LIFE_DAYS * 86400.0

__all__ = [
    "DEFAULT_HALF_LIFE_DAYS",
    "DEFAULT_HALF_LIFE_SECONDS",
    "DecayedSum",
    "closed_form",
    "combine",
    "decay_factor",
    "decayed",
    "half_life_seconds",
]


def half_life_seconds(half_life: timedelta | float) -> float:
    """A half-life given as a timedelta or as seconds, checked to be finite and positive."""
    seconds = half_life.total_seconds() if isinstance(half_life, timedelta) else float(half_life)
    if not math.isfinite(seconds) or seconds <= 0.0:
        raise ValueError(f"half-life must be a finite positive duration, got {half_life!r}")
    return seconds


def _check_time(ts: datetime, name: str) -> None:
    if not isinstance(ts, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(ts).__name__}")
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {ts!r}")


def _seconds_between(earlier: datetime, later: datetime) -> float:
    return (later - earlier).total_seconds()


def decay_factor(dt_seconds: float, half_life_seconds: float) -> float:
    """2^(-dt/hl): the share of a weight left after ``dt_seconds`` (>= 0)."""
    if not math.isfinite(dt_seconds) or dt_seconds < 0.0:
        raise ValueError(f"dt_seconds must be finite and >= 0 (no backward decay), got {dt_seconds!r}")
    if not math.isfinite(half_life_seconds) or half_life_seconds <= 0.0:
        raise ValueError(f"half_life_seconds must be finite and > 0, got {half_life_seconds!r}")
    return float(2.0 ** (-dt_seconds / half_life_seconds))


def decayed(weight: float, from_ts: datetime, to_ts: datetime, half_life: timedelta | float) -> float:
    """``weight`` as of ``from_ts``, decayed to ``to_ts`` (which must not be earlier)."""
    _check_time(from_ts, "from_ts")
    _check_time(to_ts, "to_ts")
    return weight * decay_factor(_seconds_between(from_ts, to_ts), half_life_seconds(half_life))


def combine(
    weight_a: float, at_a: datetime, weight_b: float, at_b: datetime, half_life_seconds: float
) -> tuple[float, datetime]:
    """The module formula: two weights, each as of its own time, summed as of the later time."""
    t = max(at_a, at_b)
    total = weight_a * decay_factor(_seconds_between(at_a, t), half_life_seconds) + weight_b * decay_factor(
        _seconds_between(at_b, t), half_life_seconds
    )
    return total, t


def closed_form(
    contributions: Iterable[tuple[float, datetime]], at: datetime, half_life: timedelta | float
) -> float:
    """sum c_i * 2^(-(at - t_i)/hl), the reference the incremental sum must equal (all t_i <= at)."""
    hl = half_life_seconds(half_life)
    return math.fsum(c * decay_factor(_seconds_between(t, at), hl) for c, t in contributions)


def _merge_counts(
    a: tuple[tuple[str, int], ...], b: tuple[tuple[str, int], ...]
) -> tuple[tuple[str, int], ...]:
    out = dict(a)
    for key, n in b:
        out[key] = out.get(key, 0) + n
    return tuple(sorted((k, n) for k, n in out.items() if n != 0))


@dataclass(frozen=True, slots=True)
class DecayedSum:
    """A decayed sum of contributions: ``weight`` as of ``last_at``, plus row counts; immutable."""

    weight: float = 0.0
    count: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    # Rows per interaction type, sorted by type; use `type_counts` for a dict.
    types: tuple[tuple[str, int], ...] = ()
    half_life_seconds: float = field(default=DEFAULT_HALF_LIFE_SECONDS)

    @classmethod
    def of(
        cls,
        contribution: float,
        at: datetime,
        type: str,
        half_life: timedelta | float = DEFAULT_HALF_LIFE_SECONDS,
    ) -> DecayedSum:
        """A sum holding one row."""
        return cls(half_life_seconds=half_life_seconds(half_life)).add(contribution, at, type)

    @property
    def type_counts(self) -> dict[str, int]:
        """Rows per interaction type."""
        return dict(self.types)

    def add(self, contribution: float, at: datetime, type: str) -> DecayedSum:
        """This sum plus one row of ``contribution`` at ``at``; any arrival order gives the same result."""
        if not math.isfinite(contribution) or contribution < 0.0:
            raise ValueError(f"contribution must be finite and >= 0, got {contribution!r}")
        _check_time(at, "at")
        if self.last_at is None:
            weight, last = float(contribution), at
        else:
            weight, last = combine(self.weight, self.last_at, contribution, at, self.half_life_seconds)
        first = at if self.first_at is None else min(self.first_at, at)
        return DecayedSum(
            weight=weight,
            count=self.count + 1,
            first_at=first,
            last_at=last,
            types=_merge_counts(self.types, ((type, 1),)),
            half_life_seconds=self.half_life_seconds,
        )

    def merge(self, other: DecayedSum) -> DecayedSum:
        """The sum of both (commutative and associative up to float rounding); half-lives must match."""
        if self.half_life_seconds != other.half_life_seconds:
            raise ValueError(
                f"cannot merge sums with different half-lives ({self.half_life_seconds} != "
                f"{other.half_life_seconds} seconds)"
            )
        if other.last_at is None or other.first_at is None:
            return self
        if self.last_at is None or self.first_at is None:
            return other
        weight, last = combine(self.weight, self.last_at, other.weight, other.last_at, self.half_life_seconds)
        return DecayedSum(
            weight=weight,
            count=self.count + other.count,
            first_at=min(self.first_at, other.first_at),
            last_at=last,
            types=_merge_counts(self.types, other.types),
            half_life_seconds=self.half_life_seconds,
        )

    def retract(self, contribution: float, at: datetime, type: str) -> DecayedSum:
        """This sum minus one row that was added before (a deleted or superseded row).

        The weight is clamped at 0 against rounding; ``first_at``/``last_at`` keep their values (a sum
        does not remember its rows); ``count`` and the type count drop by one.
        """
        if not math.isfinite(contribution) or contribution < 0.0:
            raise ValueError(f"contribution must be finite and >= 0, got {contribution!r}")
        _check_time(at, "at")
        if self.last_at is None or self.count <= 0:
            raise ValueError("cannot retract from an empty sum")
        if at > self.last_at:
            raise ValueError(f"cannot retract a row at {at} later than last_at {self.last_at}")
        share = contribution * decay_factor(_seconds_between(at, self.last_at), self.half_life_seconds)
        return DecayedSum(
            weight=max(0.0, self.weight - share),
            count=self.count - 1,
            first_at=self.first_at,
            last_at=self.last_at,
            types=_merge_counts(self.types, ((type, -1),)),
            half_life_seconds=self.half_life_seconds,
        )

    def weight_at(self, t: datetime) -> float:
        """The weight decayed to ``t``; at or before ``last_at``, the stored weight (never inflated)."""
        _check_time(t, "t")
        if self.last_at is None:
            return 0.0
        if t <= self.last_at:
            return self.weight
        return self.weight * decay_factor(_seconds_between(self.last_at, t), self.half_life_seconds)
