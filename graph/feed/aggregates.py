"""Content aggregates for the feed: a batch job that sums each feed item's engagement once, so a feed request
reads a few properties per candidate instead of its engagers.

`graph_feed_score` uses a candidate's aggregates while their engager count equals the live one (one
ENGAGED_WITH per user and content), decaying the stored weights from `feed_agg_at` to the request time
(exact: every engagement decays at the same rate); otherwise it samples at most `sample_edges` engagers. Run
it every few minutes (cron, Celery beat): `activity-graph feed aggregate`, or `refresh_content_aggregates()`.
"""

from __future__ import annotations

from datetime import datetime

from graph.feed import reader
from graph.feed.api import _now, half_life_seconds
from graph.feed.weights import FeedWeights, feed_weights
from graph.settings import Settings, get_settings

TOP_COMMUNITIES = 8


def refresh_content_aggregates(
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    weights: FeedWeights | None = None,
    batch_size: int = 500,
) -> int:
    """Write the aggregates on every content node of the feed's types; returns how many were refreshed."""
    from graph.connection import get_driver

    s = settings or get_settings()
    w = weights or feed_weights()
    at = _now(now)
    labels = reader.Labels.of(s)
    types = tuple(w.candidate_types)
    params = {
        "now": at,
        "top_communities": TOP_COMMUNITIES,
        "batch_size": batch_size,
        "generic_types": reader.generic_types(labels, types),
        **reader.time_params(at, half_life_seconds(s)),
    }
    with get_driver(s).session(database=s.neo4j_database, notifications_min_severity="OFF") as session:
        record = session.run(reader.refresh_query(labels, types), params).single()
    return int(record["refreshed"]) if record else 0
