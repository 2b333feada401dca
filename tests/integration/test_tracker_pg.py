"""The tracker against the real Postgres: the rows it writes, bad input, outages, replays.

"The row the platform's model would write" is checked literally: the same operations go through the tracker
into one scratch database and, as the platform's services pass them to ``objects.create``, through the
platform's Django models (tests/django_platform, Django 4.2) into a twin database; every column but the
generated ones (id, uid, created_at, updated_at, timestamp) must match.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from psycopg import sql

from graph.settings import REPO_ROOT, Settings
from tracker import ActivityTracker, InvalidUser, MissingValue, TrackerSettings, UnresolvableUser
from tracker.errors import WriterUnavailable
from tracker.resolver import MappingResolver
from tracker.tables import TABLES
from tracker.writer import BatchWriter, PgWriter, WriteOutcome

pytestmark = [pytest.mark.services, pytest.mark.graph_facing]

T0 = dt.datetime(2025, 11, 1, 12, 0, tzinfo=dt.timezone.utc)
POST = "0123456789abcdef0123456789abcdef"
COMMUNITY = "c0ffee00c0ffee00c0ffee00c0ffee00"
VIBE = "feedfacefeedfacefeedfacefeedface"
GENERATED = {"id", "uid", "created_at", "updated_at", "timestamp"}


# --- fixtures ---------------------------------------------------------------------------------------


def _add_users(url: str, n: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined) SELECT g, '', false, 'user' || g, '', '', '', false, true, now()"
            " FROM generate_series(1, %s) g",
            (n,),
        )


@pytest.fixture()
def db(activity_db: str) -> str:
    _add_users(activity_db, 20)
    return activity_db


@pytest.fixture()
def twin_db(base_settings: Settings) -> Iterator[str]:
    """A second scratch database with the same schema and users, for the platform's models to write into."""
    from activity.schema import init_schema

    admin = base_settings.database_url.get_secret_value()
    name = f"ag_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = f"{admin.rpartition('/')[0]}/{name}"
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            init_schema(conn)
        _add_users(url, 20)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def make_tracker(url: str, spool: Path, *, strict: bool = True, **kw: Any) -> ActivityTracker:
    settings = TrackerSettings(database_url=url, spool_dir=spool, strict=strict, retry_initial_s=0.01,
                               retry_max_s=0.05)
    return ActivityTracker(settings, start=False, **kw)


def table_rows(url: str, table: str, exclude: set[str] = GENERATED) -> list[str]:
    """The table's rows without the generated columns, metadata's own timestamp key dropped, sorted."""
    cols = [c for c in TABLES[table].column_names if c not in exclude]
    quoted = ", ".join(f'"{c}"' for c in cols)
    query = f"SELECT {quoted} FROM {table}"
    out = []
    with psycopg.connect(url) as conn:
        for row in conn.execute(query):
            values = dict(zip(cols, row, strict=True))
            meta = values.get("metadata")
            if isinstance(meta, dict):
                meta.pop("timestamp", None)  # the analytics mutations stamp now() into metadata
            out.append(json.dumps(values, sort_keys=True, default=str))
    return sorted(out)


def count(url: str, table: str, where: str = "TRUE") -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()
    assert row is not None
    return int(row[0])


def platform_write(url: str, ops: list[dict[str, Any]]) -> None:
    env = {**os.environ, "PLATFORM_DATABASE_URL": url}
    script = REPO_ROOT / "tests" / "django_tracker" / "platform_writes.py"
    done = subprocess.run([sys.executable, str(script)], input=json.dumps(ops, default=str), text=True,
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


def create(model: str, **kwargs: Any) -> dict[str, Any]:
    return {"op": "create", "model": model, "kwargs": kwargs}


# --- every operation writes the platform's row ------------------------------------------------------


def test_every_operation_writes_the_row_the_platform_model_would(db: str, twin_db: str, tmp_path: Path) -> None:
    t = make_tracker(db, tmp_path)
    ua, ip = "Mozilla/5.0 (X11)", "10.0.0.1"
    ops: list[dict[str, Any]] = []

    # user_activity: the login receiver (track_activity_async / _sync).
    login_meta = {"login_method": "standard", "session_key": "abc"}
    assert t.track_activity_async(1, "login", "User logged in from 10.0.0.1", True, ip, ua, login_meta)
    ops.append(create("UserActivity", user_id=1, activity_type="login", description="User logged in from 10.0.0.1",
                      success=True, ip_address=ip, user_agent=ua, metadata=login_meta))
    assert t.track_activity_sync(SimpleNamespace(pk=2), "error", success=False)
    ops.append(create("UserActivity", user_id=2, activity_type="error", success=False))

    # content_interaction: the static method merges the content fields into metadata.
    assert t.track_content_interaction(SimpleNamespace(user_id="1"), "post", POST, "like", ip_address=ip,
                                       user_agent=ua, metadata={"vibe": 3})
    ops.append(create("ContentInteraction", user_id=1, content_type="post", content_id=POST, interaction_type="like",
                      ip_address=ip, user_agent=ua,
                      metadata={"content_type": "post", "content_id": POST, "interaction_type": "like", "vibe": 3}))
    # A feed impression (post/graphql/query.py): metadata.source = feed_view.
    feed = {"source": "feed_view", "algorithm": "analytics_based", "content_source": "fallback"}
    assert t.track_content_interaction(3, "post", POST, "view", metadata=feed, timestamp=T0)
    ops.append(create("ContentInteraction", user_id=3, content_type="post", content_id=POST, interaction_type="view",
                      timestamp=T0.isoformat(),
                      metadata={"content_type": "post", "content_id": POST, "interaction_type": "view", **feed}))
    # _by_id: metadata as given, content_id defaulting to "<type>_<user>"; off-list values as written.
    assert t.track_content_interaction_by_id("2", "community", "create", COMMUNITY, {"community_name": "x"})
    ops.append(create("ContentInteraction", user_id=2, content_type="community", content_id=COMMUNITY,
                      interaction_type="create", metadata={"community_name": "x"}))
    assert t.track_content_interaction_by_id(3, "conversation_message", "create")
    ops.append(create("ContentInteraction", user_id=3, content_type="conversation_message",
                      content_id="conversation_message_3", interaction_type="create", metadata={}))
    # TrackScrollDepth / TrackTimeSpent (user_activity mutations): the values reach their columns, as the
    # platform's Celery task wrote them.
    assert t.track_scroll_depth(4, POST, 75.5)
    ops.append(create("ContentInteraction", user_id=4, content_type="post", content_id=POST,
                      interaction_type="scroll_depth", scroll_depth_percentage=75.5,
                      metadata={"content_type": "post", "content_id": POST, "interaction_type": "scroll_depth",
                                "scroll_depth": 75.5}))
    assert t.track_time_spent(4, POST, 12_345, "story")
    ops.append(create("ContentInteraction", user_id=4, content_type="story", content_id=POST,
                      interaction_type="time_spent", duration_seconds=12,
                      metadata={"content_type": "story", "content_id": POST, "interaction_type": "time_spent",
                                "time_ms": 12_345}))
    # The analytics app's TrackScrollDepth / TrackUserSession (page and session content rows).
    assert t.track_page_scroll("5", "https://ooumph.com/feed", 80.0, 12.5, "s-1")
    ops.append(create("ContentInteraction", user_id=5, content_type="page", content_id="https://ooumph.com/feed",
                      interaction_type="scroll",
                      metadata={"max_scroll_depth": 80.0, "time_on_page": 12.5, "session_id": "s-1"}))
    assert t.track_user_session("5", "s-1", "2025-11-01T12:00:00Z", None, 3, "mobile", ua)
    ops.append(create("ContentInteraction", user_id=5, content_type="session", content_id="s-1",
                      interaction_type="session_data",
                      metadata={"session_start": "2025-11-01T12:00:00Z", "session_end": None, "pages_visited": 3,
                                "device_type": "mobile", "user_agent": ua}))

    # social_interaction, with and without a target.
    assert t.track_social_interaction(1, 2, "connection_request", "connection", COMMUNITY, metadata={"k": 1})
    ops.append(create("SocialInteraction", user_id=1, target_user_id=2, interaction_type="connection_request",
                      context_type="connection", context_id=COMMUNITY, metadata={"k": 1}))
    assert t.track_social_interaction(user=3, interaction_type="message_send", context_type="conversation",
                                      context_id="conv-1")
    ops.append(create("SocialInteraction", user_id=3, interaction_type="message_send", context_type="conversation",
                      context_id="conv-1"))

    # profile_activity: a visit is two rows (profile_view + social profile_visit).
    assert t.track_profile_visit(6, 7, 30, ip, ua, {"source": "profile_page"})
    ops.append(create("ProfileActivity", visitor_id=6, profile_owner_id=7, activity_type="profile_view",
                      duration_seconds=30, ip_address=ip, user_agent=ua, metadata={"source": "profile_page"}))
    ops.append(create("SocialInteraction", user_id=6, target_user_id=7, interaction_type="profile_visit",
                      context_type="profile", context_id="7", ip_address=ip, user_agent=ua,
                      metadata={"source": "profile_page"}))
    assert t.track_profile_activity(7, 6, "profile_follow")
    ops.append(create("ProfileActivity", visitor_id=7, profile_owner_id=6, activity_type="profile_follow"))

    # media_interaction.
    assert t.track_media_interaction(8, "comment_media", POST, "view", 5, 2, "https://cdn.ooumph.com/a.jpg",
                                     metadata={"post_uid": POST})
    ops.append(create("MediaInteraction", user_id=8, media_type="comment_media", media_id=POST,
                      interaction_type="view", duration_seconds=5, position_seconds=2,
                      media_url="https://cdn.ooumph.com/a.jpg", metadata={"post_uid": POST}))

    # session_activity: TrackAppSession twice for one session (update_or_create on the platform).
    first = {"session_id": "app-1", "start_time": T0, "end_time": T0 + dt.timedelta(seconds=90), "pages_visited": 4,
             "actions_performed": 2, "device_info": {"os": "ios"}, "location_data": {"city": "Pune"}}
    second = {**first, "end_time": T0 + dt.timedelta(seconds=120), "pages_visited": 6, "actions_performed": 3}
    assert t.track_app_session(9, first)
    assert t.track_app_session(9, SimpleNamespace(**second))  # the GraphQL input object
    for data, duration in ((first, 90), (second, 120)):
        # The replica models have no save() override: pass what the platform's save() computes.
        defaults = {k: v for k, v in data.items() if k != "session_id"} | {"duration_seconds": duration}
        ops.append({"op": "update_or_create", "model": "SessionActivity",
                    "kwargs": {"user_id": 9, "session_id": "app-1"}, "defaults": defaults})

    # vibe_activity: creation, sending (send + receive rows), to a community (no receive row), view, search.
    vibe = {"uid": VIBE, "name": "Joy", "category": "positive", "iq": 1.0, "aq": 2.0, "sq": 3.0, "hq": 4.0,
            "description": "d", "subCategory": "s", "popularity": 7}
    assert t.track_vibe_creation(10, vibe, ip_address=ip)
    ops.append(create("VibeActivity", user_id=10, activity_type="vibe_create", vibe_type="main", vibe_id=VIBE,
                      vibe_name="Joy", vibe_category="positive", success=True, ip_address=ip,
                      metadata={"iq_weight": 1.0, "aq_weight": 2.0, "sq_weight": 3.0, "hq_weight": 4.0,
                                "description": "d", "sub_category": "s", "popularity": 7}))
    like = {"vibe_id": VIBE, "vibe_name": "Like", "vibe_type": "individual", "category": "post_reaction"}
    sent, received = t.track_vibe_sending(SimpleNamespace(user_id="11"), "12", like, 4.0, metadata={"post_id": POST})
    assert sent and received
    weights = {"iq": None, "aq": None, "sq": None, "hq": None}
    ops.append(create("VibeActivity", user_id=11, activity_type="vibe_send", vibe_type="individual", vibe_id=VIBE,
                      vibe_name="Like", vibe_category="post_reaction", target_user_id="12", vibe_score=4.0,
                      metadata={"vibe_weights": weights, "interaction_context": "vibe_send", "post_id": POST}))
    ops.append(create("VibeActivity", user_id=12, activity_type="vibe_receive", vibe_type="individual", vibe_id=VIBE,
                      vibe_name="Like", vibe_category="post_reaction", target_user_id="11", vibe_score=4.0,
                      metadata={"vibe_weights": weights, "interaction_context": "vibe_receive", "post_id": POST,
                                "sender_id": "11"}))
    community_vibe = {"vibe_type": "community", "vibe_name": "Cheer", "category": "community_post_reaction"}
    sent, received = t.track_vibe_sending(13, COMMUNITY, community_vibe, 3.0)
    assert sent and received is None
    ops.append(create("VibeActivity", user_id=13, activity_type="vibe_send", vibe_type="community", vibe_id="None",
                      vibe_name="Cheer", vibe_category="community_post_reaction", target_user_id=COMMUNITY,
                      vibe_score=3.0, metadata={"vibe_weights": weights, "interaction_context": "vibe_send"}))
    assert t.track_vibe_view(14, vibe, 12, view_context="feed")
    ops.append(create("VibeActivity", user_id=14, activity_type="vibe_view", vibe_type="main", vibe_id=VIBE,
                      vibe_name="Joy", vibe_category="positive",
                      metadata={"duration_seconds": 12, "vibe_popularity": 7, "view_context": "feed"}))
    assert t.track_vibe_search(14, "joy", 3)
    ops.append(create("VibeActivity", user_id=14, activity_type="vibe_search", vibe_type="main", vibe_id="search",
                      vibe_name="joy", metadata={"search_query": "joy", "results_count": 3, "search_type": "general"}))

    t.flush()
    assert t.stats.get("written") == len(ops) - 1  # the two session events merge into one row
    platform_write(twin_db, ops)
    for table in TABLES:
        ours, theirs = table_rows(db, table), table_rows(twin_db, table)
        assert ours == theirs, table
    # The generated columns: a fresh v4 uid per row (v5 for the session row), timestamps of the call.
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT uid, created_at, updated_at, timestamp FROM content_interaction").fetchall()
    assert len({r[0] for r in rows}) == len(rows) and all(r[0].version == 4 for r in rows)
    now = dt.datetime.now(dt.timezone.utc)
    assert all(r[1] == r[2] and abs((now - r[1]).total_seconds()) < 60 for r in rows)
    assert T0 in {r[3] for r in rows}  # a caller-given timestamp is kept
    t.close()


# --- bad input gets its documented outcome ----------------------------------------------------------


def test_user_references(db: str, tmp_path: Path) -> None:
    uid = "ab" * 16
    t = make_tracker(db, tmp_path, resolver=MappingResolver({uid: 15}))
    assert t.track_activity(SimpleNamespace(pk=1, user_id=None, is_anonymous=False), "login")  # a Django User
    assert t.track_activity(SimpleNamespace(user_id="2", id=999, uid="x"), "login")  # a Users node
    assert t.track_activity(" 3 ", "login")  # digits
    assert t.track_activity(uid.upper(), "login")  # a Users.uid, resolved by the flusher
    assert t.track_activity("cd" * 16, "login")  # a Users.uid nobody has: a dead letter
    for bad in (None, True, 0, -4, 2**31, "abc", "12ab", SimpleNamespace(pk=None, id=None), object()):
        with pytest.raises(InvalidUser):
            t.track_activity(bad, "login")
    with pytest.raises(InvalidUser, match="anonymous"):
        t.track_activity(SimpleNamespace(is_anonymous=True, pk=None), "login")
    t.flush()
    with psycopg.connect(db) as conn:
        users = [r[0] for r in conn.execute("SELECT user_id FROM user_activity ORDER BY user_id")]
    assert users == [1, 2, 3, 15]
    (dead,) = t.spool.rejected_rows()
    assert "unknown Users.uid: " + "cd" * 16 in dead["error"]

    plain = make_tracker(db, tmp_path / "b")
    with pytest.raises(UnresolvableUser, match=r"Users\.uid"):
        plain.track_activity(uid, "login")
    lenient = make_tracker(db, tmp_path / "c", strict=False)
    assert lenient.track_activity(uid, "login") is None  # refused, logged, counted; never raised
    assert lenient.stats.get("refused:unresolvable_user") == 1
    for tr in (t, plain, lenient):
        tr.close()


def test_values_longer_than_their_column_are_cut_visibly(db: str, tmp_path: Path) -> None:
    t = make_tracker(db, tmp_path)
    url = "https://ooumph.com/" + "p" * 300
    t.track_content_interaction_by_id(1, "connection", "update_relationship_v2", COMMUNITY)
    t.track_page_scroll(1, url, 50.0, 3.0)
    t.flush()
    with psycopg.connect(db) as conn:
        rows = {r[0]: r[1:] for r in conn.execute(
            "SELECT content_type, content_id, interaction_type, metadata FROM content_interaction")}
    content_id, kind, meta = rows["connection"]
    assert kind == "update_relationship…" and len(kind) == 20
    assert meta["_tracker"]["full"] == {"interaction_type": "update_relationship_v2"}
    content_id, kind, meta = rows["page"]
    assert len(content_id) == 100 and content_id.endswith("…") and meta["_tracker"]["full"]["content_id"] == url
    stats = t.stats.snapshot()
    assert stats["truncated:interaction_type"] == 1 and stats["truncated:content_id"] == 1
    # Off-list values are written as given, and counted.
    assert stats["off_list:content_interaction.content_type=page"] == 1
    t.close()


def test_numbers_metadata_ip_and_text_rules(db: str, tmp_path: Path) -> None:
    t = make_tracker(db, tmp_path)
    meta = {"when": T0, "id": uuid.UUID(int=1), "tags": {"a"}, "nan": float("nan"), "obj": object(), (1, 2): "k",
            "nul": "a\x00b"}
    t.track_media_interaction(1, "video", "m" * 32, "play", duration_seconds=-5, position_seconds="12",
                              ip_address="1.2.3.4:443", metadata=meta)
    t.track_content_interaction(1, "post", "tab\there\nnewline\\", "view", scroll_depth_percentage=float("inf"),
                                user_agent="agent\x00x")
    t.track_time_spent(1, POST, -1500, "post")
    with pytest.raises(MissingValue):
        t.track_content_interaction(1, "post", POST, None)
    t.flush()
    with psycopg.connect(db) as conn:
        dur, pos, ip, stored = conn.execute(
            "SELECT duration_seconds, position_seconds, ip_address, metadata FROM media_interaction").fetchone() or ()
        content = conn.execute("SELECT content_id, scroll_depth_percentage, user_agent, metadata FROM "
                               "content_interaction WHERE interaction_type = 'view'").fetchone()
        spent = conn.execute("SELECT duration_seconds, metadata FROM content_interaction "
                             "WHERE interaction_type = 'time_spent'").fetchone()
    assert (dur, pos, ip) == (None, 12, None)
    assert stored["_tracker"]["invalid"] == {"duration_seconds": -5, "ip_address": "1.2.3.4:443"}
    assert stored["_tracker"]["metadata_coerced"] is True
    assert stored["when"] == T0.isoformat() and stored["id"] == str(uuid.UUID(int=1)) and stored["tags"] == ["a"]
    assert stored["nan"]["_unserializable"] == "builtins.float"
    assert stored["obj"]["_unserializable"] == "builtins.object"
    assert stored["(1, 2)"] == "k" and stored["nul"] == "a\ufffdb"
    assert content is not None and content[0] == "tab\there\nnewline\\"  # COPY escaping round-trips
    assert content[1] is None and content[3]["_tracker"]["invalid"]["scroll_depth_percentage"] == "inf"
    assert content[2] == "agent\ufffdx"
    assert spent is not None and spent[0] is None and spent[1]["time_ms"] == -1500
    stats = t.stats.snapshot()
    assert stats["negative_number:duration_seconds"] == 2 and stats["invalid_ip"] == 1
    assert stats["metadata_coerced"] == 1 and stats["refused:missing_value"] == 1
    t.close()


def test_a_user_missing_from_auth_user_is_a_dead_letter_not_a_lost_batch(db: str, tmp_path: Path) -> None:
    t = make_tracker(db, tmp_path)
    for i in range(200):
        t.track_content_interaction(1 + i % 20, "post", POST, "view", metadata={"i": i})
    t.track_content_interaction(999, "post", POST, "view")  # no such auth_user: FK violation at commit
    t.flush()
    assert count(db, "content_interaction") == 200
    (dead,) = t.spool.rejected_rows()
    assert dead["table"] == "content_interaction" and "ForeignKeyViolation" in dead["error"]
    assert t.stats.get("rejected") == 1
    t.close()


# --- outages: nothing lost, nothing twice -----------------------------------------------------------


class SwitchableWriter:
    """A PgWriter whose target can be switched, to point it at a closed port and back."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.inner = PgWriter(url, connect_timeout_s=1)
        self.commit_then_fail = 0

    def point_at(self, url: str) -> None:
        self.inner.close()
        self.url = url
        self.inner = PgWriter(url, connect_timeout_s=1)

    def write(self, batch: Mapping[str, Sequence[bytes]], *, fresh: bool) -> WriteOutcome:
        outcome = self.inner.write(batch, fresh=fresh)
        if self.commit_then_fail:
            self.commit_then_fail -= 1
            raise WriterUnavailable("connection lost after COMMIT (simulated)")  # the ack never arrived
        return outcome

    def write_rows(self, batch: Mapping[str, Sequence[Sequence[object]]]) -> WriteOutcome:
        outcome = self.inner.write_rows(batch)  # the fast path: binary COPY of the flusher's rows
        if self.commit_then_fail:
            self.commit_then_fail -= 1
            raise WriterUnavailable("connection lost after COMMIT (simulated)")
        return outcome

    def ping(self) -> None:
        self.inner.ping()

    def close(self) -> None:
        self.inner.close()


def _closed_port_url(url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    return make_conninfo(**{**conninfo_to_dict(url), "host": "127.0.0.1", "port": "1"})


def test_postgres_outage_loses_and_duplicates_nothing(db: str, tmp_path: Path) -> None:
    writer = SwitchableWriter(_closed_port_url(db))
    factory: Any = lambda: writer  # noqa: E731
    t = make_tracker(db, tmp_path, writer_factory=factory)
    sent: list[str] = []
    for i in range(3000):
        uid = t.track_content_interaction(1 + i % 20, "post", POST, "view", metadata={"seq": i})
        assert uid
        sent.append(uid)
        if i % 500 == 499:
            t.flush()  # Postgres "down": the batch goes to the spool
    t.track_app_session(1, {"session_id": "s", "pages_visited": 2})
    t.flush()
    assert not t.postgres_up and count(db, "content_interaction") == 0
    assert t.stats.get("spooled") == 3001 and not t.spool.is_empty()

    writer.point_at(db)  # Postgres "back"
    writer.commit_then_fail = 1  # and the first commit's ack is lost: that batch is spooled although written
    for i in range(3000, 4000):
        sent.append(t.track_content_interaction(1 + i % 20, "post", POST, "view", metadata={"seq": i}) or "")
    t.track_app_session(1, {"session_id": "s", "pages_visited": 5})
    assert t.drain(30)
    with psycopg.connect(db) as conn:
        got = [str(r[0]) for r in conn.execute("SELECT uid FROM content_interaction")]
        seqs = conn.execute("SELECT count(DISTINCT metadata->>'seq') FROM content_interaction").fetchone()
        session = conn.execute("SELECT count(*), max(pages_visited) FROM session_activity").fetchone()
    assert sorted(got) == sorted(sent)  # nothing lost, nothing twice
    assert seqs == (4000,) and session == (1, 5)
    assert t.stats.get("already_present") >= 1  # the batch whose ack was lost was replayed and skipped
    assert t.spool.is_empty()
    t.close()


def test_a_spool_left_by_a_dead_process_is_replayed_by_the_next(db: str, tmp_path: Path) -> None:
    down = make_tracker(_closed_port_url(db), tmp_path)
    uids = [down.track_activity(1 + i % 20, "login", metadata={"i": i}) for i in range(100)]
    down.close(timeout=0)  # the process ends while Postgres is down: the buffer goes to the spool
    segment = next(tmp_path.glob("*.spool"))
    with segment.open("ab") as f:
        f.write(b"user_activity\tthis line was torn by a crash")  # no newline: never acknowledged, ignored
    later = make_tracker(db, tmp_path)
    assert later.drain(30)
    with psycopg.connect(db) as conn:
        got = {str(r[0]) for r in conn.execute("SELECT uid FROM user_activity")}
    assert got == set(uids) and not list(tmp_path.glob("*.spool"))
    later.close()


def test_replaying_the_same_spool_twice_adds_nothing(db: str, tmp_path: Path) -> None:
    from tracker.spool import Spool

    t = make_tracker(db, tmp_path)
    for i in range(50):
        t.track_social_interaction(1, 2, "message_send", "conversation", f"c{i}")
    t.track_app_session(3, {"session_id": "x", "start_time": T0, "end_time": T0 + dt.timedelta(seconds=5),
                            "pages_visited": 1})
    t.track_app_session(3, {"session_id": "x", "start_time": T0, "end_time": T0 + dt.timedelta(seconds=50),
                            "pages_visited": 4})
    batch, _ = t._flusher.build_lines(t._buffer.drain())
    spool = Spool(tmp_path / "copy")
    spool.append(batch)
    spool.append(batch)  # the same rows twice, as a crash between commit and delete would leave them
    spool.rotate()
    t.spool = spool
    t._flusher._spool = spool
    assert t.drain(30)
    assert count(db, "social_interaction") == 50
    with psycopg.connect(db) as conn:
        row = conn.execute(
            "SELECT count(*), min(pages_visited), max(duration_seconds) FROM session_activity").fetchone()
    assert row == (1, 4, 50)
    assert t.stats.get("already_present") == 50
    t.close()


def test_many_threads_track_at_once(db: str, tmp_path: Path) -> None:
    t = make_tracker(db, tmp_path)
    t.start()
    uids: list[str] = []
    lock = threading.Lock()

    def work(k: int) -> None:
        mine = [t.track_content_interaction(1 + k, "post", POST, "view", metadata={"i": i}) for i in range(2000)]
        with lock:
            uids.extend(u for u in mine if u)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert t.drain(30)
    assert count(db, "content_interaction") == 16_000 == len(set(uids))
    t.close()


def test_a_full_buffer_spills_to_the_spool_and_is_replayed(db: str, tmp_path: Path) -> None:
    settings = TrackerSettings(database_url=db, spool_dir=tmp_path, strict=True, buffer_max_rows=100,
                               flush_at_rows=10_000)
    t = ActivityTracker(settings, start=False)  # no flusher running: the buffer fills up
    for i in range(250):
        t.track_activity(1, "navigation", metadata={"i": i})
        t.wait_for_spill(5)  # the spill runs on its own thread: let each finish, for exact counts below
    assert t.stats.get("spilled") == 200 and t.pending_rows == 50
    assert t.drain(30)
    assert count(db, "user_activity") == 250
    t.close()


def test_parallel_writers_split_a_batch(db: str, tmp_path: Path) -> None:
    settings = TrackerSettings(database_url=db, spool_dir=tmp_path, strict=True, writers=3, parallel_min_rows=100)
    t = ActivityTracker(settings, start=False)
    uids = [t.track_content_interaction(1 + i % 20, "post", POST, "view") for i in range(1000)]
    uids += [t.track_activity(1, "search") for _ in range(300)]
    t.flush()
    assert count(db, "content_interaction") == 1000 and count(db, "user_activity") == 300
    with psycopg.connect(db) as conn:
        got = {str(r[0]) for r in conn.execute("SELECT uid FROM content_interaction UNION ALL "
                                               "SELECT uid FROM user_activity")}
    assert got == set(uids)
    t.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_writes_only_its_own_rows(db: str, tmp_path: Path) -> None:
    t = make_tracker(db, tmp_path)
    t.start()
    for _ in range(100):
        t.track_activity(1, "login", metadata={"who": "parent"})
    t.flush()  # the parent now has a connection and a running flusher
    for _ in range(50):
        t.track_activity(1, "login", metadata={"who": "parent"})  # still buffered at fork time
    pid = os.fork()
    if pid == 0:  # the child (gunicorn/Celery prefork): its own buffer, flusher and connection
        code = 1
        try:
            for _ in range(30):
                t.track_activity(2, "login", metadata={"who": "child"})
            t.close()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert status == 0
    assert t.drain(30)
    with psycopg.connect(db) as conn:
        rows = dict(conn.execute("SELECT metadata->>'who', count(*) FROM user_activity GROUP BY 1").fetchall())
    assert rows == {"parent": 150, "child": 30}
    t.close()


# --- the Celery path ---------------------------------------------------------------------------------


def test_celery_path_writes_a_batch_idempotently(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from celery import Celery, current_app

    from tracker.celery_tasks import CeleryWriter

    previous = current_app._get_current_object()

    monkeypatch.setenv("ACTIVITY_TRACKER_DATABASE_URL", db)
    monkeypatch.setenv("ACTIVITY_TRACKER_SPOOL_DIR", str(tmp_path / "worker"))
    app = Celery("tracker-test", broker="memory://", set_as_current=True)
    app.conf.task_always_eager = True
    celery_writer: BatchWriter = CeleryWriter()
    factory: Any = lambda: celery_writer  # noqa: E731
    t = make_tracker(db, tmp_path, writer_factory=factory)
    for i in range(100):
        t.track_activity(1 + i % 20, "search", metadata={"i": i})
    batch, _ = t._flusher.build_lines(t._buffer.drain())
    celery_writer.write(batch, fresh=True)
    celery_writer.write(batch, fresh=True)  # Celery may run a task twice: the second adds nothing
    assert count(db, "user_activity") == 100
    t.close()
    previous.set_current()
