"""The dataset format (read/write) and the per-user time split."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evaluation.dataset import (
    Dataset,
    DatasetError,
    Interaction,
    SocialEdge,
    natural_key,
    parse_timestamp,
    read_dataset,
    write_dataset,
)
from evaluation.split import split_dataset

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_parse_timestamp_forms() -> None:
    assert parse_timestamp("2013-11-28") == datetime(2013, 11, 28, tzinfo=timezone.utc)
    assert parse_timestamp("2025-06-15T12:00:00Z") == datetime(2025, 6, 15, 12, tzinfo=timezone.utc)
    assert parse_timestamp("2025-06-15T14:00:00+02:00") == datetime(2025, 6, 15, 12, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        parse_timestamp("yesterday")


def test_natural_order() -> None:
    assert sorted(["10", "9", "b", "a", "100"], key=natural_key) == ["9", "10", "100", "a", "b"]


def test_round_trip(tmp_path: Path) -> None:
    rows = [Interaction("u1", "i1", "like", at(0), 4.0), Interaction("u2", "i1", "view", at(1.5))]
    social = [SocialEdge("u1", "u2", "connection"), SocialEdge("u2", "u1", "vibe", at(2), 4.5)]
    assert write_dataset(tmp_path, rows, social) == (2, 2)
    text = (tmp_path / "interactions.csv").read_text().splitlines()
    assert text[0] == "user_id,item_id,kind,timestamp,value"
    assert text[1] == "u1,i1,like,2025-01-01T00:00:00Z,4"
    ds = read_dataset(tmp_path)
    assert ds.interactions == tuple(rows)
    assert ds.social == tuple(social)
    assert ds.users == ["u1", "u2"] and ds.items == ["i1"]


def test_no_social_file_when_no_social_rows(tmp_path: Path) -> None:
    write_dataset(tmp_path, [Interaction("u", "i", "view", at(0))])
    assert not (tmp_path / "social.csv").exists()
    assert read_dataset(tmp_path).social == ()


def test_minimal_header_and_errors(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_text("user_id,item_id,kind,timestamp\n1,a,LIKE,2020-01-01\n")
    ds = read_dataset(tmp_path)
    assert ds.interactions[0].kind == "like" and ds.interactions[0].value is None
    (tmp_path / "interactions.csv").write_text("user_id,item_id,kind,timestamp\n1,a,rate,2020-01-01\n")
    with pytest.raises(DatasetError, match=r"interactions.csv:2: kind must be one of"):
        read_dataset(tmp_path)
    (tmp_path / "interactions.csv").write_text("user_id,item,kind,timestamp\n")
    with pytest.raises(DatasetError, match="header lacks item_id"):
        read_dataset(tmp_path)


def _ds(rows: list[tuple[str, str, str, float]], social: list[SocialEdge] | None = None) -> Dataset:
    return Dataset(tuple(Interaction(u, i, k, at(h)) for u, i, k, h in rows), tuple(social or ()))


def test_split_holds_out_latest_items_and_cuts_the_users_later_rows() -> None:
    ds = _ds([
        ("u", "a", "view", 1), ("u", "b", "like", 2), ("u", "a", "like", 3),  # re-interaction with a
        ("u", "c", "view", 4), ("u", "c", "share", 5),
        ("v", "a", "like", 1),  # v has one item only: training data for others
        ("w", "x", "create", 0), ("w", "x", "like", 1), ("w", "a", "view", 2), ("w", "b", "view", 3),
    ])
    sp = split_dataset(ds, holdout=1)
    assert dict(sp.test) == {"u": ("c",), "w": ("b",)}  # w's own item x is never a target
    assert sp.cutoff["u"] == at(4) and sp.cutoff["w"] == at(3)
    kept = [(r.user_id, r.item_id, r.kind) for r in sp.train]
    assert kept == [("u", "a", "view"), ("u", "b", "like"), ("u", "a", "like"), ("v", "a", "like"),
                    ("w", "x", "create"), ("w", "x", "like"), ("w", "a", "view")]
    assert sp.seen()["u"] == {"a", "b"}


def test_split_two_held_out_the_cut_is_the_first_of_them() -> None:
    ds = _ds([("u", "a", "view", 1), ("u", "b", "view", 2), ("u", "a", "like", 2.5), ("u", "c", "view", 3)])
    sp = split_dataset(ds, holdout=2)
    assert sp.test["u"] == ("b", "c")
    assert sp.cutoff["u"] == at(2)
    assert [(r.item_id, r.kind) for r in sp.train] == [("a", "view")]  # a's later like is after the cut


def test_split_ties_follow_file_order_and_eligibility() -> None:
    ds = _ds([("u", "a", "view", 1), ("u", "b", "view", 1), ("u", "c", "view", 1)])
    assert split_dataset(ds, holdout=1).test["u"] == ("c",)
    assert "u" not in split_dataset(ds, holdout=3).test  # needs holdout + 1 items
    assert "u" in split_dataset(ds, holdout=2).test
    with pytest.raises(ValueError):
        split_dataset(ds, holdout=0)


def test_split_social_rows_of_test_users_after_their_cutoff_are_dropped() -> None:
    social = [
        SocialEdge("u", "v", "visit", at(1)),
        SocialEdge("u", "v", "vibe", at(5)),  # after u's cut-off (4)
        SocialEdge("v", "u", "visit", at(6)),  # v is no test user
        SocialEdge("u", "v", "connection"),  # undated: kept
    ]
    ds = _ds([("u", "a", "view", 1), ("u", "b", "view", 4), ("v", "a", "view", 1)], social)
    sp = split_dataset(ds)
    assert [s.kind for s in sp.social] == ["visit", "visit", "connection"]
