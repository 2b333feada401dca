"""The flusher, spool and API without Postgres: a fake writer stands in for it."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tracker import ActivityTracker, TrackerSettings
from tracker.errors import WriterUnavailable
from tracker.resolver import CachedResolver, MappingResolver
from tracker.spool import Rejected, Spool, decode_records, encode_records
from tracker.writer import WriteOutcome

pytestmark = pytest.mark.graph_facing

POST = "0123456789abcdef0123456789abcdef"


class FakeWriter:
    """Records what it is given; can be down; refuses rows of user 999 like a foreign key would."""

    def __init__(self) -> None:
        self.down = False
        self.rows: dict[str, list[bytes]] = {}
        self.calls: list[bool] = []

    def write(self, batch: Mapping[str, Sequence[bytes]], *, fresh: bool) -> WriteOutcome:
        if self.down:
            raise WriterUnavailable("down")
        self.calls.append(fresh)
        outcome = WriteOutcome()
        for table, lines in batch.items():
            for line in lines:
                if line.endswith(b"\t999\n"):
                    outcome.rejected.append(Rejected(table, line, "ForeignKeyViolation"))
                elif line not in self.rows.setdefault(table, []):
                    self.rows[table].append(line)
                    outcome.written[table] = outcome.written.get(table, 0) + 1
                else:
                    outcome.already_present += 1
        return outcome

    def ping(self) -> None:
        if self.down:
            raise WriterUnavailable("down")

    def close(self) -> None:
        return None


def tracker(tmp_path: Path, writer: FakeWriter, **kw: Any) -> ActivityTracker:
    resolver = kw.pop("resolver", None)
    options: dict[str, Any] = {"strict": True, "retry_initial_s": 0.001, "retry_max_s": 0.002, **kw}
    settings = TrackerSettings(database_url="postgresql://unused@127.0.0.1:1/x", spool_dir=tmp_path, **options)
    factory: Any = lambda: writer  # noqa: E731
    return ActivityTracker(settings, writer_factory=factory, resolver=resolver, start=False)


def test_spool_records_round_trip_and_ignore_a_torn_line() -> None:
    rows = {"user_activity": [b"a\tb\n", b"c\n"], "content_interaction": [b"d\n"]}
    pending = [("social_interaction", b"@uid:x\n")]
    data = encode_records(rows, pending)
    back, back_pending, n, torn = decode_records(data + b"user_activity\thalf")
    assert back == rows and back_pending == pending and n == 4 and torn


def test_spool_segments_are_locked_while_written(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append({"user_activity": [b"x\n"]})
    (path,) = tmp_path.glob("*.spool")
    assert spool.segments() == []  # the open segment is not offered for replay
    fd = os.open(path, os.O_RDONLY)
    with pytest.raises(BlockingIOError):
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another process could not replay it either
    os.close(fd)
    spool.rotate()
    segment = spool.claim(path)
    assert segment is not None and spool.claim(path) is None  # one replayer at a time
    assert [(r, p) for r, p, _ in segment.chunks(10)] == [({"user_activity": [b"x\n"]}, [])]
    segment.remove()
    assert spool.is_empty()


def test_outage_spools_then_replays_with_the_safe_path(tmp_path: Path) -> None:
    writer = FakeWriter()
    t = tracker(tmp_path, writer)
    writer.down = True
    uids = [t.track_content_interaction(1, "post", POST, "view") for _ in range(10)]
    t.flush()
    assert not t.postgres_up and t.stats.get("spooled") == 10 and not writer.rows
    writer.down = False
    assert t.drain(5)
    assert len(writer.rows["content_interaction"]) == 10 and writer.calls == [False]  # replay: conflict-safe
    assert all(any(u.encode() in line for line in writer.rows["content_interaction"]) for u in uids if u)
    t.track_content_interaction(1, "post", POST, "view")
    t.flush()
    assert writer.calls == [False, True]  # fresh rows: the plain COPY path


def test_refused_rows_become_dead_letters(tmp_path: Path) -> None:
    writer = FakeWriter()
    t = tracker(tmp_path, writer)
    t.track_activity(999, "login")
    t.track_activity(1, "login")
    t.flush()
    assert len(writer.rows["user_activity"]) == 1
    (dead,) = t.spool.rejected_rows()
    assert dead["table"] == "user_activity" and dead["error"] == "ForeignKeyViolation"


def test_uid_rows_wait_for_the_resolver_and_are_spooled_on_close(tmp_path: Path) -> None:
    calls: list[Sequence[str]] = []
    broken = True

    def lookup(uids: Sequence[str]) -> dict[str, object]:
        calls.append(uids)
        if broken:
            raise ConnectionError("neo4j down")
        return {u: "42" for u in uids}

    writer = FakeWriter()
    t = tracker(tmp_path, writer, resolver=CachedResolver(lookup))
    t.track_social_interaction("ab" * 16, 3, "profile_visit")
    t.flush()
    assert not writer.rows and t.stats.get("resolver_errors") == 1
    t.close()  # the resolver is still down: the row goes to the spool, not away
    assert t.stats.get("spooled") == 1
    broken = False
    again = tracker(tmp_path, writer, resolver=CachedResolver(lookup))
    assert again.drain(5)
    (line,) = writer.rows["social_interaction"]
    assert line.endswith(b"\t3\t42\n")


def test_disabled_and_lenient_trackers_never_raise(tmp_path: Path) -> None:
    writer = FakeWriter()
    off = tracker(tmp_path / "off", writer, enabled=False)
    assert off.track_activity(1, "login") is None and off.pending_rows == 0
    assert off.track_vibe_sending(1, 2, {}, 1.0) == (None, None)
    lenient = tracker(tmp_path / "lenient", writer, strict=False)
    assert lenient.track_activity("not a user", "login") is None
    assert lenient.track_content_interaction(1, "post", POST, None) is None
    assert lenient.stats.get("refused") == 2


def test_vibe_receive_rows_only_for_django_ids(tmp_path: Path) -> None:
    writer = FakeWriter()
    t = tracker(tmp_path, writer)
    assert t.track_vibe_sending(1, "2", {"vibe_id": "v"}, 3.0)[1] is not None
    assert t.track_vibe_sending(1, "ab" * 16, {"vibe_id": "v"}, 3.0)[1] is None  # a Community.uid
    assert t.track_vibe_sending(1, "None", {"vibe_id": "v"}, 3.0)[1] is None  # str(None), as the platform sends
    assert t.track_vibe_sending(1, "2", {"vibe_id": "v"}, 3.0, success=False)[1] is None
    t.flush()
    assert len(writer.rows["vibe_activity"]) == 5
    assert t.stats.get("vibe_receive_skipped") == 2


def test_profile_visit_refuses_both_rows_when_one_user_is_bad(tmp_path: Path) -> None:
    writer = FakeWriter()
    t = tracker(tmp_path, writer, strict=False)
    assert t.track_profile_visit(1, SimpleNamespace(pk=None)) is None
    assert t.pending_rows == 0


def test_resolver_cache_and_mapping() -> None:
    seen: list[list[str]] = []

    def lookup(uids: Sequence[str]) -> dict[str, object]:
        seen.append(list(uids))
        return {u: "7" for u in uids if u != "missing"}

    cached = CachedResolver(lookup)
    assert cached.resolve_many(["a", "b", "missing"]) == {"a": 7, "b": 7}
    assert cached.resolve_many(["a", "missing"]) == {"a": 7}
    assert seen == [["a", "b", "missing"], ["missing"]]  # found uids are cached, missing ones asked again
    assert MappingResolver({"x": 1}).resolve_many(["x", "y"]) == {"x": 1}


def test_off_list_counters_are_bounded(tmp_path: Path) -> None:
    writer = FakeWriter()
    t = tracker(tmp_path, writer, max_off_list_values=3)
    for i in range(10):
        t.track_content_interaction(1, f"kind{i}", POST, "view")
    t.flush()  # the rules run when the flusher builds the rows
    stats = t.stats.snapshot()
    assert sum(1 for k in stats if k.startswith("off_list:content_interaction.content_type=kind")) == 3
    assert stats["off_list:content_interaction.content_type=<other>"] == 7
