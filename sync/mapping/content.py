"""content_interaction -> engagement (write-up weights), impressions, authorship, connections, sessions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sync.changes import (
    ActorRole,
    Authorship,
    Change,
    ConnectionEvent,
    ConnectionState,
    EdgeContribution,
    Impression,
    Mapped,
    MapResult,
    Note,
    SessionObservation,
)
from sync.mapping._common import (
    Bad,
    MappingConfig,
    content_node,
    event_time,
    guarded,
    hex32,
    metadata,
    percentage,
    props,
    row_id,
    seconds,
    text_id,
    type_value,
    unknown,
    user_id,
)
from sync.rows import ContentInteractionRow
from sync.weights import content_contribution

__all__ = ["CONNECTION_STATUSES", "map_content_interaction"]

TABLE = ContentInteractionRow.TABLE

# interaction_type of a `connection` row -> (state, who acted); None keeps the state (details changed).
CONNECTION_STATUSES: Mapping[str, tuple[ConnectionState | None, ActorRole]] = {
    "send_request": ("requested", "requester"),
    "received": ("requested", "unknown"),
    "accepted": ("connected", "receiver"),
    "accept_request": ("connected", "receiver"),
    "rejected": ("declined", "receiver"),
    "reject_request": ("declined", "receiver"),
    "cancelled": ("removed", "requester"),
    "cancel_request": ("removed", "requester"),
    "delete": ("removed", "unknown"),
    "update_relationship": (None, "unknown"),
    "update_relationship_v2": (None, "unknown"),
}

# The platform's Connection.connection_status values (metadata.connection_status).
PLATFORM_CONNECTION_STATUS: Mapping[str, ConnectionState] = {
    "received": "requested",
    "accepted": "connected",
    "rejected": "declined",
    "cancelled": "removed",
}

# metadata keys naming the users of a connection by Users.uid
_PEER_KEYS = ("receiver_uid", "sender_uid", "connected_user_uid")


def map_content_interaction(row: ContentInteractionRow, config: MappingConfig | None = None) -> MapResult:
    """One content_interaction row; never raises."""
    cfg = config if config is not None else MappingConfig()
    return guarded(TABLE, row.id, lambda: _map(row, cfg))


def _map(row: ContentInteractionRow, cfg: MappingConfig) -> Mapped:
    w = cfg.weights
    row_id(row.id)
    user = user_id(row.user_id, "user_id")
    at = event_time(row.timestamp, row.updated_at, w.max_future_skew_seconds)
    meta = metadata(row.metadata)
    ctype = type_value(row.content_type, "content_type")
    itype = type_value(row.interaction_type, "interaction_type")
    duration = seconds(row.duration_seconds, "duration_seconds", w.max_duration_seconds)
    scroll = percentage(row.scroll_depth_percentage, "scroll_depth_percentage")
    notes: list[Note] = [*unknown(TABLE, "content_type", ctype, cfg.content_labels)]

    if ctype == "connection":
        return _connection(row, user, at, itype, meta, notes)
    if ctype == "session" and itype == "session_data":
        return _session(row, user, at, meta, w.max_session_seconds, notes)

    notes += unknown(TABLE, "interaction_type", itype, w.content)
    node = content_node(cfg, ctype, row.content_id, "content_id")
    if itype == "view" and meta.get("source") == "feed_view":
        source = meta.get("content_source")
        return Mapped(
            (Impression(user, node, at, source if isinstance(source, str) else None),), tuple(notes)
        )

    changes: list[Change] = []
    if itype == "create":
        changes.append(Authorship(user, node, at))
    changes.append(
        EdgeContribution(
            rel_type="ENGAGED_WITH",
            src=user,
            dst=node,
            at=at,
            contribution=content_contribution(itype, duration, scroll, w),
            interaction_type=itype,
            props=props(duration_seconds=duration, scroll_depth=scroll),
        )
    )
    return Mapped(tuple(changes), tuple(notes))


def _connection(
    row: ContentInteractionRow,
    user: str,
    at: datetime,
    itype: str,
    meta: dict[str, object],
    notes: list[Note],
) -> Mapped:
    connection_uid = hex32(row.content_id)
    peers = tuple(dict.fromkeys(uid for key in _PEER_KEYS if (uid := hex32(meta.get(key))) is not None))
    if connection_uid is None and not peers:
        raise Bad(
            "connection_unresolvable",
            f"content_id {row.content_id!r} is not a connection uid and metadata names no user uid",
        )
    if itype in CONNECTION_STATUSES:
        state, role = CONNECTION_STATUSES[itype]
    else:
        state, role = None, "unknown"
        notes += unknown(TABLE, "interaction_type", itype)
    if state is None:
        status = meta.get("connection_status")
        if isinstance(status, str):
            state = PLATFORM_CONNECTION_STATUS.get(status.strip().lower())
    event = ConnectionEvent(
        user=user,
        state=state,
        at=at,
        interaction_type=itype,
        actor_role=role,
        peer_uids=peers,
        connection_uid=connection_uid,
    )
    return Mapped((event,), tuple(notes))


def _parse_iso(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not take "Z"
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None and parsed.utcoffset() is not None else None


def _session(
    row: ContentInteractionRow,
    user: str,
    at: datetime,
    meta: dict[str, object],
    max_session_seconds: float,
    notes: list[Note],
) -> Mapped:
    session_id = text_id(row.content_id, "content_id")
    start, end = _parse_iso(meta.get("session_start")), _parse_iso(meta.get("session_end"))
    length: float | None = None
    if start is not None and end is not None:
        span = (end - start).total_seconds()
        # metadata is free-form: an impossible span is left out rather than quarantining the session.
        length = span if 0.0 <= span <= max_session_seconds else None
    pages = meta.get("pages_visited")
    pages_visited = pages if isinstance(pages, int) and not isinstance(pages, bool) and pages >= 0 else None
    obs = SessionObservation(
        user=user,
        session_id=session_id,
        at=at,
        length_seconds=length,
        pages_visited=pages_visited,
        table=TABLE,
    )
    return Mapped((obs,), tuple(notes))
