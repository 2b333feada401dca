"""The bulk backfill (Postgres sums the plain rows, `sync.bulk_sql`) against the Python path, on real services.

The same generated data (with many planted bad rows, off-list and never-seen values, and hand-made rows
at the edges of every plain-row check) is synced from scratch twice, once per path, with the same batch
size: the graphs must be identical (every node's and relationship's properties, floats to 1e-9), and so
must the quarantine and the cursors. Then updates, deletes and new rows arrive (change capture on) and
both graphs must still agree after the next pass; and two partitions must add up to the same graph too.
"""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb
from sync_graph import (  # the sync services tests' helpers (pytest puts this directory on sys.path)
    Graph,
    assert_same_graph,
    cypher,
    ensure_users,
    export_graph,
    load,
    pg_url,
    reset_sync,
    uid32,
)

from graph.settings import Settings
from sync.changes_log import install_change_capture
from sync.pipeline import Partition
from sync.runner import RunReport, sync_until_caught_up

pytestmark = pytest.mark.services

USERS, DAYS, SEED = 70, 3, 23
BATCH = 900
T0 = datetime(2025, 10, 20, 12, 0, tzinfo=timezone.utc)


def _quarantine(s: Settings) -> dict[tuple[str, int], str]:
    with psycopg.connect(pg_url(s)) as c:
        return {(str(t), int(i)): str(r) for t, i, r in
                c.execute("SELECT source_table, source_id, reason FROM activity_graph_quarantine")}


def _cursors_comparable(g: Graph) -> Graph:
    """Cursor gaps carry the wall time they were first seen: keep their id ranges only."""
    out: Graph = {}
    for k, props in g.items():
        if k[:2] == ("node", "SyncCursor"):
            props = dict(props)
            props["gaps"] = [[lo, hi] for lo, hi, *_ in json.loads(props.get("gaps") or "[]")]
        out[k] = props
    return out


def _run(s: Settings, *, bulk: bool, partitions: int = 1) -> list[RunReport]:
    return [sync_until_caught_up(settings=s, batch_size=BATCH, bulk=bulk, partition=Partition(i, partitions))
            for i in range(partitions)]


def _snapshot(s: Settings) -> tuple[Graph, dict[tuple[str, int], str]]:
    return _cursors_comparable(export_graph(s, cursors=True)), _quarantine(s)


def _insert(c: psycopg.Connection[Any], table: str, row: dict[str, Any]) -> None:
    at = row.pop("timestamp", T0)
    base = {"uid": None, "created_at": at, "updated_at": row.pop("updated_at", at), "timestamp": at,
            "metadata": Jsonb(row.pop("metadata", {}))}
    cols = {**base, **row}
    names = sql.SQL(", ").join(sql.Identifier(k) for k in cols)
    marks = sql.SQL(", ").join(sql.SQL("gen_random_uuid()") if k == "uid" else sql.Placeholder() for k in cols)
    c.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(sql.Identifier(table), names, marks),
              [v for k, v in cols.items() if k != "uid"])


def _edge_rows(c: psycopg.Connection[Any], rng: random.Random) -> None:
    """Rows at the edges of the plain-row checks: each must be mapped exactly as the Python path maps it."""
    ensure_users(c, range(1, USERS + 1))
    post, other = uid32(rng), uid32(rng)
    ci = "content_interaction"
    for row in [
        {"content_type": "post", "content_id": post, "interaction_type": "Like", "user_id": 3},  # not normalized
        {"content_type": " post", "content_id": post, "interaction_type": "like", "user_id": 3},
        {"content_type": "post", "content_id": post.upper(), "interaction_type": "view", "user_id": 3},
        {"content_type": "post", "content_id": f" {post} ", "interaction_type": "share", "user_id": 3},
        {"content_type": "post", "content_id": post, "interaction_type": "like", "user_id": 3,
         "scroll_depth_percentage": float("nan")},
        {"content_type": "post", "content_id": post, "interaction_type": "like", "user_id": 3,
         "scroll_depth_percentage": 100.0, "duration_seconds": 86400},
        {"content_type": "post", "content_id": post, "interaction_type": "like", "user_id": 3,
         "scroll_depth_percentage": -0.0, "duration_seconds": 0},
        {"content_type": "post", "content_id": post, "interaction_type": "like", "user_id": 3,
         "duration_seconds": 86401},
        {"content_type": "page", "content_id": " /feed", "interaction_type": "scroll", "user_id": 4},
        {"content_type": "page", "content_id": "/feed\u00a0", "interaction_type": "scroll", "user_id": 4},
        {"content_type": "page", "content_id": "/feed", "interaction_type": "scroll", "user_id": 4},
        {"content_type": "page", "content_id": "/caf\u00e9", "interaction_type": "scroll", "user_id": 4},
        {"content_type": "post", "content_id": other, "interaction_type": "brand_new_type", "user_id": 5},
        {"content_type": "post", "content_id": other, "interaction_type": "view", "user_id": 5,
         "metadata": {"source": "feed_view", "content_source": "graph"}},
        {"content_type": "post", "content_id": other, "interaction_type": "view", "user_id": 5,
         "metadata": {"source": ["feed_view"]}},
        {"content_type": "post", "content_id": other, "interaction_type": "create", "user_id": 5},
        # one edge spanning 1970 to 2099 (the 2^-d factor underflows to 0) and a row at the skew limit
        {"content_type": "post", "content_id": other, "interaction_type": "like", "user_id": 6,
         "timestamp": datetime(1970, 1, 1, tzinfo=timezone.utc)},
        {"content_type": "post", "content_id": other, "interaction_type": "like", "user_id": 6,
         "timestamp": datetime(2099, 1, 1, tzinfo=timezone.utc),
         "updated_at": datetime(2099, 1, 1, tzinfo=timezone.utc)},
        {"content_type": "post", "content_id": other, "interaction_type": "save", "user_id": 6,
         "timestamp": T0 + timedelta(days=1), "updated_at": T0},
        {"content_type": "post", "content_id": other, "interaction_type": "save", "user_id": 6,
         "timestamp": T0 + timedelta(days=1, microseconds=1), "updated_at": T0},
    ]:
        _insert(c, ci, row)
    mi = "media_interaction"
    for meta in [{"post_uid": post}, {"post_uid": post.upper()}, {"post_uid": None}, {"post_uid": 7}, {},
                 {"post_uid": f"{post} "}]:
        _insert(c, mi, {"media_type": "comment_media", "media_id": other, "interaction_type": "view",
                        "user_id": 7, "metadata": meta})
    _insert(c, mi, {"media_type": "Video", "media_id": "v1", "interaction_type": "play", "user_id": 7})
    _insert(c, mi, {"media_type": "video", "media_id": "v1", "interaction_type": "play", "user_id": 7,
                    "position_seconds": 86400, "duration_seconds": 30})
    pa = "profile_activity"
    for row in [
        {"visitor_id": 8, "profile_owner_id": 9, "activity_type": "profile_view",
         "metadata": {"query_type": "profile_by_user_id"}},
        {"visitor_id": 8, "profile_owner_id": 8, "activity_type": "profile_view",
         "metadata": {"query_type": "profile_by_user_id"}},
        {"visitor_id": 8, "profile_owner_id": 9, "activity_type": "profile_view", "metadata": {"query_type": 1}},
        {"visitor_id": 8, "profile_owner_id": 9, "activity_type": "profile_block", "duration_seconds": 61},
    ]:
        _insert(c, pa, row)
    _insert(c, "social_interaction", {"interaction_type": "profile_visit", "user_id": 10, "target_user_id": 10})
    _insert(c, "social_interaction", {"interaction_type": "Profile_Visit", "user_id": 10, "target_user_id": 11})
    _insert(c, "social_interaction", {"interaction_type": "message_send", "user_id": 10,
                                      "timestamp": datetime(2025, 10, 20, 23, 59, 59, 999999, tzinfo=timezone.utc)})
    _insert(c, "user_activity", {"activity_type": "login", "user_id": 12, "success": False,
                                 "timestamp": datetime(2025, 10, 21, 0, 30, tzinfo=timezone(timedelta(hours=5)))})
    session = {"device_info": Jsonb({}), "location_data": Jsonb({}), "start_time": T0}
    for row in [
        {"session_id": "s1", "session_type": "web", "user_id": 13, "start_time": T0,
         "end_time": T0 + timedelta(seconds=7 * 86400), "pages_visited": 2, "actions_performed": 1},
        {"session_id": "s2", "session_type": "web", "user_id": 13, "start_time": T0,
         "end_time": T0 + timedelta(seconds=7 * 86400, microseconds=1), "pages_visited": 2, "actions_performed": 1},
        {"session_id": " ", "session_type": "web", "user_id": 13, "pages_visited": 0, "actions_performed": 0},
        {"session_id": "s3", "session_type": "Web", "user_id": 13, "pages_visited": 0, "actions_performed": 0},
        {"session_id": "s4", "session_type": "mobile", "user_id": 13, "end_time": None,
         "duration_seconds": 5, "pages_visited": 0, "actions_performed": 0},
    ]:
        _insert(c, "session_activity", {**session, **row})
    for row in [
        {"activity_type": "vibe_view", "vibe_type": "individual", "vibe_id": "v", "user_id": 14, "vibe_score": 5.0,
         "iq_impact": 0.25, "success": True},
        {"activity_type": "vibe_view", "vibe_type": "individual", "vibe_id": "v", "user_id": 14,
         "vibe_score": 5.000001, "success": True},
        {"activity_type": "vibe_view", "vibe_type": "individual", "vibe_id": "v", "user_id": 14,
         "hq_impact": float("-inf"), "success": True},
        {"activity_type": "vibe_view", "vibe_type": "individual", "vibe_id": "v", "user_id": 14, "success": False},
        {"activity_type": "vibe_send", "vibe_type": "individual", "vibe_id": "v", "user_id": 14,
         "target_user_id": "15", "vibe_score": 3.0, "success": True},
    ]:
        _insert(c, "vibe_activity", row)


def _load(s: Settings) -> None:
    load(s, users=USERS, days=DAYS, seed=SEED, bad_row_share=0.04)
    with psycopg.connect(pg_url(s), autocommit=True) as c:
        _edge_rows(c, random.Random(SEED))


def test_bulk_backfill_builds_the_python_paths_graph(sync_env: Settings) -> None:
    s = sync_env
    _load(s)

    reset_sync(s, USERS, SEED)
    python = _run(s, bulk=False)[0]
    graph_py, quarantine_py = _snapshot(s)

    reset_sync(s, USERS, SEED)
    bulk = _run(s, bulk=True)[0]
    graph_bulk, quarantine_bulk = _snapshot(s)

    assert python.rows_read == bulk.rows_read > 5000
    assert python.bulk_rows == 0 and bulk.bulk_rows > 0.85 * bulk.rows_read
    assert (python.rows_applied, python.quarantined, python.batches) == \
        (bulk.rows_applied, bulk.quarantined, bulk.batches)
    assert python.reasons == bulk.reasons and python.quarantined > 100
    assert quarantine_py == quarantine_bulk
    assert_same_graph(graph_py, graph_bulk)
    # The comparison covers what it should: every kind of relationship, notes, skips, cursors.
    kinds = {k[1] for k in graph_py if k[0] == "rel"}
    assert {"VISITED", "ENGAGED_WITH", "VIBED", "IMPRESSED", "CREATED", "CONNECTED"} <= kinds
    assert any(k[:2] == ("node", "SyncNote") for k in graph_py)
    assert any(k[:2] == ("node", "SyncCursor") for k in graph_py)
    weights = [p["weight"] for k, p in graph_py.items() if k[0] == "rel" and "weight" in p]
    assert weights and all(math.isfinite(w) for w in weights)


def _changes(s: Settings, rng: random.Random) -> None:
    """Updates (to plain and to bad values), deletes, and new rows after a first pass."""
    with psycopg.connect(pg_url(s), autocommit=True) as c:
        ids = [r[0] for r in c.execute("SELECT id FROM content_interaction ORDER BY id").fetchall()]
        for i in rng.sample(ids, 60):
            c.execute("UPDATE content_interaction SET interaction_type = 'share', updated_at = updated_at"
                      " + interval '1 second' WHERE id = %s", (i,))
        for i in rng.sample(ids, 20):
            c.execute("UPDATE content_interaction SET scroll_depth_percentage = 'NaN' WHERE id = %s", (i,))
        for i in rng.sample(ids, 40):
            c.execute("DELETE FROM content_interaction WHERE id = %s", (i,))
        vids = [r[0] for r in c.execute("SELECT id FROM profile_activity ORDER BY id").fetchall()]
        for i in rng.sample(vids, 30):
            c.execute("UPDATE profile_activity SET duration_seconds = 90 WHERE id = %s", (i,))
        _edge_rows(c, rng)
        load_more = [(rng.randint(1, USERS), uid32(rng)) for _ in range(300)]
        for user, post in load_more:
            _insert(c, "content_interaction", {"content_type": "post", "content_id": post,
                                               "interaction_type": rng.choice(["view", "like", "comment"]),
                                               "user_id": user, "timestamp": T0 + timedelta(hours=rng.random())})


def _copy_database(s: Settings, name: str) -> Settings:
    """A copy of the scratch database (same ids, sequences, triggers), as settings pointing at it."""
    from pydantic import SecretStr

    url = pg_url(s)
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                   sql.Identifier(url.rsplit("/", 1)[1])))
    copy = url.rsplit("/", 1)[0] + "/" + name
    return s.model_copy(update={"database_url": SecretStr(copy), "sync_database_url": SecretStr(copy)})


def _drop_database(s: Settings) -> None:
    url = pg_url(s)
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.rsplit("/", 1)[1])))


def _partial_changes_rest(s: Settings, *, bulk: bool) -> tuple[Graph, dict[tuple[str, int], str]]:
    """A first pass stopping mid-table, then updates, deletes and inserts, then the rest."""
    reset_sync(s, USERS, SEED)
    sync_until_caught_up(settings=s, batch_size=BATCH, bulk=bulk, max_batches=9)
    _changes(s, random.Random(5))
    sync_until_caught_up(settings=s, batch_size=BATCH, bulk=bulk)
    return _snapshot(s)


def test_bulk_and_python_paths_agree_through_updates_deletes_and_partitions(sync_env: Settings) -> None:
    s = sync_env
    _load(s)
    with psycopg.connect(pg_url(s), autocommit=True) as c:
        install_change_capture(c)
    twin = _copy_database(s, pg_url(s).rsplit("/", 1)[1] + "_twin")
    try:
        graph_py, q_py = _partial_changes_rest(s, bulk=False)
        graph_bulk, q_bulk = _partial_changes_rest(twin, bulk=True)
    finally:
        _drop_database(twin)
    assert q_py == q_bulk
    assert_same_graph(graph_py, graph_bulk)
    assert any(k[0] == "rel" and p.get("n_share") for k, p in graph_py.items())
    with psycopg.connect(pg_url(s)) as c:
        logged = c.execute("SELECT count(*) FROM activity_graph_change").fetchone()
    assert logged is not None and logged[0] > 100

    # Two partitions through each path (their cursors are named apart from a single run's).
    graphs = []
    for bulk in (False, True):
        reset_sync(s, USERS, SEED)
        _run(s, bulk=bulk, partitions=2)
        graphs.append(_snapshot(s))
    assert graphs[0][1] == graphs[1][1]
    assert_same_graph(graphs[0][0], graphs[1][0])
    assert cypher(s, "MATCH ()-[r:ENGAGED_WITH]->() RETURN count(r) AS n")[0]["n"] > 100
