"""The integration shape: rows as the platform's `post_feed_query` returns them (9 columns, docs/platform.md 7.2)
in, one `graph_feed_score` call, a ranked feed out. The scorer is a stand-in here; the DB-backed twin is
tests/integration/test_feed_integration.py."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from graph.feed.integration import (
    feed_algorithm_inputs,
    graph_scores_for_rows,
    rank_rows,
    rows_to_candidates,
)
from graph.feed.model import FeedScore

pytestmark = pytest.mark.graph_facing

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
PATCH = Path(__file__).resolve().parents[2] / "docs" / "feed-integration.patch"


def feed_row(uid: str | None, creator: str, overall: float = 2.0, post_type: str = "text",
             connected: bool = False) -> list[Any]:
    """A post_feed_query row: post, user, profile, reactions, connection, circle, share_count,
    calculated_overall_score, created_at."""
    created = NOW.timestamp() - 3600
    post = {"uid": uid, "post_type": post_type, "created_at": created, "tags": []}
    user = {"uid": f"u-{creator}", "user_id": creator}
    connection = {"uid": "c", "connection_status": "Accepted", "timestamp": "x"} if connected else None
    circle = {"uid": None, "circle_type": None, "sub_relation": None} if connected else None
    return [post, user, {"uid": f"p-{creator}"}, [], connection, circle, 0, overall, created]


def platform_final_score(row: list[Any]) -> float:
    """resolve_my_feed's final_score without its jitter and with an empty interest vector."""
    overall = row[7] if row[7] is not None else 2.0
    age_h = (NOW.timestamp() - float(row[8])) / 3600.0
    recency = 0.25 if age_h < 24 else (0.1 if age_h < 72 else 0.0)
    return overall + recency + 0.2


class FakeScorer:
    def __init__(self, scores: dict[str, float], reason: str | None = None) -> None:
        self.scores, self.reason, self.calls = scores, reason, 0

    def __call__(self, user_id: int | str, candidates: list[tuple[str, str]], **_: Any) -> list[FeedScore]:
        self.calls += 1
        return [FeedScore(t, i, self.scores.get(i, 0.0), {"strength": 0.5}, self.reason) for t, i in candidates]


def test_rows_in_ranked_feed_out_with_one_call() -> None:
    rows = [feed_row("a" * 32, "1"), feed_row("b" * 32, "2", overall=2.05), feed_row("c" * 32, "3"),
            feed_row(None, "4"), feed_row("a" * 32, "1")]
    assert rows_to_candidates(rows) == [("post", "a" * 32), ("post", "b" * 32), ("post", "c" * 32)]
    scorer = FakeScorer({"c" * 32: 0.9, "a" * 32: 0.1, "b" * 32: 0.0})
    scores = graph_scores_for_rows(5, rows, now=NOW, scorer=scorer)
    assert scorer.calls == 1
    ranked = rank_rows(rows, platform_final_score, scores, graph_weight=1.0)
    assert [r[0]["uid"] for r in ranked] == ["c" * 32, None, "a" * 32, "a" * 32, "b" * 32]
    # graph weight 0: the platform's own order (stable)
    assert rank_rows(rows, platform_final_score, scores, graph_weight=0.0)[0][0]["uid"] == "b" * 32


def test_neutral_scores_keep_the_platform_order() -> None:
    rows = [feed_row("a" * 32, "1"), feed_row("b" * 32, "2", overall=2.4), feed_row("c" * 32, "3", overall=2.2)]
    scores = graph_scores_for_rows(5, rows, scorer=FakeScorer({}, reason="deadline of 50 ms passed"))
    assert [r[0]["uid"] for r in rank_rows(rows, platform_final_score, scores)] == ["b" * 32, "c" * 32, "a" * 32]
    assert feed_algorithm_inputs(next(iter(scores.values()))) == {}


def test_feed_algorithm_inputs() -> None:
    s = FeedScore("post", "x", 0.7, {"strength": 0.4, "engagement": 0.6, "type_preference": 1.0,
                                    "content_similarity": 0.2, "popularity": 0.3, "community": 0.1})
    assert feed_algorithm_inputs(s) == {
        "connection_score": 0.4, "interaction_score": 0.6, "content_type_preference": 1.0,
        "interest_relevance": 0.2, "trending_hashtag": 0.3, "suggestion_weight_community": 0.1}


def test_the_patch_adds_one_call_and_a_graph_term() -> None:
    text = PATCH.read_text()
    assert text.startswith("--- a/post/graphql/query.py\n+++ b/post/graphql/query.py\n")
    added = [line[1:] for line in text.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert sum("graph_feed_score(" in line for line in added) == 1
    assert any("graph_weight * " in line for line in added)
    removed = [line for line in text.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert len(removed) == 1 and "return overall + recency + cboost + iboost + jitter" in removed[0]
