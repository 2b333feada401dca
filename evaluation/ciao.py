"""CiaoDVD (Guo et al. 2014) -> the evaluation format.

Input, a directory holding (comma-separated, no header):

* ``movie-ratings.txt``: userID, movieID, genreID, reviewID, movieRating (1-5), date (YYYY-MM-DD);
* ``trusts.txt``: trustorID, trusteeID, trustValue (always 1).

Mapping:

| CiaoDVD | evaluation row |
|---|---|
| rating >= `like_threshold` (4) | ``like`` of the movie, at the rating's date (midnight UTC), value = the rating |
| rating < `like_threshold` | ``view`` of the movie, same time, value = the rating |
| the rating's review (``reviewID``) | with ``reviews_as_comments``: also a ``comment`` at the same time |
| trust trustor -> trustee | ``connection`` (trustor asked, trustee accepted), undated |

Choices and why:

* Every rating in the file comes with a written review (``reviewID`` is never 0): a ``comment`` per rating
  would add the same weight to every row and tell the rankers nothing, so it is off by default.
* A trust statement is one-way; a platform connection is mutual. Mapping trust to a connection keeps it as
  the strongest explicit tie the platform has. A pair trusting each other becomes one connection.
* Genres are not used. Ratings of the same movie by the same user twice (a few hundred) are kept as rows.
* Dates have no time of day: rows of one day keep the file's order (the split breaks ties by it).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from evaluation.dataset import Interaction, SocialEdge, parse_timestamp, write_dataset

DEFAULT_SOURCE = Path("/work/shared/datasets/ciao-dvd")
RATINGS_FILE = "movie-ratings.txt"
TRUSTS_FILE = "trusts.txt"


@dataclass(frozen=True)
class CiaoReport:
    interactions: int
    social: int
    skipped: int  # malformed lines and self-trusts


def iter_ratings(path: Path, *, like_threshold: int = 4, reviews_as_comments: bool = False,
                 skipped: list[int] | None = None) -> Iterator[Interaction]:
    """Interactions from movie-ratings.txt, in file order."""
    with path.open(newline="", encoding="utf-8") as fh:
        for fields in csv.reader(fh):
            if not fields or not "".join(fields).strip():
                continue
            try:
                user, movie, _genre, review, rating_text, date = (f.strip() for f in fields[:6])
                rating = float(rating_text)
                at = parse_timestamp(date)
            except ValueError:
                if skipped is not None:
                    skipped.append(1)
                continue
            kind = "like" if rating >= like_threshold else "view"
            yield Interaction(user, movie, kind, at, rating)
            if reviews_as_comments and review not in ("", "0"):
                yield Interaction(user, movie, "comment", at, rating)


def iter_trusts(path: Path, *, skipped: list[int] | None = None) -> Iterator[SocialEdge]:
    """One undated ``connection`` per unordered pair of users in trusts.txt, first direction seen."""
    seen: set[tuple[str, str]] = set()
    with path.open(newline="", encoding="utf-8") as fh:
        for fields in csv.reader(fh):
            if len(fields) < 2:
                if fields and skipped is not None:
                    skipped.append(1)
                continue
            a, b = fields[0].strip(), fields[1].strip()
            if not a or not b or a == b:
                if skipped is not None:
                    skipped.append(1)
                continue
            pair = (a, b) if a < b else (b, a)
            if pair in seen:
                continue
            seen.add(pair)
            yield SocialEdge(a, b, "connection")


def convert_ciao(
    source: Path | str = DEFAULT_SOURCE,
    out: Path | str = "ciao-eval",
    *,
    like_threshold: int = 4,
    reviews_as_comments: bool = False,
    trusts: bool = True,
) -> CiaoReport:
    """Write ``interactions.csv`` (sorted by date, file order within a day) and ``social.csv`` into `out`."""
    src = Path(source)
    skipped: list[int] = []
    rows = list(iter_ratings(src / RATINGS_FILE, like_threshold=like_threshold,
                             reviews_as_comments=reviews_as_comments, skipped=skipped))
    order = sorted(range(len(rows)), key=lambda i: (rows[i].timestamp, i))
    social = list(iter_trusts(src / TRUSTS_FILE, skipped=skipped)) if trusts and (src / TRUSTS_FILE).is_file() else []
    n_inter, n_social = write_dataset(out, (rows[i] for i in order), social)
    return CiaoReport(n_inter, n_social, len(skipped))
