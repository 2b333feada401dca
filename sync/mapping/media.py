"""media_interaction -> engagement with the media, or with the post a comment_media row names."""

from __future__ import annotations

from sync.changes import EdgeContribution, Mapped, MapResult, Note
from sync.mapping._common import (
    MappingConfig,
    content_node,
    event_time,
    guarded,
    hex32,
    metadata,
    props,
    row_id,
    seconds,
    type_value,
    unknown,
    user_id,
)
from sync.rows import MediaInteractionRow
from sync.weights import media_contribution

__all__ = ["map_media_interaction"]

TABLE = MediaInteractionRow.TABLE


def map_media_interaction(row: MediaInteractionRow, config: MappingConfig | None = None) -> MapResult:
    """One media_interaction row; never raises."""
    cfg = config if config is not None else MappingConfig()
    return guarded(TABLE, row.id, lambda: _map(row, cfg))


def _map(row: MediaInteractionRow, cfg: MappingConfig) -> Mapped:
    w = cfg.weights
    row_id(row.id)
    user = user_id(row.user_id, "user_id")
    at = event_time(row.timestamp, row.updated_at, w.max_future_skew_seconds)
    meta = metadata(row.metadata)
    mtype = type_value(row.media_type, "media_type")
    itype = type_value(row.interaction_type, "interaction_type")
    duration = seconds(row.duration_seconds, "duration_seconds", w.max_duration_seconds)
    position = seconds(row.position_seconds, "position_seconds", w.max_duration_seconds)
    notes: list[Note] = [
        *unknown(TABLE, "media_type", mtype),
        *unknown(TABLE, "interaction_type", itype, w.media),
    ]
    post_uid = hex32(meta.get("post_uid")) if mtype == "comment_media" else None
    if post_uid is not None:
        # The comments (and their media) of a post were looked at: engagement with the post.
        node = content_node(cfg, "post", post_uid, "metadata.post_uid")
    else:
        node = content_node(cfg, mtype, row.media_id, "media_id")
    edge = EdgeContribution(
        rel_type="ENGAGED_WITH",
        src=user,
        dst=node,
        at=at,
        contribution=media_contribution(itype, duration, w),
        # prefixed so media rows stay apart from content rows on a shared edge (n_media_view vs n_view)
        interaction_type=f"media_{itype}",
        props=props(duration_seconds=duration, position_seconds=position),
    )
    return Mapped((edge,), tuple(notes))
