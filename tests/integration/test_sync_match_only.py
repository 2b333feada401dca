"""With `sync_create_missing` off, the sync only attaches to existing nodes and quarantines the rest."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import psycopg
import pytest
from psycopg.types.json import Jsonb

from graph.connection import get_driver
from graph.settings import Settings
from sync.runner import sync_until_caught_up

pytestmark = pytest.mark.services


def _insert_user(conn: psycopg.Connection[tuple[object, ...]], user_id: int) -> None:
    conn.execute(
        "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,"
        " is_active, date_joined) VALUES (%s, '', false, %s, '', '', '', false, true, now())",
        (user_id, f"u{user_id}"),
    )


def _interaction(conn: psycopg.Connection[tuple[object, ...]], user_id: int, content_id: str, kind: str) -> None:
    now = datetime(2025, 10, 1, 12, tzinfo=timezone.utc)
    conn.execute(
        "INSERT INTO content_interaction (uid, created_at, updated_at, timestamp, metadata, content_type,"
        " content_id, interaction_type, user_id) VALUES (%s, %s, %s, %s, %s, 'post', %s, %s, %s)",
        (uuid.uuid4(), now, now, now, Jsonb({}), content_id, kind, user_id),
    )


def test_match_only_quarantines_rows_naming_absent_nodes(sync_env: Settings) -> None:
    url = sync_env.database_url.get_secret_value()
    present, absent = uuid.uuid4().hex, uuid.uuid4().hex
    with psycopg.connect(url, autocommit=True) as conn:
        for uid in (1, 2):
            _insert_user(conn, uid)
        _interaction(conn, 1, present, "like")
        _interaction(conn, 1, absent, "like")
        _interaction(conn, 2, present, "comment")  # user 2 has no Users node
    driver = get_driver(sync_env)
    driver.execute_query("CREATE (:Users {user_id: '1'}), (:Post {uid: $uid})", uid=present)
    settings = sync_env.model_copy(update={"sync_create_missing": False})
    report = sync_until_caught_up(["content_interaction"], settings=settings)
    assert (report.rows_applied, report.quarantined) == (1, 2)
    edges, _, _ = driver.execute_query(
        "MATCH (u:Users)-[r:ENGAGED_WITH]->(p:Post) RETURN u.user_id AS u, p.uid AS p, r.n_like AS likes")
    assert [(r["u"], r["p"], r["likes"]) for r in edges] == [("1", present, 1)]
    nodes, _, _ = driver.execute_query("MATCH (n) WHERE n:Users OR n:Post RETURN count(n) AS n")
    assert nodes[0]["n"] == 2  # nothing was created
    with psycopg.connect(url) as conn:
        reasons = sorted(r[0].split(":")[0] for r in conn.execute("SELECT reason FROM activity_graph_quarantine"))
    assert reasons == ["node_missing", "node_missing"]
