"""The analytics against the real Postgres: known rows in a scratch database, outputs worked out by hand.

Each test builds its rows with `Rows` (every NOT NULL column filled, as Django would), runs one job or report
and checks it against numbers computed in the comments.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from statistics import NormalDist
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from analytics import experiments as ab
from analytics.ab import ab_report
from analytics.aggregate import aggregate
from analytics.errors import InvalidImpression, InvalidPeriod, UnknownExperiment, UnknownUser
from analytics.impressions import ImpressionItem, record_impressions
from analytics.patterns import Window, temporal_patterns
from analytics.performance import feed_performance
from analytics.profile import behaviour_profile
from analytics.quality import engagement_quality
from graph.settings import get_settings

pytestmark = pytest.mark.services

UTC = timezone.utc
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)  # "today" for every test: 2025-03-20
P1, P2, P3 = "a1" * 16, "b2" * 16, "c3" * 16


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    """A time in March 2025 (UTC)."""
    return datetime(2025, 3, day, hour, minute, second, micro, tzinfo=UTC)


class Rows:
    """Inserts activity rows the way the platform's Django models would (every NOT NULL column set)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def _common(self, ts: datetime, metadata: Any) -> tuple[Any, ...]:
        return (uuid.uuid4(), ts, ts, ts, json.dumps({} if metadata is None else metadata))

    def user(self, *ids: int) -> None:
        for i in ids:
            self.conn.execute(
                """INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email,
                                          is_staff, is_active, date_joined)
                   VALUES (%s, '', false, %s, '', '', '', false, true, %s)""",
                (i, f"user{i}", NOW),
            )

    def content(self, user: int, ctype: str, cid: str, itype: str, ts: datetime, *, duration: int | None = None,
                scroll: float | None = None, metadata: Any = None) -> None:
        self.conn.execute(
            """INSERT INTO content_interaction (uid, created_at, updated_at, "timestamp", metadata, content_type,
                   content_id, interaction_type, duration_seconds, scroll_depth_percentage, user_id)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
            (*self._common(ts, metadata), ctype, cid, itype, duration, scroll, user),
        )

    def impression(self, user: int, cid: str, ts: datetime, source: str = "analytics_feed") -> None:
        self.content(user, "post", cid, "view", ts,
                     metadata={"source": "feed_view", "algorithm": "analytics_based", "content_source": source})

    def social(self, user: int, itype: str, ts: datetime, target: int | None = None, metadata: Any = None) -> None:
        self.conn.execute(
            """INSERT INTO social_interaction (uid, created_at, updated_at, "timestamp", metadata, interaction_type,
                   context_type, context_id, target_user_id, user_id)
               VALUES (%s, %s, %s, %s, %s, %s, 'profile', %s, %s, %s)""",
            (*self._common(ts, metadata), itype, None if target is None else str(target), target, user),
        )

    def profile(self, visitor: int, owner: int, atype: str, ts: datetime, metadata: Any = None) -> None:
        self.conn.execute(
            """INSERT INTO profile_activity (uid, created_at, updated_at, "timestamp", metadata, activity_type,
                   duration_seconds, profile_owner_id, visitor_id)
               VALUES (%s, %s, %s, %s, %s, %s, NULL, %s, %s)""",
            (*self._common(ts, metadata), atype, owner, visitor),
        )

    def media(self, user: int, mtype: str, mid: str, itype: str, ts: datetime) -> None:
        self.conn.execute(
            """INSERT INTO media_interaction (uid, created_at, updated_at, "timestamp", metadata, media_type, media_id,
                   media_url, interaction_type, duration_seconds, position_seconds, user_id)
               VALUES (%s, %s, %s, %s, %s, %s, %s, NULL, %s, NULL, NULL, %s)""",
            (*self._common(ts, None), mtype, mid, itype, user),
        )

    def session(self, user: int, start: datetime, *, end: datetime | None = None, duration: int | None = None,
                stype: str = "web") -> None:
        self.conn.execute(
            """INSERT INTO session_activity (uid, created_at, updated_at, "timestamp", metadata, session_id,
                   session_type, start_time, end_time, duration_seconds, pages_visited, actions_performed,
                   device_info, location_data, referrer, exit_page, user_id)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0, 0, '{}', '{}', NULL, NULL, %s)""",
            (*self._common(start, None), uuid.uuid4().hex, stype, start, end, duration, user),
        )

    def vibe(self, user: int, atype: str, ts: datetime, target: str | None = None, score: float | None = 3.0) -> None:
        self.conn.execute(
            """INSERT INTO vibe_activity (uid, created_at, updated_at, "timestamp", metadata, activity_type, vibe_type,
                   vibe_id, vibe_name, vibe_category, target_user_id, vibe_score, iq_impact, aq_impact, sq_impact,
                   hq_impact, success, error_message, user_id)
               VALUES (%s, %s, %s, %s, %s, %s, 'individual', 'v1', NULL, NULL, %s, %s, NULL, NULL, NULL, NULL,
                       true, NULL, %s)""",
            (*self._common(ts, None), atype, target, score, user),
        )

    def activity(self, user: int, atype: str, ts: datetime) -> None:
        self.conn.execute(
            """INSERT INTO user_activity (uid, created_at, updated_at, "timestamp", metadata, activity_type,
                   description, success, user_id)
               VALUES (%s, %s, %s, %s, %s, %s, NULL, true, %s)""",
            (*self._common(ts, None), atype, user),
        )

    def aggregation(self, user: int, kind: str, day: date, counts: dict[str, int], score: float) -> None:
        self.conn.execute(
            """INSERT INTO activity_aggregation (aggregation_type, date, activity_counts, engagement_score, created_at,
                   updated_at, user_id) VALUES (%s, %s, %s, %s, %s, %s, %s)""",
            (kind, day, json.dumps(counts), score, NOW, NOW, user),
        )


@pytest.fixture()
def pg(activity_db: str) -> Iterator[tuple[psycopg.Connection[Any], Rows, str]]:
    with psycopg.connect(activity_db, autocommit=True) as conn:
        yield conn, Rows(conn), activity_db


def agg_rows(conn: psycopg.Connection[Any], kind: str, day: date) -> dict[int, tuple[Any, float, int]]:
    rows = conn.execute(
        "SELECT user_id, activity_counts, engagement_score, id FROM activity_aggregation "
        "WHERE aggregation_type = %s AND date = %s", (kind, day)).fetchall()
    return {int(r[0]): (r[1], float(r[2]), int(r[3])) for r in rows}


# -- aggregation --------------------------------------------------------------------------------------------------


def _aggregation_rows(r: Rows) -> None:
    r.user(1, 2, 3)
    monday = 10  # 2025-03-10 is a Monday
    # user 1's content interactions on Monday; each one's score (write-up 3.2.2, the sync's weights):
    r.content(1, "post", P1, "like", at(monday, 10))  # 0.3
    r.content(1, "post", P1, "view", at(monday, 10, 5), duration=120, scroll=50.0)  # 0.1 + 2*0.1 + 0.5*0.2 = 0.4
    r.impression(1, P2, at(monday, 9))  # a feed impression: 'feed_impression', no score
    r.content(1, "post", P1, "comment", at(monday, 11), duration=600, scroll=math.nan)  # 0.5 + 5*0.1 (cap) = 1.0
    r.content(1, "post", P3, "view", at(monday, 12), duration=2_000_000_000, scroll=250.0)  # 0.1, no bonus
    r.content(1, "connection", "d4" * 16, "send_request", at(monday, 13))  # counted, no score
    r.content(1, "post", P3, " Like", at(monday, 14))  # normalised to 'like': 0.3
    # -> mean (0.3 + 0.4 + 1.0 + 0.1 + 0.3) / 5 = 0.42
    r.content(1, "post", P3, "share", at(monday + 1))  # Tuesday 00:00:00: the next day
    r.content(1, "post", P3, "save", at(monday - 1, 23, 59, 59))  # Sunday: the day before
    r.social(1, "profile_visit", at(monday, 15), target=2)
    r.profile(1, 2, "profile_view", at(monday, 15))  # counts for the visitor
    r.media(1, "image", "img1", "view", at(monday, 16))
    r.session(1, at(monday, 8), end=at(monday, 9))
    r.vibe(1, "vibe_send", at(monday, 17), target="2")
    r.activity(1, "login", at(monday, 8))
    r.activity(2, "logout", at(monday, 18))  # user 2: counts only, score 0
    # user 3 has nothing on Monday but a row the platform wrote for it: the re-aggregation removes it
    r.aggregation(3, "daily", date(2025, 3, monday), {"login": 3}, 1.0)


def test_aggregate_daily_counts_and_score_by_hand(pg: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    conn, r, url = pg
    _aggregation_rows(r)
    report = aggregate("daily", date(2025, 3, 10), url=url, now=NOW)
    assert [(x.written, x.removed) for x in report.results] == [(2, 1)]
    rows = agg_rows(conn, "daily", date(2025, 3, 10))
    assert set(rows) == {1, 2}
    counts, score, _ = rows[1]
    assert counts == {
        "content_interaction": {"like": 2, "view": 2, "comment": 1, "feed_impression": 1, "send_request": 1},
        "social_interaction": {"profile_visit": 1},
        "profile_activity": {"profile_view": 1},
        "media_interaction": {"view": 1},
        "session_activity": {"web": 1},
        "vibe_activity": {"vibe_send": 1},
        "user_activity": {"login": 1},
    }
    assert score == pytest.approx(0.42)
    assert rows[2][0] == {"user_activity": {"logout": 1}} and rows[2][1] == 0.0


def test_aggregate_rerun_replaces_and_counts_nothing_twice(pg: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    conn, r, url = pg
    _aggregation_rows(r)
    aggregate("daily", date(2025, 3, 9), date(2025, 3, 11), url=url, now=NOW)
    first = agg_rows(conn, "daily", date(2025, 3, 10))
    aggregate("daily", date(2025, 3, 9), date(2025, 3, 11), url=url, now=NOW)
    assert agg_rows(conn, "daily", date(2025, 3, 10)) == first  # same rows, same ids, same values
    r.content(1, "post", P1, "share", at(10, 20))  # a late row: 0.7
    conn.execute("DELETE FROM user_activity WHERE user_id = 2")
    aggregate("daily", date(2025, 3, 10), url=url, now=NOW)
    after = agg_rows(conn, "daily", date(2025, 3, 10))
    assert set(after) == {1}  # user 2 has no activity any more: row removed
    assert after[1][2] == first[1][2]  # updated in place (same id)
    assert after[1][0]["content_interaction"]["share"] == 1
    assert after[1][1] == pytest.approx((0.3 + 0.4 + 1.0 + 0.1 + 0.3 + 0.7) / 6)
    total = conn.execute("SELECT count(*) FROM activity_aggregation WHERE aggregation_type = 'daily'").fetchone()
    assert total is not None and total[0] == 3  # 03-09, 03-10, 03-11 for user 1 only
    # the neighbours got their own rows: Sunday's save, Tuesday's share
    assert agg_rows(conn, "daily", date(2025, 3, 9))[1][0] == {"content_interaction": {"save": 1}}
    assert agg_rows(conn, "daily", date(2025, 3, 11))[1][0] == {"content_interaction": {"share": 1}}


def test_aggregate_weekly_and_monthly_periods(pg: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    conn, r, url = pg
    _aggregation_rows(r)
    weekly = aggregate("weekly", date(2025, 3, 12), url=url, now=NOW)  # a Wednesday: the week of Monday 03-10
    assert [x.period.date for x in weekly.results] == [date(2025, 3, 10)]
    week = agg_rows(conn, "weekly", date(2025, 3, 10))
    assert week[1][0]["content_interaction"]["share"] == 1 and "save" not in week[1][0]["content_interaction"]
    monthly = aggregate("monthly", date(2025, 3, 1), date(2025, 3, 20), url=url, now=NOW)
    assert [x.period.date for x in monthly.results] == [date(2025, 3, 1)]
    month = agg_rows(conn, "monthly", date(2025, 3, 1))
    ci = month[1][0]["content_interaction"]
    assert ci["share"] == 1 and ci["save"] == 1 and ci["like"] == 2
    # scores: the week adds Tuesday's share (0.7); the month also Sunday's save (0.6)
    assert week[1][1] == pytest.approx((2.1 + 0.7) / 6)
    assert month[1][1] == pytest.approx((2.1 + 0.7 + 0.6) / 7)


def test_aggregate_empty_days_are_not_an_error(pg: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    conn, r, url = pg
    r.user(1)
    report = aggregate("daily", date(2025, 3, 1), date(2025, 3, 3), url=url, now=NOW)
    assert [x.written for x in report.results] == [0, 0, 0]
    row = conn.execute("SELECT count(*) FROM activity_aggregation").fetchone()
    assert row is not None and row[0] == 0


@pytest.mark.parametrize(("kind", "start", "end", "message"), [
    ("daily", date(2025, 3, 12), date(2025, 3, 10), "is after"),
    ("daily", date(2025, 3, 19), date(2025, 3, 21), "in the future"),
    ("daily", date(1999, 12, 31), date(2025, 3, 1), "out of range"),
    ("yearly", date(2025, 3, 1), date(2025, 3, 1), "unknown period type"),
])
def test_aggregate_bad_input_writes_nothing(pg: tuple[psycopg.Connection[Any], Rows, str], kind: str, start: date,
                                            end: date, message: str) -> None:
    conn, r, url = pg
    _aggregation_rows(r)
    before = conn.execute("SELECT count(*), coalesce(sum(id), 0) FROM activity_aggregation").fetchone()
    with pytest.raises(InvalidPeriod, match=message):
        aggregate(kind, start, end, url=url, now=NOW)
    assert conn.execute("SELECT count(*), coalesce(sum(id), 0) FROM activity_aggregation").fetchone() == before


def test_aggregate_failure_midway_leaves_nothing_partial(pg: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    conn, r, url = pg
    _aggregation_rows(r)

    def fail_on_second(result: Any, i: int, n: int) -> None:
        if i == 2:
            raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError):
        aggregate("daily", date(2025, 3, 9), date(2025, 3, 11), url=url, now=NOW, progress=fail_on_second)
    rows = conn.execute("SELECT user_id, date FROM activity_aggregation").fetchall()
    assert rows == [(3, date(2025, 3, 10))]  # only the platform's row, untouched


# -- engagement quality -------------------------------------------------------------------------------------------


def test_engagement_quality_by_hand(pg: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    _, r, url = pg
    r.user(1, 2)
    now = at(15)  # window [03-08, 03-15)
    r.content(1, "post", P1, "view", at(10), duration=30, scroll=40.0)  # weight 1
    r.content(2, "post", P1, "view", at(11), duration=90, scroll=math.nan)  # 1; NaN depth left out of the mean
    r.content(2, "post", P1, "like", at(11))  # 3
    r.content(1, "post", P1, "share", at(12))  # 7
    r.content(1, "post", P1, "unlike", at(12))  # 0
    r.content(2, "post", P1.upper(), "view", at(13), duration=2_000_000_000, scroll=100.0)  # 1; absurd duration
    r.impression(1, P1, at(13))  # not an interaction
    r.content(1, "post", P1, "view", at(7, 23, 59))  # before the window
    r.content(1, "post", P1, "view", at(15))  # at `now`: after the window
    # P2: logged as 'community_post' and as 'post' (the feed's name for it): one item
    r.content(1, "community_post", P2, "comment", at(10))  # 5
    r.content(2, "post", P2, "save", at(10))  # 6
    r.content(2, "post", P2, "superlike", at(10))  # an unknown type: the write-up's ELSE 1
    # not content, or not a content uid
    r.content(1, "page", "/feed", "scroll", at(10), scroll=50.0)
    r.content(1, "post", "undefined", "like", at(10))
    r.content(1, "connection", P3, "accepted", at(10))
    items = engagement_quality(now=now, url=url)
    assert [i.content_id for i in items] == [P1, P2]
    a, b = items
    assert (a.interaction_count, a.engagement_score) == (6, 13.0)  # 1 + 1 + 3 + 7 + 0 + 1
    assert a.engagement_quality == pytest.approx(13 / 6)
    assert a.avg_time_spent == pytest.approx(60.0)  # (30 + 90) / 2
    assert a.avg_scroll_depth == pytest.approx(70.0)  # (40 + 100) / 2
    assert a.content_types == ("post",)
    assert (b.interaction_count, b.engagement_score, b.engagement_quality) == (3, 12.0, 4.0)
    assert b.content_types == ("community_post", "post")
    assert b.avg_time_spent is None and b.avg_scroll_depth is None
    assert [i.content_id for i in engagement_quality(now=now, window_days=1, url=url)] == []  # nothing on 03-14


# -- temporal patterns ----------------------------------------------------------------------------------------------


def test_temporal_patterns_by_hand(pg: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    _, r, url = pg
    r.user(1, 2, 3)
    # user 1, week of Monday 03-10 (window: 7 days ending Sunday 03-16)
    for minute in (0, 10, 20):
        r.content(1, "post", P1, "view", at(10, 9, minute))
    r.social(1, "profile_visit", at(10, 10), target=2)  # 40 min after 09:20: a new session
    r.content(1, "post", P1, "like", at(12, 14))
    r.content(1, "post", P1, "comment", at(12, 14, 5))
    for k in range(3):  # one feed load, three items shown in the same second: one action
        r.impression(1, P2, at(12, 20, 0, 0, 40_000 * k))
    r.vibe(1, "vibe_send", at(16, 9, 30), target="2")
    r.media(1, "image", "img", "view", at(16, 9, 40))
    r.profile(1, 2, "profile_view", at(16, 22), metadata={"query_type": "profile_by_user_id"})  # the twin: left out
    r.content(1, "post", P1, "view", at(9, 9))  # before the window
    # user 2: recorded sessions on Tuesday 03-11
    r.session(2, at(11, 8), duration=600)
    r.session(2, at(11, 12), end=at(11, 12, 20))  # 1200 s from end - start
    r.session(2, at(11, 15))  # still open: no length
    r.session(2, at(11, 16), duration=1_000_000_000)  # absurd: left out
    win = Window(date(2025, 3, 16), 7)
    p1, p2 = temporal_patterns(win, url=url)
    # user 1: hours 9 (09:00, 09:10, 09:20, Sun 09:30, 09:40) = 5, 14 = 2, 10 = 1, 20 = 1
    assert p1.peak_hours == [9, 14, 10]
    assert p1.hour_hist[9] == 5 and p1.hour_hist[20] == 1 and sum(p1.hour_hist) == 9
    assert p1.weekday_hist == [4, 0, 3, 0, 0, 0, 2]
    assert (p1.active_days, p1.actions) == (3, 9)
    assert p1.activity_consistency == pytest.approx(3 / 7)
    # daily counts over the 7 days: 4, 0, 3, 0, 0, 0, 2 -> mean 9/7, mean of squares 29/7
    assert p1.daily_cv == pytest.approx(math.sqrt(29 / 7 - (9 / 7) ** 2) / (9 / 7))
    # inferred sessions (gap > 30 min): Mon 09:00-09:20 (1200 s), Mon 10:00 (0), Wed 14:00-14:05 (300),
    # Wed 20:00 (0), Sun 09:30-09:40 (600): median 300
    assert (p1.session_source, p1.session_count, p1.session_len_median) == ("inferred", 5, 300.0)
    # user 2: four session starts on Tuesday; recorded lengths 600 and 1200
    assert p2.peak_hours == [8, 12, 15]
    assert p2.weekday_hist == [0, 4, 0, 0, 0, 0, 0]
    assert (p2.session_source, p2.session_count, p2.session_len_median) == ("recorded", 2, 900.0)
    only = temporal_patterns(win, user_id=2, url=url)
    assert only == [p2]
    assert temporal_patterns(win, user_id=3, url=url) == []  # a user with no activity: no row, no error
    with pytest.raises(UnknownUser):
        temporal_patterns(win, user_id=999, url=url)


# -- behaviour profile ----------------------------------------------------------------------------------------------


def test_behaviour_profile_sections(pg: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    _, r, url = pg
    r.user(1, 2, 3)
    r.content(2, "post", P1, "create", at(10, 8))  # user 2 wrote P1
    r.content(1, "post", P1, "view", at(10, 9), duration=20, scroll=80.0)
    r.content(1, "post", P1, "like", at(10, 9, 1))
    r.content(1, "story", P2, "view", at(11, 21), duration=40, scroll=20.0)
    r.impression(1, P3, at(11, 20))
    r.content(1, "post", P3, "create", at(12, 10))  # user 1 wrote P3 ...
    r.content(2, "post", P3, "comment", at(12, 11))  # ... which user 2 commented on (weight 5)
    r.content(3, "post", P3, "view", at(12, 12))  # ... and user 3 viewed (weight 1)
    r.social(1, "profile_visit", at(10, 10), target=2)
    r.social(2, "profile_visit", at(10, 11), target=1)
    r.social(1, "message_send", at(10, 12))
    r.vibe(1, "vibe_send", at(10, 13), target="3")
    p = behaviour_profile(1, end_date=date(2025, 3, 16), days=7, url=url, now=NOW)
    assert (p.start_date, p.end_date) == (date(2025, 3, 10), date(2025, 3, 16))
    c = p.consumption
    assert (c.interactions, c.impressions) == (3, 1)
    assert c.content_types == {"post": 2, "story": 1} and c.preferred_content_type == "post"
    assert c.interaction_types == {"view": 2, "like": 1}
    assert c.avg_time_spent == pytest.approx(30.0) and c.avg_scroll_depth == pytest.approx(50.0)
    assert c.consumption_peak_hours == [9, 21]
    s = p.social
    assert (s.profile_visits, s.profiles_visited, s.visits_received, s.messages_sent, s.vibes_sent) == (1, 1, 1, 1, 1)
    q = p.quality
    assert q.created == {"post": 1} and q.items_owned == 1
    assert (q.engagement_received, q.engagers, q.engagement_score_received) == (2, 2, 6.0)
    # out: 2 (author of P1, visited), 3 (vibed); in: 2 (visited me, commented), 3 (viewed P3): all mutual
    assert (q.partners_out, q.partners_in, q.partners_both, q.engagement_reciprocity) == (2, 2, 2, 1.0)
    t = p.temporal
    assert t.active_days == 3 and t.session_source == "inferred"
    assert json.loads(p.to_json())["quality"]["created"] == {"post": 1}
    quiet = behaviour_profile(3, end_date=date(2025, 3, 9), days=7, url=url, now=NOW)
    assert quiet.consumption.interactions == 0 and quiet.temporal.peak_hours == []
    with pytest.raises(UnknownUser, match="unknown user 42"):
        behaviour_profile(42, end_date=date(2025, 3, 16), url=url, now=NOW)
    with pytest.raises(UnknownUser):
        behaviour_profile("robert'); DROP TABLE auth_user;--", url=url, now=NOW)
    with pytest.raises(InvalidPeriod, match="future"):
        behaviour_profile(1, end_date=date(2025, 3, 21), url=url, now=NOW)


# -- feed performance and A/B ------------------------------------------------------------------------------------


def test_feed_performance_ctr_by_hand(pg: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    _, r, url = pg
    r.user(1, 2)
    r.impression(1, P1, at(10, 10))  # superseded by the 10:20 impression of the same item
    r.impression(1, P2, at(10, 10))
    r.impression(1, P1, at(10, 10, 20))
    r.impression(2, P1, at(10, 11), source="fallback")
    r.content(1, "post", P1, "like", at(10, 10, 30))  # -> the 10:20 impression: clicked and engaged
    r.content(1, "post", P2, "view", at(12, 10))  # two days later: outside the 24 h window
    r.content(2, "post", P1, "unlike", at(10, 11, 30))  # not a click
    r.content(2, "post", P1, "view", at(10, 11, 45))  # clicked, not engaged
    rows = {(x.day, x.source): x for x in feed_performance(date(2025, 3, 10), url=url, now=NOW)}
    feed = rows[(date(2025, 3, 10), "analytics_feed")]
    assert (feed.origin, feed.algorithm_version) == ("feed_view", "analytics_based")
    assert (feed.impressions, feed.clicks, feed.engagements, feed.users) == (3, 1, 1, 1)
    assert feed.ctr.value == pytest.approx(1 / 3) and feed.engagement_rate.value == pytest.approx(1 / 3)
    fallback = rows[(date(2025, 3, 10), "fallback")]
    assert (fallback.impressions, fallback.clicks, fallback.engagements) == (1, 1, 0)
    # recorded impressions are attributed on their own (the same like also counts for them)
    record_impressions(1, [("post", P1)], algorithm_version="graph_v1", shown_at=at(10, 10, 25), url=url)
    recorded = [x for x in feed_performance(date(2025, 3, 10), url=url, now=NOW) if x.origin == "recorded"]
    assert [(x.algorithm_version, x.source, x.impressions, x.clicks, x.engagements) for x in recorded] == [
        ("graph_v1", "recorded", 1, 1, 1)]
    total = feed_performance(date(2025, 3, 10), by_day=False, recorded=False, url=url, now=NOW)
    assert {(x.day, x.source, x.impressions) for x in total} == {(None, "analytics_feed", 3), (None, "fallback", 1)}


EXPERIMENTS = ab.Experiments.model_validate({"experiments": {
    "exp": ab.ExperimentConfig(variants={
        "control": ab.VariantConfig(weight=1.0),
        "treatment": ab.VariantConfig(weight=1.0, feed_weights={"components": {"social": 0.3}}),
    }),
}})


def test_record_impressions_validates_and_writes_nothing_on_error(
    pg: tuple[psycopg.Connection[Any], Rows, str],
) -> None:
    conn, r, url = pg
    r.user(1)
    n = record_impressions(1, [("Post", P1), ImpressionItem("post", P2, position=7)], experiment="exp",
                           shown_at=at(10), url=url, experiment_settings=EXPERIMENTS)
    assert n == 2
    variant = ab.assign("exp", 1, EXPERIMENTS)
    rows = conn.execute("SELECT content_type, content_id, position, experiment, variant, algorithm_version "
                        "FROM activity_graph_feed_impression ORDER BY position").fetchall()
    version = f"exp:{variant}"
    assert rows == [("post", P1, 1, "exp", variant, version), ("post", P2, 7, "exp", variant, version)]
    bad_calls: list[tuple[type[Exception], dict[str, Any]]] = [
        (InvalidImpression, {"user_id": 1, "items": [("post", P1), ("post", "")], "algorithm_version": "v"}),
        (InvalidImpression, {"user_id": 1, "items": [("post", P1), ("post", "x" * 101)], "algorithm_version": "v"}),
        (InvalidImpression, {"user_id": 1, "items": [ImpressionItem("post", P1, position=-1)],
                             "algorithm_version": "v"}),
        (InvalidImpression, {"user_id": 1, "items": [("post", P1)]}),  # no algorithm version
        (InvalidImpression, {"user_id": 1, "items": [("post", P1)], "algorithm_version": "v",
                             "shown_at": NOW.replace(year=2100)}),
        (UnknownUser, {"user_id": 77, "items": [("post", P1)], "algorithm_version": "v"}),
        (UnknownExperiment, {"user_id": 1, "items": [("post", P1)], "experiment": "nope"}),
        (UnknownExperiment, {"user_id": 1, "items": [("post", P1)], "experiment": "exp", "variant": "other"}),
    ]
    for error, kwargs in bad_calls:
        with pytest.raises(error):
            record_impressions(**kwargs, url=url, experiment_settings=EXPERIMENTS)
    count = conn.execute("SELECT count(*) FROM activity_graph_feed_impression").fetchone()
    assert count is not None and count[0] == 2


def test_ab_report_z_test_by_hand(pg: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    _, r, url = pg
    control_users, treatment_users = list(range(11, 21)), list(range(21, 31))
    r.user(*control_users, *treatment_users)
    shown = at(10, 12)
    # control: 20 impressions per user, 2 clicks each (20), the first click a like for 8 users (8 engagements)
    # treatment: 20 impressions per user, 4 clicks for 6 users and 3 for 4 (36), 2 likes each (20 engagements)
    clicks = {u: 2 for u in control_users} | {u: 4 if k < 6 else 3 for k, u in enumerate(treatment_users)}
    likes = {u: 1 if k < 8 else 0 for k, u in enumerate(control_users)} | {u: 2 for u in treatment_users}
    for u in control_users + treatment_users:
        items = [("post", f"{u:04d}{i:028d}") for i in range(20)]
        variant = "control" if u in control_users else "treatment"
        record_impressions(u, items, experiment="exp", variant=variant, shown_at=shown, url=url,
                           experiment_settings=EXPERIMENTS)
        for i in range(clicks[u]):
            r.content(u, "post", items[i][1], "like" if i < likes[u] else "view", shown + timedelta(minutes=5))
    report = ab_report("exp", url=url, now=NOW, experiments=EXPERIMENTS)
    control, treatment = report.variant("control"), report.variant("treatment")
    assert (control.users, control.impressions, control.clicks, control.engagements) == (10, 200, 20, 8)
    assert (treatment.users, treatment.impressions, treatment.clicks, treatment.engagements) == (10, 200, 36, 20)
    assert control.ctr_test is None and treatment.ctr_test is not None and treatment.engagement_test is not None
    # by hand: p = 56/400 = 0.14, se = sqrt(0.14 * 0.86 * (1/200 + 1/200)) = sqrt(0.001204) = 0.0346987,
    # z = (0.18 - 0.10) / se = 2.305562, p = 2 (1 - Phi(z)) = 0.021135
    assert treatment.ctr_test.z == pytest.approx(2.305562, abs=1e-6)
    assert treatment.ctr_test.p_value == pytest.approx(0.021135, abs=1e-6)
    assert treatment.ctr_test.p_value == pytest.approx(2 * (1 - NormalDist().cdf(2.3055616708169397)), rel=1e-9)
    assert treatment.ctr_test.relative_lift == pytest.approx(0.8)
    # engagement: 8/200 vs 20/200: p = 0.07, z = 0.06 / sqrt(0.07 * 0.93 * 0.01) = 2.351585
    assert treatment.engagement_test.z == pytest.approx(2.351585, abs=1e-6)
    assert treatment.engagement_test.p_value < report.alpha
    # Wilson interval of the control's CTR (20/200) by hand: centre (0.1 + z²/400) / (1 + z²/200), ...
    z = 1.959964
    centre = (0.1 + z * z / 400) / (1 + z * z / 200)
    half = z * math.sqrt(0.1 * 0.9 / 200 + z * z / 160000) / (1 + z * z / 200)
    assert (control.ctr.low, control.ctr.high) == pytest.approx((centre - half, centre + half), abs=1e-6)
    assert report.sample_ratio.p_value == pytest.approx(1.0)  # 10 users each, weights 1:1
    with pytest.raises(UnknownExperiment, match="unknown experiment 'missing'"):
        ab_report("missing", url=url, now=NOW, experiments=EXPERIMENTS)
    empty = ab.Experiments.model_validate({"experiments": {"fresh": EXPERIMENTS.experiments["exp"]}})
    fresh = ab_report("fresh", url=url, now=NOW, experiments=empty)
    assert [v.impressions for v in fresh.variants] == [0, 0] and fresh.notes


# -- the CLI -----------------------------------------------------------------------------------------------------------


@pytest.fixture()
def cli_db(pg: tuple[psycopg.Connection[Any], Rows, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[
        tuple[psycopg.Connection[Any], Rows, str]]:
    monkeypatch.setenv("DATABASE_URL", pg[2])
    get_settings.cache_clear()
    yield pg
    monkeypatch.undo()
    get_settings.cache_clear()


def test_cli_aggregate_profile_and_errors(cli_db: tuple[psycopg.Connection[Any], Rows, str]) -> None:
    from analytics.cli import ab_app, app

    conn, r, _ = cli_db
    _aggregation_rows(r)
    runner = CliRunner()
    for _ in range(2):  # idempotent
        init = runner.invoke(app, ["init"])
        assert init.exit_code == 0, init.output
    indexes = conn.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'ag_analytics_%'").fetchone()
    assert indexes is not None and indexes[0] == 7
    ok = runner.invoke(app, ["aggregate", "--from", "2025-03-09", "--to", "2025-03-11"])
    assert ok.exit_code == 0, ok.output
    assert "3 period(s)" in ok.output
    assert set(agg_rows(conn, "daily", date(2025, 3, 10))) == {1, 2}
    for args, message in [
        (["aggregate", "--from", "2025-03-11", "--to", "2025-03-09"], "is after"),
        (["aggregate", "--date", "2999-01-01"], "in the future"),
        (["aggregate", "--from", "2025-03-11"], "give --date D, or both"),
        (["profile", "12345"], "unknown user 12345"),
    ]:
        bad = runner.invoke(app, args)
        assert bad.exit_code == 2 and message in bad.output, (args, bad.output)
    profile = runner.invoke(app, ["profile", "1", "--end", "2025-03-16", "--days", "7", "--json"])
    assert profile.exit_code == 0, profile.output
    assert json.loads(profile.output)["social"]["profile_visits"] == 2  # the social visit and the profile page
    missing = runner.invoke(ab_app, ["report", "no_such_experiment"])
    assert missing.exit_code == 2 and "unknown experiment 'no_such_experiment'" in missing.output
