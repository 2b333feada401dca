"""social_interaction and profile_activity -> VISITED edges, connection events and activity counts."""

from __future__ import annotations

from collections.abc import Mapping

from sync.changes import (
    ActorRole,
    ConnectionEvent,
    ConnectionState,
    EdgeContribution,
    Mapped,
    MapResult,
    Note,
    Skipped,
    UserActivityCount,
)
from sync.mapping._common import (
    Bad,
    MappingConfig,
    event_time,
    guarded,
    hex32,
    hour_of_day,
    metadata,
    optional_text,
    props,
    row_id,
    seconds,
    type_value,
    unknown,
    user_id,
)
from sync.rows import ProfileActivityRow, SocialInteractionRow
from sync.weights import visit_contribution

__all__ = ["SOCIAL_CONNECTION_TYPES", "map_profile_activity", "map_social_interaction"]

SOCIAL = SocialInteractionRow.TABLE
PROFILE = ProfileActivityRow.TABLE

# social_interaction connection types -> (state, who acted); the platform writes the accept and decline
# rows from the receiver, the request and remove (its "Cancelled") rows from the sender.
SOCIAL_CONNECTION_TYPES: Mapping[str, tuple[ConnectionState, ActorRole]] = {
    "connection_request": ("requested", "requester"),
    "connection_accept": ("connected", "receiver"),
    "connection_decline": ("declined", "receiver"),
    "connection_remove": ("removed", "requester"),
}

_PEER_KEYS = ("receiver_uid", "sender_uid")


def map_social_interaction(row: SocialInteractionRow, config: MappingConfig | None = None) -> MapResult:
    """One social_interaction row; never raises."""
    cfg = config if config is not None else MappingConfig()
    return guarded(SOCIAL, row.id, lambda: _social(row, cfg))


def map_profile_activity(row: ProfileActivityRow, config: MappingConfig | None = None) -> MapResult:
    """One profile_activity row; never raises."""
    cfg = config if config is not None else MappingConfig()
    return guarded(PROFILE, row.id, lambda: _profile(row, cfg))


def _social(row: SocialInteractionRow, cfg: MappingConfig) -> Mapped:
    w = cfg.weights
    rid = row_id(row.id)
    user = user_id(row.user_id, "user_id")
    at = event_time(row.timestamp, row.updated_at, w.max_future_skew_seconds)
    meta = metadata(row.metadata)
    itype = type_value(row.interaction_type, "interaction_type")
    context_type = optional_text(row.context_type, "context_type")
    context_id = optional_text(row.context_id, "context_id")

    if itype == "profile_visit":
        target = user_id(row.target_user_id, "target_user_id")
        if target == user:
            return Mapped(notes=(Skipped(SOCIAL, rid, "self_visit"),))
        edge = EdgeContribution(
            rel_type="VISITED",
            src=user,
            dst=cfg.user(target),
            at=at,
            contribution=visit_contribution(itype, None, w),
            interaction_type=itype,
        )
        return Mapped((edge,))

    if itype in SOCIAL_CONNECTION_TYPES:
        state, role = SOCIAL_CONNECTION_TYPES[itype]
        peer = None if row.target_user_id is None else user_id(row.target_user_id, "target_user_id")
        if peer == user:
            raise Bad("self_connection", f"{itype} from user {user} to itself")
        connection_uid = hex32(context_id) if context_type == "connection" else None
        connection_uid = connection_uid or hex32(meta.get("connection_id"))
        peers = tuple(dict.fromkeys(uid for key in _PEER_KEYS if (uid := hex32(meta.get(key))) is not None))
        if peer is None and connection_uid is None and not peers:
            raise Bad("connection_unresolvable", f"{itype} names no target user, connection uid or user uid")
        event = ConnectionEvent(
            user=user,
            state=state,
            at=at,
            interaction_type=itype,
            actor_role=role,
            peer_user_id=peer,
            peer_uids=peers,
            connection_uid=connection_uid,
        )
        return Mapped((event,))

    # messages, group join/leave/invite, mentions, tags, recommendations, and types never seen before:
    # the user's activity profile only (no target-specific weight is defined for them).
    notes: list[Note] = [*unknown(SOCIAL, "interaction_type", itype)]
    count = UserActivityCount(user, itype, hour_of_day(at), at, SOCIAL)
    return Mapped((count,), tuple(notes))


def _profile(row: ProfileActivityRow, cfg: MappingConfig) -> Mapped:
    w = cfg.weights
    rid = row_id(row.id)
    visitor = user_id(row.visitor_id, "visitor_id")
    owner = user_id(row.profile_owner_id, "profile_owner_id")
    at = event_time(row.timestamp, row.updated_at, w.max_future_skew_seconds)
    meta = metadata(row.metadata)
    atype = type_value(row.activity_type, "activity_type")
    duration = seconds(row.duration_seconds, "duration_seconds", w.max_duration_seconds)
    notes: list[Note] = [*unknown(PROFILE, "activity_type", atype, w.visit)]
    if visitor == owner:
        return Mapped(notes=(*notes, Skipped(PROFILE, rid, "self_visit")))
    if atype == "profile_view" and meta.get("query_type") == "profile_by_user_id":
        # ActivityService.track_profile_visit writes this row and a social_interaction `profile_visit` row for
        # the same visit; the social row carries the weight.
        return Mapped(notes=(*notes, Skipped(PROFILE, rid, "twin_of_social_profile_visit")))
    edge = EdgeContribution(
        rel_type="VISITED",
        src=visitor,
        dst=cfg.user(owner),
        at=at,
        contribution=visit_contribution(atype, duration, w),
        interaction_type=atype,
        props=props(duration_seconds=duration),
    )
    return Mapped((edge,), tuple(notes))
