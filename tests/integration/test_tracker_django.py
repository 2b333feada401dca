"""``tracker.django`` in a real Django 4.2 project (tests/django_tracker), driven by Django's test client.

The project runs in a subprocess (Django settings are per process): it logs a user in (``user_logged_in``),
requests pages and an action through the middleware, saves the user (a ``MODEL_SAVES`` receiver), logs out
through ``django.contrib.auth.logout`` (``user_logged_out``), then drains the tracker. The rows are read here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from graph.settings import REPO_ROOT

pytestmark = [pytest.mark.services, pytest.mark.graph_facing]

SCENARIO = REPO_ROOT / "tests" / "django_tracker" / "scenario.py"


def run_scenario(db: str, spool: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = {
        **os.environ,
        "TRACKER_TEST_DATABASE_URL": db,
        "TRACKER_TEST_SPOOL_DIR": str(spool),
        "TRACKER_TEST_OVERRIDES": json.dumps(overrides or {}),
    }
    done = subprocess.run([sys.executable, str(SCENARIO)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["drained"], result
    return result


def test_login_pages_session_saves_and_logout(activity_db: str, tmp_path: Path) -> None:
    result = run_scenario(activity_db, tmp_path)
    user = result["user_id"]
    with psycopg.connect(activity_db) as conn:
        activities = conn.execute(
            "SELECT activity_type, description, host(ip_address), metadata, user_id FROM user_activity ORDER BY id"
        ).fetchall()
        session = conn.execute(
            "SELECT session_id, session_type, pages_visited, actions_performed, duration_seconds, end_time >= "
            "start_time, device_info, referrer, exit_page, host(ip_address), metadata, user_id FROM session_activity"
        ).fetchall()
    kinds = [a[0] for a in activities]
    assert sorted(kinds) == ["login", "logout", "page_view", "page_view", "profile_update"]
    assert all(a[4] == user for a in activities)
    by_kind = {a[0]: a for a in activities}
    assert by_kind["login"][3]["login_method"] == "standard"
    assert by_kind["logout"][1] == "User logged out from 10.0.0.7"
    views = [a for a in activities if a[0] == "page_view"]
    assert {v[3]["path"] for v in views} == {"/page/"} and all(v[2] == "10.0.0.7" for v in views)
    assert views[0][3]["referer"] == "https://example.com/start"
    assert by_kind["profile_update"][3]["model"] == "django.contrib.auth.models.User"  # last_login saves skipped

    (row,) = session  # one row for the whole session, merged from its four requests
    sid, kind, pages, actions, duration, ordered, device, referrer, exit_page, ip, meta, owner = row
    assert len(sid) == 32 and kind == "mobile" and (pages, actions) == (2, 2)
    assert duration is not None and duration >= 0 and ordered
    assert device["device_type"] == "mobile" and referrer == "https://example.com/start"
    assert exit_page == "/logout/" and ip == "10.0.0.7" and meta == {"ended": True} and owner == user


def test_each_hook_can_be_switched_off(activity_db: str, tmp_path: Path) -> None:
    off = {"LOGIN_SIGNALS": False, "PAGE_VIEWS": False, "SESSIONS": False, "MODEL_SAVES": []}
    result = run_scenario(activity_db, tmp_path, off)
    assert result["stats"].get("written", 0) == 0
    with psycopg.connect(activity_db) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM user_activity), (SELECT count(*) FROM session_activity)"
        ).fetchone()
    assert counts == (0, 0)
