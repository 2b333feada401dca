"""The tracker's pure rules: users, text, numbers, addresses, times, metadata, COPY lines."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import math
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from tracker import normalize as nz
from tracker import rows
from tracker.errors import InvalidUser, MissingValue
from tracker.tables import CONTENT_INTERACTION, TABLES, Kind

pytestmark = pytest.mark.graph_facing


class Color(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7, 7),
        ("42", 42),
        (" 42 ", 42),
        (SimpleNamespace(pk=5), 5),
        (SimpleNamespace(id=6), 6),
        (SimpleNamespace(user_id="8", id=123456), 8),  # a Users node: user_id wins over Neo4j's id
        (SimpleNamespace(user_id=None, pk=9), 9),
        ("AB" * 16, nz.UidRef("ab" * 16)),
        (SimpleNamespace(user_id=None, pk=None, uid="cd" * 16), nz.UidRef("cd" * 16)),
    ],
)
def test_user_ref_accepts(value: object, expected: object) -> None:
    assert nz.user_ref(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -1, 2**31, "", "abc", "12a", "1" * 11, "ab" * 15, SimpleNamespace(), object(), 1.5,
     SimpleNamespace(is_anonymous=True, pk=None)],
)
def test_user_ref_refuses(value: object) -> None:
    with pytest.raises(InvalidUser):
        nz.user_ref(value, "visitor")


def test_fit_text_cuts_visibly_and_keeps_the_full_value() -> None:
    notes = nz.Notes()
    assert nz.fit_text("short", 20, "c", notes) == "short" and not notes
    cut = nz.fit_text("update_relationship_v2", 20, "interaction_type", notes)
    assert cut == "update_relationship…" and len(cut) == 20
    assert notes.full == {"interaction_type": "update_relationship_v2"}
    assert notes.counters == ["truncated:interaction_type"]
    assert nz.fit_text("a\x00b", None, "t", notes) == "a\ufffdb" and "nul_replaced" in (notes.counters or [])


@pytest.mark.parametrize(
    ("value", "expected", "noted"),
    [(None, None, False), (5, 5, False), (3.9, 3, False), ("12", 12, False), ("1.5", 1, False), (-1, None, True),
     (-0.5, 0, False), ("x", None, True), (True, None, True), (2**40, None, True), (math.nan, None, True),
     (math.inf, None, True), (decimal.Decimal("7.2"), 7, False)],
)
def test_nonneg_int(value: object, expected: int | None, noted: bool) -> None:
    notes = nz.Notes()
    assert nz.nonneg_int(value, "duration_seconds", notes) == expected
    assert bool(notes.invalid) is noted
    if noted:
        assert notes.counters and notes.counters[0].endswith(":duration_seconds")


def test_negative_is_counted_as_negative() -> None:
    notes = nz.Notes()
    nz.nonneg_int(-5, "position_seconds", notes)
    assert notes.counters == ["negative_number:position_seconds"] and notes.invalid == {"position_seconds": -5}


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), (1, 1.0), ("2.5", 2.5), (math.nan, None), ("inf", None), (False, None)]
)
def test_finite_float(value: object, expected: float | None) -> None:
    assert nz.finite_float(value, "vibe_score", nz.Notes()) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" 10.0.0.1 ", "10.0.0.1"), ("::1", "::1"), ("2001:db8::1", "2001:db8::1"), ("unknown", None),
     ("1.2.3.4:80", None), ("x" * 500, None)],
)
def test_clean_ip(value: str, expected: str | None) -> None:
    notes = nz.Notes()
    assert nz.clean_ip(value, notes) == expected
    assert bool(notes.invalid) is (expected is None)


def test_aware_times() -> None:
    notes = nz.Notes()
    naive = dt.datetime(2025, 1, 1, 12)
    assert nz.aware(naive, "t", notes) == naive.replace(tzinfo=dt.timezone.utc)
    assert nz.aware("2025-01-01T12:00:00Z", "t", notes) == naive.replace(tzinfo=dt.timezone.utc)
    assert nz.aware("2025-01-01T14:00:00+02:00", "t", notes) == naive.replace(tzinfo=dt.timezone.utc)
    assert not notes
    assert nz.aware("yesterday", "start_time", notes) is None and notes.invalid == {"start_time": "yesterday"}


def test_metadata_rule() -> None:
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    meta = {
        "when": dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
        "day": dt.date(2025, 1, 2),
        "id": uuid.UUID(int=3),
        "price": decimal.Decimal("1.10"),
        "color": Color.RED,
        "tags": ("a", "b"),
        "nan": math.nan,
        1: "int key",
        (1, 2): "tuple key",
        "cyclic": cyclic,
        "obj": SimpleNamespace(x=1),
    }
    text, coerced = nz.encode_json(meta, None)
    assert coerced
    out = json.loads(text)
    assert out["when"] == "2025-01-01T00:00:00+00:00" and out["day"] == "2025-01-02"
    assert out["id"] == str(uuid.UUID(int=3)) and out["price"] == "1.10" and out["color"] == "red"
    assert out["tags"] == ["a", "b"] and out["1"] == "int key" and out["(1, 2)"] == "tuple key"
    assert out["nan"] == {"_unserializable": "builtins.float", "str": "nan"}
    assert out["cyclic"]["self"]["_unserializable"] == "builtins.dict"
    assert out["obj"]["_unserializable"] == "types.SimpleNamespace"
    plain, coerced = nz.encode_json({"a": [1, 2.5, None, True, "é"]}, None)
    assert not coerced and plain == '{"a":[1,2.5,null,true,"é"]}'
    nul, coerced = nz.encode_json({"a": "x\x00y"}, None)
    assert coerced and json.loads(nul) == {"a": "x\ufffdy"}


def test_as_mapping() -> None:
    assert nz.as_mapping(None) == {} and nz.as_mapping({"a": 1}) == {"a": 1}
    assert nz.as_mapping([1, 2]) == {"value": [1, 2]}


def test_clock_and_uid() -> None:
    text = nz.utc_now_text()
    parsed = dt.datetime.fromisoformat(text)
    assert parsed.tzinfo is not None and abs((dt.datetime.now(dt.timezone.utc) - parsed).total_seconds()) < 5
    uids = {rows.new_uid() for _ in range(1000)}
    assert len(uids) == 1000
    assert all(uuid.UUID(u).version == 4 and uuid.UUID(u).variant == uuid.RFC_4122 for u in uids)
    assert all(str(uuid.UUID(u)) == u for u in uids)


def test_copy_line_escapes_and_marks_pending_users() -> None:
    notes = nz.Notes()
    values: list[object] = [
        rows.new_uid(), nz.utc_now_text(), nz.utc_now_text(), nz.utc_now_text(), None, "a\tb\\c\nd\re",
        '{"k":"\\u00e9"}', "post", "x", "view", 3, 1.5, nz.UidRef("ab" * 16),
    ]
    line, pending = rows.line(CONTENT_INTERACTION, values, notes)
    assert pending and line.endswith(b"\n") and line.count(b"\n") == 1
    fields = line.rstrip(b"\n").split(b"\t")
    assert len(fields) == len(CONTENT_INTERACTION.columns)
    assert fields[4] == b"\\N" and fields[5] == b"a\\tb\\\\c\\nd\\re" and fields[6] == b'{"k":"\\\\u00e9"}'
    assert fields[-1] == b"@uid:" + b"ab" * 16
    assert rows.placeholder_uids(CONTENT_INTERACTION, line) == ["ab" * 16]
    resolved, missing = rows.substitute_users(CONTENT_INTERACTION, line, {"ab" * 16: 77})
    assert resolved is not None and resolved.endswith(b"\t77\n") and not missing
    assert rows.substitute_users(CONTENT_INTERACTION, line, {}) == (None, ["ab" * 16])


def test_required_text_and_off_list_counting() -> None:
    notes = nz.Notes()
    column = CONTENT_INTERACTION.by_name["interaction_type"]
    with pytest.raises(MissingValue):
        rows.text(CONTENT_INTERACTION, column, None, notes)
    assert rows.text(CONTENT_INTERACTION, column, Color.RED, notes) == "red"
    assert notes.counters == ["off_list:content_interaction.interaction_type=red"]
    assert rows.text(CONTENT_INTERACTION, column, "like", nz.Notes()) == "like"


def test_every_not_null_column_is_written_by_the_tracker() -> None:
    """schema.sql has no DEFAULTs: the specs must list every column but the identity id."""
    from activity.schema import sql_file

    ddl = sql_file("schema.sql")
    for table in TABLES.values():
        body = ddl.split(f"CREATE TABLE IF NOT EXISTS {table.name} (")[1].split("CONSTRAINT")[0]
        declared = [line.split()[0].strip('"') for line in body.strip().splitlines() if line.strip()]
        assert declared[0] == "id" and tuple(declared[1:]) == table.column_names, table.name
        for column in table.columns:
            sql_line = next(line for line in body.splitlines() if line.split() and line.split()[0].strip('"') ==
                            column.name)
            assert ("NOT NULL" in sql_line) is (not column.nullable), (table.name, column.name)
            if column.max_length is not None:
                assert f"varchar({column.max_length})" in sql_line
            elif column.kind is Kind.TEXT:
                assert " text " in f" {sql_line} " or "varchar" in sql_line
