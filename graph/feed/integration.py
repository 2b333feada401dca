"""The platform's live feed and the graph score: helpers for `resolve_my_feed` (post/graphql/query.py of
cantdoitbye/backend) and its `FeedAlgorithm` (post/utils/feed_algorithm.py). docs/feed-integration.md has the
walk-through and docs/feed-integration.patch the ready change.

A `post_feed_query` row has 9 columns (docs/platform.md, 7.2): post, user, profile, reactions, connection,
circle, share_count, calculated_overall_score, created_at. Column 0 is a `neo4j.graph.Node` (or a map for
trending rows); both have `.get`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from graph.feed.model import FeedScore

Row = Sequence[Any]


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    getter = getattr(obj, "get", None)
    if callable(getter):
        try:
            return getter(key)
        except (TypeError, KeyError):
            return None
    return getattr(obj, key, None)


def row_uid(row: Row) -> str | None:
    """The post uid of a feed row (column 0's `uid`, or `post_uid`)."""
    post = row[0] if row else None
    uid = _get(post, "uid") or _get(post, "post_uid")
    return str(uid) if uid else None


def row_candidate(row: Row) -> tuple[str, str] | None:
    """A feed row as a `graph_feed_score` candidate: ("post", uid). Community posts come as "post" too (the
    platform logs them so); the graph looks a "post" up as a `Post`, then as a `CommunityPost`."""
    uid = row_uid(row)
    return ("post", uid) if uid else None


def rows_to_candidates(rows: Sequence[Row]) -> list[tuple[str, str]]:
    """Each row's candidate once, in row order (rows without a uid are left out)."""
    seen: set[str] = set()
    out = []
    for row in rows:
        cand = row_candidate(row)
        if cand is not None and cand[1] not in seen:
            seen.add(cand[1])
            out.append(cand)
    return out


def graph_scores_for_rows(
    user_id: int | str,
    rows: Sequence[Row],
    *,
    now: datetime | None = None,
    deadline_ms: float | None = None,
    scorer: Callable[..., list[FeedScore]] | None = None,
) -> dict[str, FeedScore]:
    """One `graph_feed_score` call for all the rows of a request: post uid -> its score."""
    if scorer is None:
        from graph.feed.api import graph_feed_score

        scorer = graph_feed_score
    candidates = rows_to_candidates(rows)
    if not candidates:
        return {}
    scores = scorer(user_id, candidates, now=now, deadline_ms=deadline_ms)
    return {s.content_id: s for s in scores}


def graph_term(row: Row, scores: Mapping[str, FeedScore], graph_weight: float, neutral: float = 0.5) -> float:
    """`graph_weight * score` for one row (the neutral score for a row the call did not cover)."""
    uid = row_uid(row)
    score = scores.get(uid) if uid else None
    return graph_weight * (score.score if score is not None else neutral)


def rank_rows(
    rows: Sequence[Row],
    final_score: Callable[[Row], float],
    scores: Mapping[str, FeedScore],
    *,
    graph_weight: float = 1.0,
    neutral: float = 0.5,
) -> list[Row]:
    """Rows sorted by `final_score(row) + graph_weight * graph score`, best first (stable for equal keys):
    what the patched `resolve_my_feed` does before `compose_with_quotas`."""
    return sorted(rows, key=lambda r: final_score(r) + graph_term(r, scores, graph_weight, neutral), reverse=True)


# The platform's FeedAlgorithm.WEIGHTS names -> the graph components that take their place (docs/feed-integration.md).
FEED_ALGORITHM_INPUTS: Mapping[str, str] = {
    "connection_score": "strength",  # graded tie to the author instead of 0/1 "is a connection"
    "interaction_score": "engagement",  # decayed engagement quality (type, time spent, scroll depth)
    "content_type_preference": "type_preference",  # learned from the viewer's engagement, not static
    "interest_relevance": "content_similarity",  # similarity to what the viewer engaged with
    "trending_hashtag": "popularity",  # decayed engagement weight on the content
    "suggestion_weight_community": "community",  # engagement by the viewer's community
}


def feed_algorithm_inputs(score: FeedScore) -> dict[str, float]:
    """A `FeedScore` as the inputs of `FeedAlgorithm.calculate_total_score` (each in [0, 1]); a neutral score
    gives {} so the algorithm keeps its own values."""
    if score.neutral:
        return {}
    return {name: float(score.components.get(component, 0.0)) for name, component in FEED_ALGORITHM_INPUTS.items()}
