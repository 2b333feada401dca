"""Shared checks and node builders for the per-table mappers, so every table rejects bad input alike."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sync.changes import MapResult, NodeRef, Quarantine, UnknownType
from sync.mapping.vocab import is_known
from sync.weights import Weights, default_weights

if TYPE_CHECKING:
    from graph.settings import Settings

__all__ = [
    "PLATFORM_CONTENT_LABELS",
    "Bad",
    "MappingConfig",
    "guarded",
]

# The platform's neomodel labels for the content types it writes (graph.settings.Settings.content_labels).
PLATFORM_CONTENT_LABELS: Mapping[str, str] = {
    "post": "Post",
    "story": "Story",
    "comment": "Comment",
    "community": "Community",
    "community_post": "CommunityPost",
}

_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
_DIGITS = re.compile(r"[0-9]+")
# Sanity bounds for event times (also keeps time-zone conversions clear of datetime's limits).
_EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class MappingConfig:
    """Weights and graph names; defaults: the platform's names (``graph.settings``), the code's weights."""

    weights: Weights = field(default_factory=default_weights)
    user_label: str = "Users"
    user_key: str = "user_id"
    content_labels: Mapping[str, str] = field(default_factory=lambda: dict(PLATFORM_CONTENT_LABELS))
    content_key: str = "uid"
    generic_label: str = "Content"

    @classmethod
    def from_settings(cls, settings: Settings, weights: Weights | None = None) -> MappingConfig:
        """The config a worker uses: names from ``graph.settings``, weights from the environment."""
        return cls(
            weights=weights if weights is not None else Weights(),
            user_label=settings.user_label,
            user_key=settings.user_key,
            content_labels=dict(settings.content_labels),
            content_key=settings.content_key,
            generic_label=settings.generic_content_label,
        )

    def user(self, user_id: str) -> NodeRef:
        """``(:Users {user_id})``."""
        return NodeRef(self.user_label, ((self.user_key, user_id),), "user")


class Bad(Exception):
    """A reason to quarantine the row being mapped (internal control flow; never leaves this package)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def show(value: object, limit: int = 80) -> str:
    """A short repr for a quarantine reason."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def guarded(table: str, row_id: object, body: Callable[[], MapResult]) -> MapResult:
    """Run a mapper body, turning ``Bad`` into a ``Quarantine``."""
    try:
        return body()
    except Bad as bad:
        rid = row_id if isinstance(row_id, int) and not isinstance(row_id, bool) else None
        return Quarantine(table, rid, str(bad))


def row_id(value: object) -> int:
    """The row's primary key."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Bad("bad_row_id", f"id must be a positive integer, got {show(value)}")
    return value


def user_id(value: object, column: str) -> str:
    """A Django user id column, as the graph's ``Users.user_id`` string."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Bad("bad_user_id", f"{column} must be a positive integer, got {show(value)}")
    return str(value)


def aware_time(value: object, column: str) -> datetime:
    """A timezone-aware datetime column."""
    if not isinstance(value, datetime):
        raise Bad("bad_timestamp", f"{column} must be a datetime, got {show(value)}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise Bad("bad_timestamp", f"{column} has no time zone: {value.isoformat()}")
    return value


def event_time(timestamp: object, updated_at: object, max_future_skew_seconds: float) -> datetime:
    """The row's ``timestamp``: timezone-aware, in [1970, 9000), not later than ``updated_at`` + the skew."""
    at = aware_time(timestamp, "timestamp")
    updated = aware_time(updated_at, "updated_at")
    if not _EARLIEST <= at < _LATEST:
        raise Bad("bad_timestamp", f"timestamp {at.isoformat()} is outside [1970, 9000)")
    if at - updated > timedelta(seconds=max_future_skew_seconds):
        raise Bad(
            "future_timestamp",
            f"timestamp {at.isoformat()} is more than {max_future_skew_seconds:g}s after "
            f"updated_at {updated.isoformat()}",
        )
    return at


def hour_of_day(at: datetime) -> int:
    """The UTC hour of ``at`` (0-23)."""
    return at.astimezone(timezone.utc).hour


def metadata(value: object) -> dict[str, object]:
    """The row's jsonb ``metadata``, which must be a JSON object."""
    if not isinstance(value, dict):
        raise Bad("bad_metadata", f"metadata must be a JSON object, got {type(value).__name__}")
    return value


def type_value(value: object, column: str) -> str:
    """A type column (``interaction_type``, ...): a non-empty string, trimmed and lower-cased."""
    if not isinstance(value, str) or not value.strip():
        raise Bad("bad_type", f"{column} must be a non-empty string, got {show(value)}")
    return value.strip().lower()


def text_id(value: object, column: str) -> str:
    """An id column holding free text (``content_id`` of a generic content type, ``media_id``, ...)."""
    if not isinstance(value, str) or not value.strip():
        raise Bad("bad_id", f"{column} must be a non-empty string, got {show(value)}")
    return value.strip()


def hex32(value: object) -> str | None:
    """A platform ``uid`` (32 hex digits, lower-cased), or None if ``value`` is not one."""
    if isinstance(value, str) and _HEX32.fullmatch(value.strip()):
        return value.strip().lower()
    return None


def digits_id(value: object) -> str | None:
    """A positive decimal id in canonical form (``"007"`` -> ``"7"``), or None."""
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        n = int(value.strip())
        return str(n) if n > 0 else None
    return None


def number(value: object, column: str) -> float | None:
    """An optional finite number."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Bad("bad_number", f"{column} must be a number, got {show(value)}")
    x = float(value)
    if not math.isfinite(x):
        raise Bad("bad_number", f"{column} must be finite, got {show(value)}")
    return x


def seconds(value: object, column: str, limit: float) -> float | None:
    """An optional duration in seconds: finite, >= 0 and <= ``limit``."""
    x = number(value, column)
    if x is None:
        return None
    if x < 0.0:
        raise Bad("negative_duration", f"{column} must be >= 0, got {show(value)}")
    if x > limit:
        raise Bad("absurd_duration", f"{column} {show(value)} exceeds the limit of {limit:g}s")
    return x


def percentage(value: object, column: str) -> float | None:
    """An optional percentage in [0, 100]."""
    x = number(value, column)
    if x is not None and not 0.0 <= x <= 100.0:
        raise Bad("bad_percentage", f"{column} must be within [0, 100], got {show(value)}")
    return x


def count(value: object, column: str) -> int | None:
    """An optional non-negative integer counter."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Bad("bad_number", f"{column} must be a non-negative integer, got {show(value)}")
    return value


def flag(value: object, column: str) -> bool:
    """A boolean column."""
    if not isinstance(value, bool):
        raise Bad("bad_flag", f"{column} must be a boolean, got {show(value)}")
    return value


def optional_text(value: object, column: str) -> str | None:
    """An optional short text column (None for null or blank)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Bad("bad_text", f"{column} must be text, got {show(value)}")
    return value.strip() or None


def content_node(config: MappingConfig, content_type: str, content_id: object, column: str) -> NodeRef:
    """The node for a (type, id): a platform node by 32-hex uid, else the generic node by (type, id)."""
    label = config.content_labels.get(content_type)
    if label is not None:
        uid = hex32(content_id)
        if uid is None:
            raise Bad(
                "bad_content_uid",
                f"{column} of a {content_type!r} must be a 32-hex uid, got {show(content_id)}",
            )
        return NodeRef(label, ((config.content_key, uid),), content_type)
    cid = text_id(content_id, column)
    return NodeRef(config.generic_label, (("content_type", content_type), ("content_id", cid)), content_type)


def unknown(table: str, column: str, value: str, extra_known: Container[str] = ()) -> list[UnknownType]:
    """``[UnknownType]`` unless ``value`` is in the vocabulary or configured (a weight, a label)."""
    if is_known(table, column, value) or value in extra_known:
        return []
    return [UnknownType(table, column, value)]


def props(**values: float | None) -> tuple[tuple[str, float], ...]:
    """The non-null numbers, as an edge's extra properties."""
    return tuple((k, v) for k, v in values.items() if v is not None)
