"""Fold the bulk queries' rows (`sync.bulk_sql`) into a batch's `BatchAggregate`, beside the Python path's changes.

Each result row is already a sum over many source rows; it enters the aggregate as the same rows one by
one would (edges by `sync.decay`'s merge of sums, counts and sums added), with the nodes built by the
mapping's own helpers, so both paths name every node alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sync.aggregate import BatchAggregate, EdgePart, prop_safe
from sync.bulk_sql import BulkQuery
from sync.changes import NodeRef
from sync.mapping import MappingConfig
from sync.mapping._common import content_node

__all__ = ["fold_results"]

Rows = Sequence[tuple[Any, ...]]


def _content(cfg: MappingConfig, ctype: str, cid: str, cache: dict[tuple[str, str], NodeRef]) -> NodeRef:
    node = cache.get((ctype, cid))
    if node is None:
        node = cache[(ctype, cid)] = content_node(cfg, ctype, cid, "content_id")
    return node


def _edges(agg: BatchAggregate, q: BulkQuery, rows: Rows, cfg: MappingConfig) -> None:
    cache: dict[tuple[str, str], NodeRef] = {}
    width = 2 if q.target == "content" else 1
    for row in rows:
        dst = _content(cfg, row[1], row[2], cache) if width == 2 else cfg.user(str(row[1]))
        i = 1 + width
        n, first_at, last_at, weight, types, type_n = row[i:i + 6]
        props = tuple((name, row[i + 6 + 2 * k] or 0.0, int(row[i + 7 + 2 * k] or 0))
                      for k, name in enumerate(q.props))
        part = EdgePart(float(weight), int(n), first_at, last_at,
                        tuple((q.type_prefix + t, int(c)) for t, c in zip(types, type_n, strict=True)), props)
        agg.add_edge_part((q.rel_type, str(row[0]), dst), part)


def _impressions(agg: BatchAggregate, rows: Rows, cfg: MappingConfig) -> None:
    cache: dict[tuple[str, str], NodeRef] = {}
    for src, ctype, cid, n, first_at, last_at in rows:
        agg.add_impressions(str(src), _content(cfg, ctype, cid, cache), int(n), first_at, last_at)


def _authors(agg: BatchAggregate, rows: Rows, cfg: MappingConfig) -> None:
    cache: dict[tuple[str, str], NodeRef] = {}
    for src, ctype, cid, n, first_at, _last in rows:
        agg.add_authorships(str(src), _content(cfg, ctype, cid, cache), int(n), first_at)


def _activity(agg: BatchAggregate, rows: Rows) -> None:
    for src, atype, hour, n, by_hour in rows:
        p = agg.profiles[str(src)]
        if by_hour:
            p.hours[hour] += int(n)
        else:
            key = f"act_{prop_safe(atype)}"
            p.counts[key] = p.counts.get(key, 0) + int(n)


def _sessions(agg: BatchAggregate, rows: Rows) -> None:
    for src, n, length_sum, length_max in rows:
        p = agg.profiles[str(src)]
        p.sessions += int(n)
        if length_sum is not None:
            p.session_seconds_sum += float(length_sum)
            p.session_seconds_max = max(p.session_seconds_max, float(length_max))


def _vibes(agg: BatchAggregate, rows: Rows) -> None:
    for src, n, *sums in rows:
        p = agg.profiles[str(src)]
        p.vibe["vibe_n"] = p.vibe.get("vibe_n", 0.0) + int(n)
        for name, total in zip(("score", "iq", "aq", "sq", "hq"), sums, strict=True):
            if total is not None:
                key = f"vibe_{name}_sum"
                p.vibe[key] = p.vibe.get(key, 0.0) + float(total)


def fold_results(agg: BatchAggregate, results: Sequence[tuple[BulkQuery, Rows]], cfg: MappingConfig,
                 table: str) -> Counter[tuple[str, str, str, str]]:
    """Every bulk query's rows into `agg`; returns the notes (as `sync.pipeline` counts them) of skipped rows."""
    notes: Counter[tuple[str, str, str, str]] = Counter()
    for q, rows in results:
        if q.kind == "edges":
            _edges(agg, q, rows, cfg)
        elif q.kind == "impressions":
            _impressions(agg, rows, cfg)
        elif q.kind == "authors":
            _authors(agg, rows, cfg)
        elif q.kind == "activity":
            _activity(agg, rows)
        elif q.kind == "sessions":
            _sessions(agg, rows)
        elif q.kind == "vibes":
            _vibes(agg, rows)
        else:
            n = sum(int(row[0]) for row in rows)
            if n:
                notes[("skipped", table, "reason", q.reason)] += n
    return notes
