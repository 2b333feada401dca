"""Change-capture state as data: a per-table cursor that never skips a late-committing row.

Ids come from a sequence, so a transaction can commit id 7 after id 9 was read. The cursor keeps
`last_id` plus the ranges of ids below it that were not visible yet (gaps). A gap is re-read on
every pass until its row appears, or until every transaction that could still hold its id has
ended: a gap first seen at `seen_at` gets, `grace_s` later, a horizon = the xmax of the snapshot
then (every transaction that drew an id before that point had its xid by then); once a snapshot's
xmin passes the horizon, those transactions are all over and the id was rolled back or skipped.
The cursor is written in the same Neo4j transaction as the batch it covers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Gap:
    """Ids lo..hi (inclusive) below `last_id` that were not yet visible."""

    lo: int
    hi: int
    seen_at: float
    horizon: int | None = None  # xid8 (as int) a snapshot's xmin must pass before the gap is dropped

    def __contains__(self, row_id: object) -> bool:
        return isinstance(row_id, int) and self.lo <= row_id <= self.hi


@dataclass(frozen=True)
class Snapshot:
    """The Postgres snapshot a batch was read under: `pg_snapshot_xmin/xmax`, as ints."""

    xmin: int
    xmax: int


@dataclass(frozen=True)
class SyncCursor:
    """Where one table (or one partition of it) stands."""

    name: str
    last_id: int = 0
    gaps: tuple[Gap, ...] = ()
    version: int = 0
    rows_applied: int = 0
    expired_ids: int = 0  # gap ids dropped as never committed (rollbacks, sequence skips)
    last_row_at: float | None = None  # epoch seconds of the newest row applied (freshness)
    extra: dict[str, int] = field(default_factory=dict)

    def to_props(self) -> dict[str, object]:
        """Neo4j properties (lists of primitives only)."""
        return {
            "name": self.name,
            "last_id": self.last_id,
            "gaps": json.dumps([[g.lo, g.hi, g.seen_at, g.horizon] for g in self.gaps]),
            "version": self.version,
            "rows_applied": self.rows_applied,
            "expired_ids": self.expired_ids,
            "last_row_at": self.last_row_at,
        }

    @classmethod
    def from_props(cls, name: str, props: dict[str, object] | None) -> SyncCursor:
        if not props:
            return cls(name=name)
        raw = json.loads(str(props.get("gaps") or "[]"))
        gaps = tuple(Gap(int(lo), int(hi), float(seen), None if hz is None else int(hz)) for lo, hi, seen, hz in raw)
        last_row_at = props.get("last_row_at")
        return cls(
            name=name,
            last_id=int(props.get("last_id") or 0),  # type: ignore[call-overload]
            gaps=gaps,
            version=int(props.get("version") or 0),  # type: ignore[call-overload]
            rows_applied=int(props.get("rows_applied") or 0),  # type: ignore[call-overload]
            expired_ids=int(props.get("expired_ids") or 0),  # type: ignore[call-overload]
            last_row_at=float(last_row_at) if isinstance(last_row_at, (int, float)) else None,
        )

    def gap_ranges(self) -> list[list[int]]:
        """[[lo, hi], ...] for the re-read query."""
        return [[g.lo, g.hi] for g in self.gaps]


def _subtract(gap: Gap, ids: list[int]) -> list[Gap]:
    """The gap minus the ids that have now appeared (ids sorted)."""
    out: list[Gap] = []
    lo = gap.lo
    for i in ids:
        if i < lo or i > gap.hi:
            continue
        if i > lo:
            out.append(replace(gap, lo=lo, hi=i - 1))
        lo = i + 1
    if lo <= gap.hi:
        out.append(replace(gap, lo=lo))
    return out


@dataclass(frozen=True)
class IdSpan:
    """The ids a batch read above a cursor's `last_id`, summarized: how many, the highest, the holes between.

    A bulk batch (`sync.bulk`) learns these from Postgres without fetching every id; `IdSpan.of` makes the
    same summary from a list of ids, so both roads lead to the same cursor.
    """

    count: int
    top: int  # the highest id read (the cursor's last_id when none)
    holes: tuple[tuple[int, int], ...] = ()  # (lo, hi) id ranges in (last_id, top) that were not read

    @classmethod
    def of(cls, last_id: int, ids: Iterable[int]) -> IdSpan:
        fresh = sorted(i for i in ids if i > last_id)
        holes: list[tuple[int, int]] = []
        prev = last_id
        for i in fresh:
            if i > prev + 1:
                holes.append((prev + 1, i - 1))
            prev = max(prev, i)
        return cls(len(fresh), fresh[-1] if fresh else last_id, tuple(holes))


def advance(
    cursor: SyncCursor,
    new_ids: Iterable[int] | IdSpan,
    gap_ids: Iterable[int],
    snapshot: Snapshot,
    now: float,
    *,
    grace_s: float = 1.0,
    newest_row_at: float | None = None,
) -> SyncCursor:
    """The cursor after applying a batch: `new_ids` read above `last_id`, `gap_ids` read inside gaps.

    `new_ids` may be given as an `IdSpan` (the same ids, summarized). Pure: the same inputs give the same
    cursor, so a replayed batch lands on the same state.
    """
    span = new_ids if isinstance(new_ids, IdSpan) else IdSpan.of(cursor.last_id, new_ids)
    filled = sorted(set(gap_ids))
    gaps: list[Gap] = []
    for g in cursor.gaps:
        gaps.extend(_subtract(g, filled))
    gaps.extend(Gap(lo, hi, now) for lo, hi in span.holes if lo > cursor.last_id)
    kept: list[Gap] = []
    expired = 0
    for g in gaps:
        if g.horizon is not None and snapshot.xmin >= g.horizon:
            expired += g.hi - g.lo + 1
            continue
        if g.horizon is None and now - g.seen_at >= grace_s:
            g = replace(g, horizon=snapshot.xmax)
        kept.append(g)
    applied = span.count + len(filled)
    return replace(
        cursor,
        last_id=span.top if span.count else cursor.last_id,
        gaps=tuple(kept),
        version=cursor.version + 1,
        rows_applied=cursor.rows_applied + applied,
        expired_ids=cursor.expired_ids + expired,
        last_row_at=max(filter(None, [cursor.last_row_at, newest_row_at]), default=None),
    )
