"""The graph's feed: connection strength, `graph_feed_score`, graph candidates, diversity re-ranking.

Imported inside the platform's Django process: nothing heavy at import time (the neo4j driver, pydantic and
the pure `sync.decay`/`sync.weights` only; the CLI and the benchmark are imported on use).
"""

from graph.feed.api import (
    connection_strength,
    connection_strengths,
    graph_feed_candidates,
    graph_feed_score,
    scored_candidates,
    warm_up,
)
from graph.feed.cache import clear_feed_caches
from graph.feed.diversity import diversify
from graph.feed.model import FeedScore, Strength
from graph.feed.weights import FeedWeights, feed_weights

__all__ = [
    "FeedScore",
    "FeedWeights",
    "Strength",
    "clear_feed_caches",
    "connection_strength",
    "connection_strengths",
    "diversify",
    "feed_weights",
    "graph_feed_candidates",
    "graph_feed_score",
    "scored_candidates",
    "warm_up",
]
