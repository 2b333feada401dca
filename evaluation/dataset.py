"""The evaluation's dataset format: two plain CSV files in one directory.

``interactions.csv`` (required), header ``user_id,item_id,kind,timestamp[,value]``:

* ``user_id``, ``item_id``: any non-empty text (a dataset's own ids);
* ``kind``: one of ``view``, ``like``, ``comment``, ``share``, ``save``, ``create``;
* ``timestamp``: ISO 8601 (``2013-11-28``, ``2025-06-15T12:00:00Z``, ``...+02:00``); no zone means UTC;
* ``value``: optional number, kept with the row (a rating, say); the ranking does not read it.

``social.csv`` (optional), header ``user_id,other_id,kind[,timestamp][,value]``:

* ``kind``: ``connection`` (an accepted connection between the two; the first user asked), ``visit``
  (``user_id`` visited ``other_id``'s profile) or ``vibe`` (``user_id`` sent ``other_id`` a vibe; ``value`` is
  its score in [0, 5], 3 when absent);
* ``timestamp``: as above; when absent, the dataset's earliest interaction time is used.

Rows are kept in file order; that order breaks ties between equal timestamps everywhere.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

INTERACTION_KINDS: tuple[str, ...] = ("view", "like", "comment", "share", "save", "create")
SOCIAL_KINDS: tuple[str, ...] = ("connection", "visit", "vibe")
INTERACTIONS_FILE = "interactions.csv"
SOCIAL_FILE = "social.csv"
INTERACTION_COLUMNS: tuple[str, ...] = ("user_id", "item_id", "kind", "timestamp", "value")
SOCIAL_COLUMNS: tuple[str, ...] = ("user_id", "other_id", "kind", "timestamp", "value")


class DatasetError(ValueError):
    """A dataset file that does not follow the format (the message names file and line)."""


@dataclass(frozen=True)
class Interaction:
    """One row of interactions.csv."""

    user_id: str
    item_id: str
    kind: str
    timestamp: datetime
    value: float | None = None


@dataclass(frozen=True)
class SocialEdge:
    """One row of social.csv (``timestamp`` None when the file has none)."""

    user_id: str
    other_id: str
    kind: str
    timestamp: datetime | None = None
    value: float | None = None


@dataclass(frozen=True)
class Dataset:
    """A whole dataset, rows in file order."""

    interactions: tuple[Interaction, ...]
    social: tuple[SocialEdge, ...] = ()
    name: str = "dataset"

    @property
    def users(self) -> list[str]:
        """Every user id named anywhere, in natural order (numbers by value, then text)."""
        seen: set[str] = set()
        for r in self.interactions:
            seen.add(r.user_id)
        for s in self.social:
            seen.add(s.user_id)
            seen.add(s.other_id)
        return sorted(seen, key=natural_key)

    @property
    def items(self) -> list[str]:
        """Every item id, in natural order."""
        return sorted({r.item_id for r in self.interactions}, key=natural_key)

    @property
    def start(self) -> datetime:
        """The earliest interaction time (undated social rows get it)."""
        if not self.interactions:
            raise DatasetError("the dataset has no interactions")
        return min(r.timestamp for r in self.interactions)

    @property
    def end(self) -> datetime:
        if not self.interactions:
            raise DatasetError("the dataset has no interactions")
        return max(r.timestamp for r in self.interactions)


def natural_key(value: str) -> tuple[int, int, str]:
    """Sort key: integers by value first, then any other text."""
    text = value.strip()
    if text.isdigit():
        return (0, int(text), "")
    return (1, 0, text)


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 date or date-time; naive values are UTC; the result is timezone-aware (UTC)."""
    value = text.strip()
    if not value:
        raise ValueError("empty timestamp")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc)


def format_timestamp(at: datetime) -> str:
    """UTC, ISO 8601, ``Z`` suffix, microseconds only when there are any."""
    utc = at.astimezone(timezone.utc) if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
    text = utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def _value(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"value must be a finite number, got {text!r}")
    return number


def _format_value(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _rows(path: Path, required: Sequence[str], allowed: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise DatasetError(f"{path}: header lacks {', '.join(missing)} (expected {','.join(allowed)})")
        unknown = [c for c in header if c not in allowed]
        if unknown:
            raise DatasetError(f"{path}: unknown column(s) {', '.join(unknown)} (expected {','.join(allowed)})")
        reader.fieldnames = header
        for line, row in enumerate(reader, start=2):
            if not any((v or "").strip() for v in row.values()):
                continue
            yield line, {k: (v or "").strip() for k, v in row.items() if k is not None}


def read_interactions(path: Path) -> list[Interaction]:
    out: list[Interaction] = []
    for line, row in _rows(path, INTERACTION_COLUMNS[:4], INTERACTION_COLUMNS):
        try:
            kind = row["kind"].lower()
            if kind not in INTERACTION_KINDS:
                raise ValueError(f"kind must be one of {', '.join(INTERACTION_KINDS)}, got {row['kind']!r}")
            if not row["user_id"] or not row["item_id"]:
                raise ValueError("user_id and item_id must not be empty")
            out.append(Interaction(row["user_id"], row["item_id"], kind, parse_timestamp(row["timestamp"]),
                                   _value(row.get("value"))))
        except ValueError as exc:
            raise DatasetError(f"{path}:{line}: {exc}") from None
    return out


def read_social(path: Path) -> list[SocialEdge]:
    out: list[SocialEdge] = []
    for line, row in _rows(path, SOCIAL_COLUMNS[:3], SOCIAL_COLUMNS):
        try:
            kind = row["kind"].lower()
            if kind not in SOCIAL_KINDS:
                raise ValueError(f"kind must be one of {', '.join(SOCIAL_KINDS)}, got {row['kind']!r}")
            if not row["user_id"] or not row["other_id"]:
                raise ValueError("user_id and other_id must not be empty")
            ts = row.get("timestamp") or ""
            out.append(SocialEdge(row["user_id"], row["other_id"], kind, parse_timestamp(ts) if ts else None,
                                  _value(row.get("value"))))
        except ValueError as exc:
            raise DatasetError(f"{path}:{line}: {exc}") from None
    return out


def read_dataset(directory: Path | str) -> Dataset:
    """``interactions.csv`` and, when present, ``social.csv`` of `directory`."""
    d = Path(directory)
    interactions = d / INTERACTIONS_FILE
    if not interactions.is_file():
        raise DatasetError(f"{interactions} not found (see evaluation.dataset for the format)")
    social = d / SOCIAL_FILE
    return Dataset(
        tuple(read_interactions(interactions)),
        tuple(read_social(social)) if social.is_file() else (),
        name=d.resolve().name,
    )


def write_dataset(directory: Path | str, interactions: Iterable[Interaction],
                  social: Iterable[SocialEdge] = ()) -> tuple[int, int]:
    """Write both files (social.csv only when there are social rows); returns the two row counts."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    n_inter = 0
    with (d / INTERACTIONS_FILE).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(INTERACTION_COLUMNS)
        for r in interactions:
            w.writerow((r.user_id, r.item_id, r.kind, format_timestamp(r.timestamp), _format_value(r.value)))
            n_inter += 1
    n_social = 0
    social_path = d / SOCIAL_FILE
    with social_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SOCIAL_COLUMNS)
        for s in social:
            w.writerow((s.user_id, s.other_id, s.kind, "" if s.timestamp is None else format_timestamp(s.timestamp),
                        _format_value(s.value)))
            n_social += 1
    if n_social == 0:
        social_path.unlink()
    return n_inter, n_social
