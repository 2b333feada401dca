"""Engagement quality per content item (write-up 4.1), computed in Postgres and written onto content nodes.

`graph_feed_score` (or anything else reading the graph) finds on each content node that had interactions in
the window: `engagement_quality` (engagement per interaction), `engagement_score` (the write-up's weighted
sum), `interaction_count`, `avg_time_spent` (seconds), `avg_scroll_depth` (percent), and `quality_at`,
`quality_window_days`. Content that had none in the window but was written before is reset to zero (a full
run), so no stale value stays behind.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import neo4j

from analytics import graph_write
from analytics.pg import Conn, connection, fetch_all
from analytics.settings import AnalyticsSettings, analytics_settings
from graph.settings import Settings, get_settings
from sync.weights import Weights

# A content type whose node may carry another label: the feed logs community posts as 'post'.
LABEL_FALLBACKS: dict[str, tuple[str, ...]] = {"post": ("community_post",), "community_post": ("post",)}


@dataclass(frozen=True)
class ContentQuality:
    content_id: str
    content_types: tuple[str, ...]
    interaction_count: int
    avg_time_spent: float | None
    avg_scroll_depth: float | None
    engagement_score: float
    engagement_quality: float

    def props(self) -> dict[str, Any]:
        return {
            "engagement_quality": self.engagement_quality,
            "engagement_score": self.engagement_score,
            "interaction_count": self.interaction_count,
            "avg_time_spent": self.avg_time_spent,
            "avg_scroll_depth": self.avg_scroll_depth,
        }


def content_types(analytics: AnalyticsSettings, settings: Settings) -> list[str]:
    return list(analytics.quality_content_types or settings.content_labels)


def engagement_quality(
    *,
    now: datetime | None = None,
    window_days: float | None = None,
    limit: int | None = None,
    conn: Conn | None = None,
    url: str | None = None,
    analytics: AnalyticsSettings | None = None,
    settings: Settings | None = None,
) -> list[ContentQuality]:
    """The scoring query over [now - window_days, now), best first (analytics/sql/engagement_quality.sql)."""
    a = analytics or analytics_settings()
    s = settings or get_settings()
    days = float(window_days if window_days is not None else a.quality_window_days)
    if not days > 0:
        raise ValueError(f"window_days must be > 0, got {days!r}")
    params = {
        "now": now or datetime.now(timezone.utc),
        "window_days": days,
        "weights": json.dumps(dict(a.quality_weights)),
        "default_weight": a.quality_default_weight,
        "content_types": content_types(a, s),
        "max_duration": Weights().max_duration_seconds,
        "limit": limit,
    }
    with connection(conn, url) as c:
        rows = fetch_all(c, "engagement_quality", params)
    return [
        ContentQuality(
            content_id=str(r["content_id"]),
            content_types=tuple(str(t) for t in r["content_types"]),
            interaction_count=int(r["interaction_count"]),
            avg_time_spent=None if r["avg_time_spent"] is None else float(r["avg_time_spent"]),
            avg_scroll_depth=None if r["avg_scroll_depth"] is None else float(r["avg_scroll_depth"]),
            engagement_score=float(r["engagement_score"]),
            engagement_quality=float(r["engagement_quality"]),
        )
        for r in rows
    ]


@dataclass
class QualityWriteReport:
    rows: int = 0
    written: int = 0
    missing: int = 0
    cleared: int = 0
    by_label: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        labels = ", ".join(f"{k} {v:,}" for k, v in sorted(self.by_label.items()))
        return (f"engagement quality: {self.rows:,} content items scored, {self.written:,} written onto nodes "
                f"({labels or 'none'}), {self.missing:,} not in the graph, {self.cleared:,} stale reset")


def label_chain(item: ContentQuality, settings: Settings) -> list[str]:
    """The labels to look the item's node up under, in order (its logged types, then their fallbacks)."""
    labels = settings.content_labels
    chain: list[str] = []
    for t in item.content_types:
        for candidate in (t, *LABEL_FALLBACKS.get(t, ())):
            label = labels.get(candidate)
            if label and label not in chain:
                chain.append(label)
    return chain


def write_quality(
    items: list[ContentQuality],
    *,
    clear_stale: bool = True,
    window_days: float,
    settings: Settings | None = None,
    analytics: AnalyticsSettings | None = None,
    driver: neo4j.Driver | None = None,
    at: datetime | None = None,
) -> QualityWriteReport:
    """Write `items` onto their content nodes in UNWIND batches; with `clear_stale`, reset what earlier runs wrote
    on content not in `items` (pass a complete run's items only)."""
    s = settings or get_settings()
    a = analytics or analytics_settings()
    run_id = uuid.uuid4().hex
    when = at or datetime.now(timezone.utc)
    report = QualityWriteReport(rows=len(items))
    pending: dict[str, list[tuple[list[str], graph_write.Row]]] = {}
    for item in items:
        chain = label_chain(item, s)
        if not chain:
            report.missing += 1
            continue
        pending.setdefault(chain[0], []).append((chain[1:], {"content_id": item.content_id, "props": item.props()}))
    params = {"run": run_id, "at": when, "window_days": window_days}
    while pending:
        label, entries = pending.popitem()
        rest_of = {row["content_id"]: rest for rest, row in entries}
        rows = [row for _, row in entries]
        for batch in graph_write.batches(rows, a.graph_batch_size):
            record = graph_write.run(s, "write_content_quality", graph_write.content_parts(s, label),
                                     {**params, "rows": list(batch)}, driver)[0]
            written = int(record["written"])
            report.written += written
            report.by_label[label] = report.by_label.get(label, 0) + written
            for content_id in record["missing"]:
                rest = rest_of.get(str(content_id), [])
                if rest:
                    row = next(r for r in batch if r["content_id"] == content_id)
                    pending.setdefault(rest[0], []).append((rest[1:], row))
                else:
                    report.missing += 1
    if clear_stale:
        for label in sorted(set(s.content_labels.values())):
            record = graph_write.run(s, "clear_content_quality", graph_write.content_parts(s, label), params, driver)[0]
            report.cleared += int(record["cleared"])
    return report


def refresh_quality(
    *,
    now: datetime | None = None,
    window_days: float | None = None,
    conn: Conn | None = None,
    url: str | None = None,
    settings: Settings | None = None,
    analytics: AnalyticsSettings | None = None,
    driver: neo4j.Driver | None = None,
) -> QualityWriteReport:
    """The job: score every content item of the window and write the values onto the graph."""
    a = analytics or analytics_settings()
    days = float(window_days if window_days is not None else a.quality_window_days)
    items = engagement_quality(now=now, window_days=days, conn=conn, url=url, analytics=a, settings=settings)
    return write_quality(items, window_days=days, settings=settings, analytics=a, driver=driver, at=now)
