"""The part of activity-graph the platform imports: settings, the graph model, feed scores.

`from graph import graph_feed_score` (and `graph_feed_candidates`, `FeedScore`, `connection_strength`) load
`graph.feed` on first use, so importing `graph.settings` alone stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graph.feed.api import connection_strength, graph_feed_candidates, graph_feed_score
    from graph.feed.model import FeedScore

_LAZY = {
    "graph_feed_score": "graph.feed.api",
    "graph_feed_candidates": "graph.feed.api",
    "connection_strength": "graph.feed.api",
    "FeedScore": "graph.feed.model",
}

__all__ = ["FeedScore", "connection_strength", "graph_feed_candidates", "graph_feed_score"]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'graph' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
