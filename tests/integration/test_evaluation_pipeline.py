"""The evaluation end to end on a tiny synthetic dataset: scratch Postgres, sync, GDS jobs, graph_feed_score,
graph candidates, baselines; and the generator export on a tiny generated dataset.

Wipes the Neo4j database of the settings (`clean_graph`): run against a disposable instance.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from evaluation.baselines import AlsParams
from evaluation.dataset import Dataset, Interaction, SocialEdge, read_dataset
from evaluation.generated import export_generated
from evaluation.graph_run import GraphNotEmpty, graph_is_empty
from evaluation.harness import EvalOptions, run_evaluation
from graph.settings import Settings

pytestmark = [pytest.mark.services]

T0 = datetime(2025, 6, 1, tzinfo=timezone.utc)


def synthetic(users: int = 30, items_per_group: int = 12, seed: int = 5) -> Dataset:
    """Two groups of users; each mostly engages with its own group's items, connects and vibes inside it."""
    rng = random.Random(seed)
    rows: list[Interaction] = []
    social: list[SocialEdge] = []
    groups = {"a": [f"a{i}" for i in range(items_per_group)], "b": [f"b{i}" for i in range(items_per_group)]}
    members = {g: [str(u) for u in range(1, users + 1) if (u % 2 == 0) == (g == "a")] for g in groups}
    for g, items in groups.items():
        author = members[g][0]
        for n, item in enumerate(items):
            rows.append(Interaction(author, item, "create", T0 + timedelta(hours=n)))
    for g, people in members.items():
        other = "b" if g == "a" else "a"
        for user in people:
            t = T0 + timedelta(days=1, hours=rng.random() * 4)
            picks = rng.sample(groups[g], 5) + rng.sample(groups[other], 1)
            for item in picks:
                t += timedelta(hours=1 + rng.random() * 10)
                rows.append(Interaction(user, item, rng.choice(["view", "like", "like", "comment", "share", "save"]),
                                        t))
            peer = rng.choice([p for p in people if p != user])
            social.append(SocialEdge(user, peer, "connection", T0 + timedelta(hours=2)))
            social.append(SocialEdge(user, rng.choice(people), "visit", T0 + timedelta(days=1)))
            social.append(SocialEdge(user, peer, "vibe", T0 + timedelta(days=1, hours=1), 4.0))
    rows.sort(key=lambda r: r.timestamp)
    return Dataset(tuple(rows), tuple(social), name="synthetic")


def test_whole_pipeline_on_a_tiny_dataset(clean_graph: Settings) -> None:
    options = EvalOptions(users=0, wipe_graph=True, als=AlsParams(factors=4, iterations=5))
    result = run_evaluation(synthetic(), options, settings=clean_graph)

    methods = [r.method for r in result.catalogue_rows]
    assert methods == ["popularity", "static_weights", "item_knn", "als", "graph_feed_score"]
    assert [r.method for r in result.retrieval_rows][:2] == ["graph_candidates", "graph_candidates + graph_feed_score"]
    assert all(r.users == result.stats["evaluated_users"] > 0 for r in result.catalogue_rows)
    g = result.graph
    assert g["sync"]["quarantined"] == 0, g["sync"]
    assert g["sync"]["rows_applied"] == sum(v for k, v in g["rows_loaded"].items() if k != "auth_user")
    assert all(o.startswith("succeeded") for o in g["jobs"].values()), g["jobs"]
    assert g["feed_score"]["neutral"] == 0, g["feed_score"]
    assert g["feed_score"]["candidates"] > 0
    assert g["candidates"]["mean_returned"] > 0
    graph_row = result.catalogue_rows[-1]
    assert 0.0 <= graph_row.ndcg_10 <= 1.0 and graph_row.recall_50 > 0.0
    assert not result.notes, result.notes

    # a second run without --wipe-graph refuses the graph the first one filled
    assert not graph_is_empty(clean_graph)
    with pytest.raises(GraphNotEmpty):
        run_evaluation(synthetic(), EvalOptions(users=3, als=None), settings=clean_graph)


def test_export_generated(activity_db: str, tmp_path: Path) -> None:
    from activity.generator import generate

    generate(activity_db, 30, 3, 11)
    report = export_generated(activity_db, tmp_path)
    ds = read_dataset(tmp_path)
    assert report.interactions == len(ds.interactions) > 0
    assert report.social == len(ds.social) > 0
    assert {r.kind for r in ds.interactions} <= {"view", "like", "comment", "share", "save", "create"}
    assert "create" in {r.kind for r in ds.interactions}
    assert {s.kind for s in ds.social} <= {"visit", "connection", "vibe"}
    assert all(s.user_id != s.other_id for s in ds.social)
    with psycopg.connect(activity_db) as conn:
        row = conn.execute(
            "SELECT count(*) FROM content_interaction WHERE interaction_type = 'view' "
            "AND metadata->>'source' = 'feed_view' AND content_type = 'post'"
        ).fetchone()
        impressions = int(row[0]) if row else 0
        row = conn.execute(
            "SELECT count(*) FROM content_interaction WHERE content_type IN ('post', 'community_post') "
            "AND interaction_type IN ('view', 'like', 'comment', 'share', 'save', 'create')"
        ).fetchone()
        engagements = int(row[0]) if row else 0
    assert impressions > 0
    # every engagement row but the impressions and the planted bad rows
    assert engagements - impressions - 50 <= report.interactions <= engagements - impressions
    times = [r.timestamp for r in ds.interactions]
    assert times == sorted(times)
