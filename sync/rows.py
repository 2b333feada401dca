"""One plain frozen dataclass per activity table, so the Postgres source and the pure mapping share one shape.

Field names are the tables' column names (section 2.2 of the platform write-up, and the platform's
``user_activity/models.py`` for ``session_activity``), so a source can ``SELECT {", ".join(Row.columns())}``
and build rows with psycopg's ``class_row(Row)``. ``ip_address``, ``user_agent`` and ``created_at`` are not
read: the sync keys events on ``timestamp``. Types are what psycopg returns; the mapping still checks every
value, because a row is input, not a promise. ``activity_aggregation`` has no row type: it is derived.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import ClassVar
from uuid import UUID

__all__ = [
    "ROW_TYPES",
    "ContentInteractionRow",
    "MediaInteractionRow",
    "ProfileActivityRow",
    "Row",
    "SessionActivityRow",
    "SocialInteractionRow",
    "UserActivityRow",
    "VibeActivityRow",
]


@dataclass(frozen=True, slots=True)
class _Base:
    """Columns every activity table has (the platform's ``BaseActivityModel``)."""

    TABLE: ClassVar[str] = ""

    id: int
    uid: UUID | str
    timestamp: datetime
    updated_at: datetime
    # jsonb: a dict when the platform behaves; anything JSON when it does not.
    metadata: object

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The column names to select, in field order."""
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True, slots=True)
class UserActivityRow(_Base):
    """``user_activity``: general user actions (login, post_create, page_view, ...)."""

    TABLE: ClassVar[str] = "user_activity"

    user_id: int
    activity_type: str
    success: bool = True


@dataclass(frozen=True, slots=True)
class ContentInteractionRow(_Base):
    """``content_interaction``: a user's action on a piece of content."""

    TABLE: ClassVar[str] = "content_interaction"

    user_id: int
    content_type: str
    content_id: str
    interaction_type: str
    duration_seconds: int | None = None
    scroll_depth_percentage: float | None = None


@dataclass(frozen=True, slots=True)
class SocialInteractionRow(_Base):
    """``social_interaction``: profile visits, connection events, messages, group joins."""

    TABLE: ClassVar[str] = "social_interaction"

    user_id: int
    interaction_type: str
    target_user_id: int | None = None
    context_type: str | None = None
    context_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileActivityRow(_Base):
    """``profile_activity``: a visitor's action on a profile owner's profile."""

    TABLE: ClassVar[str] = "profile_activity"

    visitor_id: int
    profile_owner_id: int
    activity_type: str
    duration_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class MediaInteractionRow(_Base):
    """``media_interaction``: a user's action on an image, video, ... or on a post's comment media."""

    TABLE: ClassVar[str] = "media_interaction"

    user_id: int
    media_type: str
    media_id: str
    interaction_type: str
    duration_seconds: int | None = None
    position_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class SessionActivityRow(_Base):
    """``session_activity``: one app session."""

    TABLE: ClassVar[str] = "session_activity"

    user_id: int
    session_id: str
    session_type: str = "web"
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration_seconds: int | None = None
    pages_visited: int = 0
    actions_performed: int = 0


@dataclass(frozen=True, slots=True)
class VibeActivityRow(_Base):
    """``vibe_activity``: vibe create/send/receive/view/... with score and IQ/AQ/SQ/HQ impacts."""

    TABLE: ClassVar[str] = "vibe_activity"

    user_id: int
    activity_type: str
    vibe_type: str
    vibe_id: str
    vibe_name: str | None = None
    vibe_category: str | None = None
    target_user_id: str | None = None
    vibe_score: float | None = None
    iq_impact: float | None = None
    aq_impact: float | None = None
    sq_impact: float | None = None
    hq_impact: float | None = None
    success: bool = True


Row = (
    UserActivityRow
    | ContentInteractionRow
    | SocialInteractionRow
    | ProfileActivityRow
    | MediaInteractionRow
    | SessionActivityRow
    | VibeActivityRow
)

ROW_TYPES: tuple[type[Row], ...] = (
    UserActivityRow,
    ContentInteractionRow,
    SocialInteractionRow,
    ProfileActivityRow,
    MediaInteractionRow,
    SessionActivityRow,
    VibeActivityRow,
)
