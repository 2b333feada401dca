"""The rows the evaluation writes into the platform's tables (built without a database)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from evaluation.dataset import Interaction, SocialEdge
from evaluation.load import (
    CONTENT_COLUMNS,
    SOCIAL_COLUMNS,
    VIBE_COLUMNS,
    UserMap,
    content_rows,
    item_uid,
    social_rows,
    user_uid,
    with_database,
)

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
HEX32_V4 = re.compile(r"^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$")


def test_uids_are_deterministic_uuid4_hex() -> None:
    assert item_uid("42") == item_uid("42") != item_uid("43")
    assert user_uid("42") != item_uid("42")
    assert HEX32_V4.match(item_uid("movie 7")) and HEX32_V4.match(user_uid("x"))


def test_user_map_natural_order() -> None:
    m = UserMap.of(["10", "9", "b", "9"])
    assert m.django == {"9": 1, "10": 2, "b": 3}
    assert m.uid["b"] == user_uid("b")


def test_content_rows_in_time_order_with_every_column() -> None:
    users = UserMap.of(["u", "v"])
    train = [Interaction("v", "i2", "like", T0 + timedelta(hours=2), 4.0), Interaction("u", "i1", "view", T0)]
    rows = list(content_rows(train, users))
    assert [len(r) for r in rows] == [len(CONTENT_COLUMNS)] * 2
    first = dict(zip(CONTENT_COLUMNS, rows[0], strict=True))
    assert first["timestamp"] == first["created_at"] == first["updated_at"] == T0
    assert (first["content_type"], first["content_id"], first["interaction_type"], first["user_id"]) == (
        "post", item_uid("i1"), "view", users.django["u"])
    assert json.loads(first["metadata"]) == {"source": "evaluation"}
    assert first["duration_seconds"] is None and first["ip_address"] is None
    second = dict(zip(CONTENT_COLUMNS, rows[1], strict=True))
    assert json.loads(second["metadata"]) == {"source": "evaluation", "value": 4.0}
    assert rows[0][0] != rows[1][0]  # row uids


def test_social_rows_as_the_platform_writes_them() -> None:
    users = UserMap.of(["a", "b"])
    social = [
        SocialEdge("a", "b", "vibe", T0 + timedelta(hours=3), 9.0),
        SocialEdge("a", "b", "connection"),  # undated: the default time
        SocialEdge("b", "a", "visit", T0 + timedelta(hours=1)),
        SocialEdge("a", "a", "visit", T0),  # self: left out
    ]
    s_rows, v_rows = social_rows(social, users, T0)
    s = [dict(zip(SOCIAL_COLUMNS, r, strict=True)) for r in s_rows]
    assert [(x["interaction_type"], x["user_id"], x["target_user_id"]) for x in s] == [
        ("connection_request", 1, 2), ("connection_accept", 2, 1), ("profile_visit", 2, 1)]
    assert s[0]["timestamp"] == T0 and s[1]["timestamp"] == T0 + timedelta(seconds=1)
    assert s[0]["context_type"] == s[1]["context_type"] == "connection"
    assert s[0]["context_id"] == s[1]["context_id"] and HEX32_V4.match(s[0]["context_id"])
    assert json.loads(s[0]["metadata"])["receiver_uid"] == users.uid["b"]
    assert json.loads(s[1]["metadata"])["sender_uid"] == users.uid["a"]
    assert s[2]["context_type"] is None and s[2]["metadata"] == "{}"
    (v,) = [dict(zip(VIBE_COLUMNS, r, strict=True)) for r in v_rows]
    assert (v["activity_type"], v["vibe_type"], v["target_user_id"], v["vibe_score"], v["success"], v["user_id"]) == (
        "vibe_send", "individual", "2", 5.0, True, 1)  # the score is clamped to [0, 5]


def test_with_database() -> None:
    assert with_database("postgresql://u:p@h:5433/activity", "x") == "postgresql://u:p@h:5433/x"
    assert with_database("postgresql://h/activity?sslmode=off", "x") == "postgresql://h/x?sslmode=off"
