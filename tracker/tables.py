"""The seven event tables the tracker writes, as column specs the row builders and the writer share.

Why a spec and not the DDL: the platform's tables have no column DEFAULT (Django fills uid, timestamps,
metadata ``{}``, ``success``, counters in Python, see ``activity/sql/schema.sql``), so every row the tracker
sends must carry every NOT NULL column itself; the spec lists exactly those columns (all but the identity
``id``), their varchar lengths (the overflow rule needs them) and the platform's ``choices`` (values outside
them are written as given and counted). ``activity_aggregation`` is not here: it is derived, nothing in this
layer reads it, and the platform only kept it up to date on its synchronous path.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property


class Kind(str, Enum):
    """How a Python value becomes COPY text for a column."""

    UUID = "uuid"
    TS = "ts"
    INET = "inet"
    TEXT = "text"
    JSON = "json"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    USER = "user"  # integer FK to auth_user; may hold an unresolved Users.uid until the flusher resolves it


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    max_length: int | None = None
    nullable: bool = True
    choices: frozenset[str] | None = None


@dataclass(frozen=True)
class Table:
    """One activity table: its columns in the order the tracker's COPY lines carry them."""

    name: str
    columns: tuple[Column, ...]
    # session_activity is one row per (user, session) updated in place: written by a merge, not appended.
    upsert: bool = False

    # Derived once (cached_property writes the instance __dict__, which a frozen dataclass allows).
    @cached_property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @cached_property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    def index(self, column: str) -> int:
        return self.column_names.index(column)

    @cached_property
    def quoted_columns(self) -> str:
        return ", ".join(f'"{c}"' for c in self.column_names)

    @cached_property
    def user_columns(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.columns) if c.kind is Kind.USER)

    @cached_property
    def ts_columns(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.columns) if c.kind is Kind.TS)


def _choices(*values: str) -> frozenset[str]:
    return frozenset(values)


# The platform's lists (user_activity/models.py with migrations 0001-0004; docs/platform.md §2).
USER_ACTIVITY_TYPES = _choices(
    "login", "logout", "profile_update", "password_change", "email_change", "account_deactivation",
    "account_reactivation", "settings_update", "privacy_update", "notification_update", "search", "navigation",
    "error", "feature_usage", "post_create", "post_update", "story_create", "community_create", "page_view",
    "session_data", "scroll",
)
CONTENT_TYPES = _choices(
    "post", "story", "comment", "community_post", "review", "connection", "conversation_message", "matrix_message"
)
CONTENT_INTERACTION_TYPES = _choices(
    "view", "like", "unlike", "comment", "share", "save", "unsave", "pin", "unpin", "report", "hide", "react",
    "unreact", "rate", "scroll_depth", "time_spent", "create",
)
SOCIAL_INTERACTION_TYPES = _choices(
    "connection_request", "connection_accept", "connection_decline", "connection_remove", "message_send",
    "message_read", "group_join", "group_leave", "group_invite", "mention", "tag", "recommendation_view",
    "recommendation_dismiss", "profile_visit",
)
PROFILE_ACTIVITY_TYPES = _choices(
    "profile_view", "profile_follow", "profile_unfollow", "profile_block", "profile_unblock", "profile_report",
    "profile_message", "profile_share", "achievement_view", "experience_view", "posts_browse", "stories_browse",
)
MEDIA_TYPES = _choices("image", "video", "audio", "document", "gif", "thumbnail", "comment_media")
MEDIA_INTERACTION_TYPES = _choices(
    "click", "view", "download", "share", "zoom", "play", "pause", "seek", "fullscreen", "volume_change",
    "quality_change",
)
SESSION_TYPES = _choices("web", "mobile", "api", "admin")
VIBE_ACTIVITY_TYPES = _choices(
    "vibe_create", "vibe_send", "vibe_receive", "vibe_view", "vibe_search", "vibe_category_browse",
    "vibe_popularity_view", "vibe_score_update",
)
VIBE_TYPES = _choices("individual", "community", "brand", "service", "main")

_COMMON = (
    Column("uid", Kind.UUID, nullable=False),
    Column("created_at", Kind.TS, nullable=False),
    Column("updated_at", Kind.TS, nullable=False),
    Column("timestamp", Kind.TS, nullable=False),
    Column("ip_address", Kind.INET),
    Column("user_agent", Kind.TEXT),
    Column("metadata", Kind.JSON, nullable=False),
)

USER_ACTIVITY = Table(
    "user_activity",
    (
        *_COMMON,
        Column("activity_type", Kind.TEXT, 50, False, USER_ACTIVITY_TYPES),
        Column("description", Kind.TEXT),
        Column("success", Kind.BOOL, nullable=False),
        Column("user_id", Kind.USER, nullable=False),
    ),
)
CONTENT_INTERACTION = Table(
    "content_interaction",
    (
        *_COMMON,
        Column("content_type", Kind.TEXT, 20, False, CONTENT_TYPES),
        Column("content_id", Kind.TEXT, 100, False),
        Column("interaction_type", Kind.TEXT, 20, False, CONTENT_INTERACTION_TYPES),
        Column("duration_seconds", Kind.INT),
        Column("scroll_depth_percentage", Kind.FLOAT),
        Column("user_id", Kind.USER, nullable=False),
    ),
)
SOCIAL_INTERACTION = Table(
    "social_interaction",
    (
        *_COMMON,
        Column("interaction_type", Kind.TEXT, 25, False, SOCIAL_INTERACTION_TYPES),
        Column("context_type", Kind.TEXT, 50),
        Column("context_id", Kind.TEXT, 100),
        Column("target_user_id", Kind.USER),
        Column("user_id", Kind.USER, nullable=False),
    ),
)
PROFILE_ACTIVITY = Table(
    "profile_activity",
    (
        *_COMMON,
        Column("activity_type", Kind.TEXT, 20, False, PROFILE_ACTIVITY_TYPES),
        Column("duration_seconds", Kind.INT),
        Column("profile_owner_id", Kind.USER, nullable=False),
        Column("visitor_id", Kind.USER, nullable=False),
    ),
)
MEDIA_INTERACTION = Table(
    "media_interaction",
    (
        *_COMMON,
        Column("media_type", Kind.TEXT, 20, False, MEDIA_TYPES),
        Column("media_id", Kind.TEXT, 100, False),
        Column("media_url", Kind.TEXT, 200),
        Column("interaction_type", Kind.TEXT, 20, False, MEDIA_INTERACTION_TYPES),
        Column("duration_seconds", Kind.INT),
        Column("position_seconds", Kind.INT),
        Column("user_id", Kind.USER, nullable=False),
    ),
)
SESSION_ACTIVITY = Table(
    "session_activity",
    (
        *_COMMON,
        Column("session_id", Kind.TEXT, 100, False),
        Column("session_type", Kind.TEXT, 10, False, SESSION_TYPES),
        Column("start_time", Kind.TS, nullable=False),
        Column("end_time", Kind.TS),
        Column("duration_seconds", Kind.INT),
        Column("pages_visited", Kind.INT, nullable=False),
        Column("actions_performed", Kind.INT, nullable=False),
        Column("device_info", Kind.JSON, nullable=False),
        Column("location_data", Kind.JSON, nullable=False),
        Column("referrer", Kind.TEXT, 200),
        Column("exit_page", Kind.TEXT, 200),
        Column("user_id", Kind.USER, nullable=False),
    ),
    upsert=True,
)
VIBE_ACTIVITY = Table(
    "vibe_activity",
    (
        *_COMMON,
        Column("activity_type", Kind.TEXT, 25, False, VIBE_ACTIVITY_TYPES),
        Column("vibe_type", Kind.TEXT, 15, False, VIBE_TYPES),
        Column("vibe_id", Kind.TEXT, 100, False),
        Column("vibe_name", Kind.TEXT, 255),
        Column("vibe_category", Kind.TEXT, 100),
        # Text, not a FK: the platform writes Django ids, Community uids and the string 'None' here.
        Column("target_user_id", Kind.TEXT, 100),
        Column("vibe_score", Kind.FLOAT),
        Column("iq_impact", Kind.FLOAT),
        Column("aq_impact", Kind.FLOAT),
        Column("sq_impact", Kind.FLOAT),
        Column("hq_impact", Kind.FLOAT),
        Column("success", Kind.BOOL, nullable=False),
        Column("error_message", Kind.TEXT),
        Column("user_id", Kind.USER, nullable=False),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        USER_ACTIVITY,
        CONTENT_INTERACTION,
        SOCIAL_INTERACTION,
        PROFILE_ACTIVITY,
        MEDIA_INTERACTION,
        SESSION_ACTIVITY,
        VIBE_ACTIVITY,
    )
}
