"""The analytics' write-back onto the graph (engagement quality on content nodes, temporal patterns on Users),
from rows in a scratch Postgres, against the real Neo4j. Uses the suite's `clean_graph` fixture (wipes the
database): kept to one quick test."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any

import psycopg
import pytest

from analytics.patterns import Window, refresh_patterns, temporal_patterns, write_patterns
from analytics.quality import refresh_quality
from graph.connection import get_driver
from graph.settings import Settings

pytestmark = pytest.mark.services

UTC = timezone.utc
P1, P2, P3, GONE = "a1" * 16, "b2" * 16, "c3" * 16, "dd" * 16


def _content(conn: psycopg.Connection[Any], user: int, ctype: str, cid: str, itype: str, ts: datetime,
             duration: int | None = None, scroll: float | None = None) -> None:
    conn.execute(
        """INSERT INTO content_interaction (uid, created_at, updated_at, "timestamp", metadata, content_type,
               content_id, interaction_type, duration_seconds, scroll_depth_percentage, user_id)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
        (uuid.uuid4(), ts, ts, ts, json.dumps({}), ctype, cid, itype, duration, scroll, user),
    )


def _props(settings: Settings, query: str) -> dict[str, Any]:
    records, _, _ = get_driver(settings).execute_query(query, database_=settings.neo4j_database)
    return {str(r["k"]): r["p"] for r in records}


@pytest.fixture()
def graph(clean_graph: Settings) -> Iterator[Settings]:
    """The clean graph, and the nodes this test made removed afterwards (the server is shared)."""
    yield clean_graph
    get_driver(clean_graph).execute_query(
        "MATCH (n) WHERE n.uid IN $uids DETACH DELETE n", {"uids": [P1, P2, P3, "u1", "u2"]},
        database_=clean_graph.neo4j_database)


def test_quality_and_patterns_reach_the_graph(activity_db: str, graph: Settings) -> None:
    s = graph
    get_driver(s).execute_query(
        """CREATE (:Post {uid: $p1, content_type: 'post'}), (:CommunityPost {uid: $p2, content_type: 'community_post'}),
                  (:Story {uid: $p3, content_type: 'story'}),
                  (:Users {user_id: '1', uid: 'u1'}), (:Users {user_id: '2', uid: 'u2'})""",
        {"p1": P1, "p2": P2, "p3": P3}, database_=s.neo4j_database)
    with psycopg.connect(activity_db, autocommit=True) as conn:
        for i in (1, 2, 3):
            conn.execute("""INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email,
                                is_staff, is_active, date_joined) VALUES (%s, '', false, %s, '', '', '', false, true,
                                now())""", (i, f"u{i}"))
        day = datetime(2025, 3, 12, 10, tzinfo=UTC)
        _content(conn, 1, "post", P1, "view", day, duration=30, scroll=40.0)  # 1
        _content(conn, 2, "post", P1, "share", day.replace(hour=11))  # 7
        _content(conn, 1, "post", P2, "like", day)  # the feed's 'post' is a CommunityPost node: 3
        _content(conn, 2, "story", P3, "comment", day.replace(day=13))  # 5
        _content(conn, 3, "post", GONE, "like", day)  # no node: not created
    now = datetime(2025, 3, 15, tzinfo=UTC)
    report = refresh_quality(now=now, url=activity_db, settings=s)
    assert (report.rows, report.written, report.missing, report.cleared) == (4, 3, 1, 0)
    q = _props(s, "MATCH (c) WHERE c.uid IS NOT NULL AND c.content_type IS NOT NULL RETURN c.uid AS k, "
                  "c {.engagement_quality, .engagement_score, .interaction_count, .avg_time_spent, "
                  ".avg_scroll_depth, .quality_window_days} AS p")
    assert q[P1] == {"engagement_quality": 4.0, "engagement_score": 8.0, "interaction_count": 2,
                     "avg_time_spent": 30.0, "avg_scroll_depth": 40.0, "quality_window_days": 7.0}
    assert q[P2]["interaction_count"] == 1 and q[P2]["engagement_quality"] == 3.0
    assert q[P3]["engagement_score"] == 5.0
    missing = get_driver(s).execute_query("MATCH (c {uid: $id}) RETURN count(c) AS n", {"id": GONE},
                                          database_=s.neo4j_database).records[0]["n"]
    assert missing == 0
    # a day later P3's comment has left the 2-day window: reset, not left stale
    later = refresh_quality(now=datetime(2025, 3, 16, tzinfo=UTC), window_days=2, url=activity_db, settings=s)
    assert (later.rows, later.written, later.cleared) == (0, 0, 3)
    q = _props(s, "MATCH (c:Story) RETURN c.uid AS k, c {.interaction_count, .engagement_quality} AS p")
    assert q[P3] == {"interaction_count": 0, "engagement_quality": 0.0}

    win = Window(date(2025, 3, 16), 7)
    assert [p.user_id for p in temporal_patterns(win, url=activity_db)] == [1, 2, 3]
    patterns = refresh_patterns(end_date=date(2025, 3, 16), days=7, url=activity_db, settings=s)
    assert (patterns.users, patterns.written, patterns.cleared) == (3, 2, 0)  # user 3 has no node
    users = _props(s, "MATCH (u:Users) RETURN u.user_id AS k, u {.peak_hours, .weekday_hist, .activity_consistency, "
                      ".session_len_median, .session_source, .patterns_days} AS p")
    assert users["1"] == {"peak_hours": [10], "weekday_hist": [0, 0, 2, 0, 0, 0, 0],
                          "activity_consistency": pytest.approx(1 / 7), "session_len_median": 0.0,
                          "session_source": "inferred", "patterns_days": 7}
    assert users["2"]["peak_hours"] == [10, 11] and users["2"]["weekday_hist"] == [0, 0, 1, 1, 0, 0, 0]
    # a window with no activity for anyone: everyone written before is reset
    cleared = write_patterns([], Window(date(2025, 3, 1), 1), settings=s)
    assert (cleared.written, cleared.cleared) == (0, 2)
    users = _props(s, "MATCH (u:Users) RETURN u.user_id AS k, u {.peak_hours, .activity_consistency} AS p")
    assert users["1"] == {"peak_hours": [], "activity_consistency": 0.0}
