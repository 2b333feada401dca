"""Row building off the request path, and the binary COPY dumpers, without Postgres."""

from __future__ import annotations

import datetime as dt
import gc
import struct
import uuid

import pytest

from tracker import binary, build
from tracker.buffer import Buffer
from tracker.normalize import Notes
from tracker.rows import line, new_uid
from tracker.tables import CONTENT_INTERACTION

pytestmark = pytest.mark.graph_facing

T0 = dt.datetime(2025, 11, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_binary_dumpers_write_the_wire_formats() -> None:
    uid = new_uid()
    assert binary.UidTextDumper(str).dump(uid) == uuid.UUID(uid).bytes
    us = build.to_us(T0)
    pg_us = struct.unpack("!q", binary.MicrosDumper(int).dump(us))[0]
    assert dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=pg_us) == T0
    assert binary.InetTextDumper(str).dump("10.0.0.1") == b"\x02\x20\x00\x04\x0a\x00\x00\x01"
    assert binary.InetTextDumper(str).dump("::1")[:4] == b"\x03\x80\x00\x10"
    assert binary.JsonTextDumper(str).dump('{"a":"é"}') == b'\x01{"a":"\xc3\xa9"}'


def test_a_built_row_is_the_platform_row_and_its_text_line() -> None:
    meta = build.snapshot({"vibe": 3})
    table, values, notes = build.content_interaction(
        new_uid(), T0.timestamp(), (7, "post", "p" * 32, "like", -3, float("nan"), "unknown", None, meta, T0))
    assert table is CONTENT_INTERACTION
    assert values[1] == values[2] == build.to_us(T0) and values[3] == build.to_us(T0)
    assert values[4] is None and values[10] is None and values[11] is None and values[12] == 7
    assert notes.counters is not None and "negative_number:duration_seconds" in notes.counters
    text, pending = line(table, values, Notes())
    fields = text.decode().rstrip("\n").split("\t")
    assert fields[1] == T0.isoformat() and not pending
    assert '"content_type":"post"' in fields[6] and '"vibe":3' in fields[6] and '"_tracker"' in fields[6]


def test_buffered_events_are_copies_the_collector_can_untrack() -> None:
    caller = {"source": "feed_view", "n": 1}
    kept = build.snapshot(caller)
    caller["source"] = "changed"  # after the call: the row keeps what was passed
    event = (build.B_CONTENT_INTERACTION, new_uid(), 0.0, (1, "post", "x", "view", kept), False)
    for _ in range(3):  # one collection untracks one level of nesting at worst
        gc.collect()
    assert not gc.is_tracked(event)
    _, values, _ = build.BUILDERS[event[0]](event[1], event[2], (*event[3][:4], None, None, None, None, kept, None))
    assert '"source":"feed_view"' in str(values[6])


def test_two_drains_at_once_never_lose_or_repeat_an_event() -> None:
    buf = Buffer()
    for i in range(1000):
        buf.append(i)
    first = buf.drain()
    second = buf.drain()
    assert first == list(range(1000)) and second == [] and len(buf) == 0
