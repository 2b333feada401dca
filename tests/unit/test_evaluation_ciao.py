"""The CiaoDVD converter on a tiny sample in CiaoDVD's own layout."""

from __future__ import annotations

from pathlib import Path

from evaluation.ciao import convert_ciao
from evaluation.dataset import read_dataset

RATINGS = """\
1,10,1,100,5,2001-03-02
2,10,1,101,3,2000-07-12
1,11,4,102,4,2000-07-12
3,12,2,0,1,2002-01-01
2,11,4,103,2,2000-07-12
bad,line
"""

TRUSTS = """\
1,2,1
2,1,1
3,3,1
4,1,1
"""


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "ciao"
    src.mkdir()
    (src / "movie-ratings.txt").write_text(RATINGS)
    (src / "trusts.txt").write_text(TRUSTS)
    return src


def test_ratings_and_trusts(tmp_path: Path) -> None:
    report = convert_ciao(_source(tmp_path), tmp_path / "out")
    assert (report.interactions, report.social, report.skipped) == (5, 2, 2)  # bad line, self-trust
    ds = read_dataset(tmp_path / "out")
    rows = [(r.user_id, r.item_id, r.kind, r.timestamp.date().isoformat(), r.value) for r in ds.interactions]
    # sorted by date, file order within a day; rating >= 4 -> like, else view; the rating is the value
    assert rows == [
        ("2", "10", "view", "2000-07-12", 3.0),
        ("1", "11", "like", "2000-07-12", 4.0),
        ("2", "11", "view", "2000-07-12", 2.0),
        ("1", "10", "like", "2001-03-02", 5.0),
        ("3", "12", "view", "2002-01-01", 1.0),
    ]
    # mutual trust 1 <-> 2 is one connection; the self-trust is dropped; undated
    assert [(s.user_id, s.other_id, s.kind, s.timestamp) for s in ds.social] == [
        ("1", "2", "connection", None),
        ("4", "1", "connection", None),
    ]
    assert ds.users == ["1", "2", "3", "4"]


def test_options(tmp_path: Path) -> None:
    report = convert_ciao(_source(tmp_path), tmp_path / "out", like_threshold=5, reviews_as_comments=True,
                          trusts=False)
    ds = read_dataset(tmp_path / "out")
    assert report.social == 0 and ds.social == ()
    kinds = [(r.user_id, r.item_id, r.kind) for r in ds.interactions]
    assert ("1", "11", "view") in kinds  # 4 < 5
    assert ("1", "10", "like") in kinds and ("1", "10", "comment") in kinds
    assert ("3", "12", "comment") not in kinds  # reviewID 0: no review
    assert report.interactions == 9
