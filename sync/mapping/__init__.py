"""Pure row -> graph-change mapping, one module per platform table, so the writer only applies typed changes.

``map_row(row, config)`` dispatches on the row type and never raises: a row becomes ``Mapped(changes, notes)``
or a ``Quarantine(table, row_id, reason)``. ``docs/mapping.md`` says what every table and value becomes.
"""

from __future__ import annotations

from sync.changes import MapResult, Quarantine
from sync.mapping._common import PLATFORM_CONTENT_LABELS, MappingConfig
from sync.mapping.activity import map_session_activity, map_user_activity
from sync.mapping.content import CONNECTION_STATUSES, map_content_interaction
from sync.mapping.media import map_media_interaction
from sync.mapping.social import SOCIAL_CONNECTION_TYPES, map_profile_activity, map_social_interaction
from sync.mapping.vibe import classify_target, map_vibe_activity
from sync.mapping.vocab import OFF_LIST, PLATFORM_CHOICES, is_known
from sync.rows import (
    ContentInteractionRow,
    MediaInteractionRow,
    ProfileActivityRow,
    Row,
    SessionActivityRow,
    SocialInteractionRow,
    UserActivityRow,
    VibeActivityRow,
)

__all__ = [
    "CONNECTION_STATUSES",
    "OFF_LIST",
    "PLATFORM_CHOICES",
    "PLATFORM_CONTENT_LABELS",
    "SOCIAL_CONNECTION_TYPES",
    "MappingConfig",
    "classify_target",
    "is_known",
    "map_content_interaction",
    "map_media_interaction",
    "map_profile_activity",
    "map_row",
    "map_session_activity",
    "map_social_interaction",
    "map_user_activity",
    "map_vibe_activity",
]


def _dispatch(row: Row, config: MappingConfig) -> MapResult:
    if isinstance(row, ContentInteractionRow):
        return map_content_interaction(row, config)
    if isinstance(row, MediaInteractionRow):
        return map_media_interaction(row, config)
    if isinstance(row, SocialInteractionRow):
        return map_social_interaction(row, config)
    if isinstance(row, ProfileActivityRow):
        return map_profile_activity(row, config)
    if isinstance(row, VibeActivityRow):
        return map_vibe_activity(row, config)
    if isinstance(row, UserActivityRow):
        return map_user_activity(row, config)
    if isinstance(row, SessionActivityRow):
        return map_session_activity(row, config)
    return Quarantine(type(row).__name__, None, f"unknown_row_type: {type(row).__name__}")


def map_row(row: Row, config: MappingConfig | None = None) -> MapResult:
    """Map one row of any activity table; never raises (a bug becomes a ``mapping_error`` quarantine)."""
    cfg = config if config is not None else MappingConfig()
    try:
        return _dispatch(row, cfg)
    except Exception as exc:  # last resort: one bad row must not stop the batch
        rid = getattr(row, "id", None)
        return Quarantine(
            getattr(row, "TABLE", type(row).__name__),
            rid if isinstance(rid, int) and not isinstance(rid, bool) else None,
            f"mapping_error: {type(exc).__name__}: {exc}",
        )
