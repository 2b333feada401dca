"""Mapping: every table and value the platform writes, bad input quarantined, and no row ever raises."""

from __future__ import annotations

import math
import re
from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.changes import (
    Authorship,
    ConnectionEvent,
    EdgeContribution,
    Impression,
    Mapped,
    MapResult,
    NodeRef,
    Quarantine,
    SessionObservation,
    Skipped,
    UnknownType,
    UserActivityCount,
    VibeProfileUpdate,
    VibeTarget,
)
from sync.mapping import (
    OFF_LIST,
    PLATFORM_CHOICES,
    MappingConfig,
    map_content_interaction,
    map_media_interaction,
    map_profile_activity,
    map_row,
    map_session_activity,
    map_social_interaction,
    map_user_activity,
    map_vibe_activity,
)
from sync.rows import (
    ROW_TYPES,
    ContentInteractionRow,
    MediaInteractionRow,
    ProfileActivityRow,
    Row,
    SessionActivityRow,
    SocialInteractionRow,
    UserActivityRow,
    VibeActivityRow,
)

T = datetime(2025, 9, 19, 12, 30, tzinfo=timezone.utc)
POST = "c954ab0b6c034278b539881d3027bca3"
UID_A = "a" * 32
UID_B = "b" * 32
BASE: dict[str, Any] = {
    "id": 7,
    "uid": "0b4c4a50-0000-4000-8000-000000000007",
    "timestamp": T,
    "updated_at": T,
}


def content(**kw: Any) -> ContentInteractionRow:
    args: dict[str, Any] = {
        **BASE,
        "metadata": {},
        "user_id": 195,
        "content_type": "post",
        "content_id": POST,
        "interaction_type": "like",
    }
    return ContentInteractionRow(**{**args, **kw})


def social(**kw: Any) -> SocialInteractionRow:
    args: dict[str, Any] = {
        **BASE,
        "metadata": {},
        "user_id": 176,
        "interaction_type": "profile_visit",
        "target_user_id": 174,
    }
    return SocialInteractionRow(**{**args, **kw})


def profile(**kw: Any) -> ProfileActivityRow:
    args: dict[str, Any] = {
        **BASE,
        "metadata": {},
        "visitor_id": 176,
        "profile_owner_id": 174,
        "activity_type": "profile_view",
    }
    return ProfileActivityRow(**{**args, **kw})


def media(**kw: Any) -> MediaInteractionRow:
    args: dict[str, Any] = {
        **BASE,
        "metadata": {},
        "user_id": 12,
        "media_type": "image",
        "media_id": "9001",
        "interaction_type": "view",
    }
    return MediaInteractionRow(**{**args, **kw})


def vibe(**kw: Any) -> VibeActivityRow:
    args: dict[str, Any] = {
        **BASE,
        "metadata": {},
        "user_id": 203,
        "activity_type": "vibe_send",
        "vibe_type": "individual",
        "vibe_id": "v1",
        "target_user_id": "174",
        "vibe_score": 3.0,
    }
    return VibeActivityRow(**{**args, **kw})


def user_activity(**kw: Any) -> UserActivityRow:
    args: dict[str, Any] = {**BASE, "metadata": {}, "user_id": 4, "activity_type": "login"}
    return UserActivityRow(**{**args, **kw})


def session(**kw: Any) -> SessionActivityRow:
    args: dict[str, Any] = {**BASE, "metadata": {}, "user_id": 4, "session_id": "s-1"}
    return SessionActivityRow(**{**args, **kw})


def mapped(result: MapResult) -> Mapped:
    assert isinstance(result, Mapped), result
    return result


def quarantined(result: MapResult, code: str) -> Quarantine:
    assert isinstance(result, Quarantine), result
    assert result.code == code, result.reason
    return result


def edge(result: MapResult) -> EdgeContribution:
    m = mapped(result)
    edges = [c for c in m.changes if isinstance(c, EdgeContribution)]
    assert len(edges) == 1, m
    return edges[0]


def post_node(uid: str = POST) -> NodeRef:
    return NodeRef("Post", (("uid", uid),), "post")


# --- content_interaction ----------------------------------------------------------------------------------


def test_like_with_time_and_scroll_is_the_write_up_weight() -> None:
    e = edge(map_content_interaction(content(duration_seconds=90, scroll_depth_percentage=50.0)))
    assert e.rel_type == "ENGAGED_WITH" and e.src == "195" and e.dst == post_node()
    assert math.isclose(e.contribution, 0.3 + 0.15 + 0.1)
    assert e.interaction_type == "like" and e.at == T
    assert e.prop_map == {"duration_seconds": 90.0, "scroll_depth": 50.0}


def test_create_records_authorship_and_engagement() -> None:
    m = mapped(map_content_interaction(content(interaction_type="create")))
    assert Authorship("195", post_node(), T) in m.changes
    assert edge(m).contribution == 1.0


def test_feed_view_is_an_impression_without_weight() -> None:
    meta = {"source": "feed_view", "algorithm": "analytics_based", "content_source": "fallback"}
    m = mapped(map_content_interaction(content(interaction_type="view", metadata=meta)))
    assert m.changes == (Impression("195", post_node(), T, "fallback"),)
    # a view from anywhere else is engagement
    assert edge(map_content_interaction(content(interaction_type="view"))).contribution == 0.1


@pytest.mark.parametrize(
    ("content_type", "label"),
    [
        ("post", "Post"),
        ("story", "Story"),
        ("comment", "Comment"),
        ("community", "Community"),
        ("community_post", "CommunityPost"),
    ],
)
def test_platform_content_types_are_platform_nodes(content_type: str, label: str) -> None:
    e = edge(map_content_interaction(content(content_type=content_type, content_id=POST.upper())))
    assert e.dst == NodeRef(label, (("uid", POST),), content_type)


@pytest.mark.parametrize("content_id", ["", "   ", "174", "not-a-uid", POST + "0", None, 42])
def test_platform_content_needs_a_32_hex_uid(content_id: object) -> None:
    q = map_content_interaction(content(content_id=content_id))
    assert isinstance(q, Quarantine) and q.code in {"bad_content_uid"}
    assert q.table == "content_interaction" and q.row_id == 7


@pytest.mark.parametrize(
    ("content_type", "content_id"),
    [
        ("page", "https://ooumph.com/feed"),
        ("profile", UID_A),
        ("opportunity", UID_B),
        ("review", "r1"),
        ("subcommunity", UID_A),
        ("user", "195"),
    ],
)
def test_other_content_types_are_generic_nodes(content_type: str, content_id: str) -> None:
    m = mapped(map_content_interaction(content(content_type=content_type, content_id=content_id)))
    assert edge(m).dst == NodeRef(
        "Content", (("content_type", content_type), ("content_id", content_id)), content_type
    )
    assert not [n for n in m.notes if isinstance(n, UnknownType)]


def test_generic_content_needs_an_id() -> None:
    quarantined(map_content_interaction(content(content_type="page", content_id="  ")), "bad_id")


def test_unseen_values_take_the_default_and_are_reported() -> None:
    m = mapped(
        map_content_interaction(content(content_type="hologram", content_id="h1", interaction_type="beam"))
    )
    assert edge(m).contribution == 0.1
    assert set(m.notes) == {
        UnknownType("content_interaction", "content_type", "hologram"),
        UnknownType("content_interaction", "interaction_type", "beam"),
    }


def test_a_configured_weight_makes_a_type_known() -> None:
    from sync.weights import Weights

    cfg = MappingConfig(
        weights=Weights.model_construct(content={**Weights.model_construct().content, "beam": 0.9})
    )
    m = mapped(map_content_interaction(content(interaction_type="beam"), cfg))
    assert edge(m).contribution == 0.9 and m.notes == ()


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"duration_seconds": -1}, "negative_duration"),
        ({"duration_seconds": math.nan}, "bad_number"),
        ({"duration_seconds": math.inf}, "bad_number"),
        ({"duration_seconds": 86401}, "absurd_duration"),
        ({"duration_seconds": True}, "bad_number"),
        ({"duration_seconds": "60"}, "bad_number"),
        ({"scroll_depth_percentage": 100.5}, "bad_percentage"),
        ({"scroll_depth_percentage": -3.0}, "bad_percentage"),
        ({"scroll_depth_percentage": math.nan}, "bad_number"),
        ({"metadata": ["not", "a", "dict"]}, "bad_metadata"),
        ({"metadata": None}, "bad_metadata"),
        ({"metadata": '{"source": "feed_view"}'}, "bad_metadata"),
        ({"user_id": None}, "bad_user_id"),
        ({"user_id": 0}, "bad_user_id"),
        ({"id": -1}, "bad_row_id"),
        ({"interaction_type": ""}, "bad_type"),
        ({"content_type": None}, "bad_type"),
        ({"timestamp": datetime(2025, 9, 19, 12)}, "bad_timestamp"),
        ({"timestamp": "2025-09-19"}, "bad_timestamp"),
        ({"timestamp": datetime(1, 1, 1, tzinfo=timezone.utc)}, "bad_timestamp"),
        ({"timestamp": T + timedelta(days=2)}, "future_timestamp"),
    ],
)
def test_bad_content_rows_are_quarantined(kw: dict[str, Any], code: str) -> None:
    q = quarantined(map_content_interaction(content(**kw)), code)
    assert q.table == "content_interaction"


def test_quarantine_keeps_the_row_id_when_it_is_usable() -> None:
    assert quarantined(map_content_interaction(content(duration_seconds=-5)), "negative_duration").row_id == 7
    assert quarantined(map_content_interaction(content(id="x")), "bad_row_id").row_id is None


@pytest.mark.parametrize(
    ("interaction_type", "metadata", "state", "role"),
    [
        ("send_request", {"receiver_uid": UID_B, "connection_version": "v2"}, "requested", "requester"),
        ("accepted", {"sender_uid": UID_A, "receiver_uid": UID_B}, "connected", "receiver"),
        ("accept_request", {"sender_uid": UID_A}, "connected", "receiver"),
        ("rejected", {"sender_uid": UID_A, "receiver_uid": UID_B}, "declined", "receiver"),
        ("reject_request", {}, "declined", "receiver"),
        ("cancelled", {"sender_uid": UID_A, "receiver_uid": UID_B}, "removed", "requester"),
        ("cancel_request", {}, "removed", "requester"),
        ("received", {}, "requested", "unknown"),
        ("delete", {"connection_status": "Accepted", "user_id": "195"}, "removed", "unknown"),
        ("update_relationship", {"connection_status": "Accepted"}, "connected", "unknown"),
        ("update_relationship_v2", {"connected_user_uid": UID_B}, None, "unknown"),
    ],
)
def test_connection_content_rows_are_connection_events(
    interaction_type: str, metadata: dict[str, Any], state: str | None, role: str
) -> None:
    row = content(
        content_type="connection",
        content_id=UID_A.replace("a", "c"),
        interaction_type=interaction_type,
        metadata=metadata,
    )
    m = mapped(map_content_interaction(row))
    (event,) = m.changes
    assert isinstance(event, ConnectionEvent)
    assert (event.user, event.state, event.actor_role, event.interaction_type) == (
        "195",
        state,
        role,
        interaction_type,
    )
    assert event.connection_uid == "c" * 32
    assert set(event.peer_uids) == {v for k, v in metadata.items() if k.endswith("_uid")}
    assert m.notes == ()


def test_unknown_connection_status_keeps_state_and_is_reported() -> None:
    m = mapped(
        map_content_interaction(content(content_type="connection", content_id=UID_A, interaction_type="poke"))
    )
    (event,) = m.changes
    assert isinstance(event, ConnectionEvent) and event.state is None
    assert m.notes == (UnknownType("content_interaction", "interaction_type", "poke"),)


def test_connection_row_naming_nobody_is_quarantined() -> None:
    row = content(content_type="connection", content_id="connection_195", interaction_type="accepted")
    quarantined(map_content_interaction(row), "connection_unresolvable")


def test_session_content_row_is_a_session_observation() -> None:
    meta = {
        "session_start": "2025-09-19T12:00:00Z",
        "session_end": "2025-09-19T12:10:00+00:00",
        "pages_visited": 4,
    }
    m = mapped(
        map_content_interaction(
            content(
                content_type="session", content_id="sess-1", interaction_type="session_data", metadata=meta
            )
        )
    )
    assert m.changes == (SessionObservation("195", "sess-1", T, 600.0, None, 4, None, "content_interaction"),)
    bad = {"session_start": "yesterday", "session_end": 5, "pages_visited": -1}
    m = mapped(
        map_content_interaction(
            content(
                content_type="session", content_id="sess-1", interaction_type="session_data", metadata=bad
            )
        )
    )
    assert m.changes == (
        SessionObservation("195", "sess-1", T, None, None, None, None, "content_interaction"),
    )


# --- media_interaction ------------------------------------------------------------------------------------


def test_media_row_engages_the_media() -> None:
    e = edge(map_media_interaction(media(interaction_type="play", duration_seconds=120, position_seconds=30)))
    assert e.dst == NodeRef("Content", (("content_type", "image"), ("content_id", "9001")), "image")
    assert math.isclose(e.contribution, 0.2 + 0.2)
    assert e.interaction_type == "media_play"
    assert e.prop_map == {"duration_seconds": 120.0, "position_seconds": 30.0}


def test_comment_media_counts_toward_the_post_in_metadata() -> None:
    meta = {"post_uid": POST, "query_type": "postcomments_by_post_uid", "comments_found": 3}
    e = edge(map_media_interaction(media(media_type="comment_media", media_id=POST, metadata=meta)))
    assert e.dst == post_node() and e.contribution == 0.1
    # no post named: the comment media itself
    e = edge(map_media_interaction(media(media_type="comment_media", media_id="m1")))
    assert e.dst == NodeRef(
        "Content", (("content_type", "comment_media"), ("content_id", "m1")), "comment_media"
    )
    # an image inside a comment stays the image's engagement
    e = edge(map_media_interaction(media(metadata={"post_uid": POST, "comment_uid": UID_A})))
    assert isinstance(e.dst, NodeRef) and e.dst.kind == "image"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"media_id": ""}, "bad_id"),
        ({"position_seconds": -4}, "negative_duration"),
        ({"duration_seconds": 10**9}, "absurd_duration"),
        ({"media_type": 3}, "bad_type"),
    ],
)
def test_bad_media_rows_are_quarantined(kw: dict[str, Any], code: str) -> None:
    quarantined(map_media_interaction(media(**kw)), code)


# --- social_interaction and profile_activity --------------------------------------------------------------


def test_profile_visit_is_visited() -> None:
    e = edge(map_social_interaction(social(context_type="profile", context_id="174")))
    assert (e.rel_type, e.src, e.dst, e.contribution) == ("VISITED", "176", MappingConfig().user("174"), 0.3)
    e = edge(map_social_interaction(social(context_type="feed_view", context_id=UID_A)))
    assert e.dst == NodeRef("Users", (("user_id", "174"),), "user")


def test_self_visit_is_skipped_not_weighted() -> None:
    m = mapped(map_social_interaction(social(target_user_id=176)))
    assert m.changes == () and m.notes == (Skipped("social_interaction", 7, "self_visit"),)


def test_profile_visit_without_target_is_quarantined() -> None:
    quarantined(map_social_interaction(social(target_user_id=None)), "bad_user_id")


@pytest.mark.parametrize(
    ("interaction_type", "state", "role"),
    [
        ("connection_request", "requested", "requester"),
        ("connection_accept", "connected", "receiver"),
        ("connection_decline", "declined", "receiver"),
        ("connection_remove", "removed", "requester"),
    ],
)
def test_social_connection_events(interaction_type: str, state: str, role: str) -> None:
    row = social(
        interaction_type=interaction_type,
        context_type="connection",
        context_id=UID_A,
        metadata={"receiver_uid": UID_B},
    )
    (event,) = mapped(map_social_interaction(row)).changes
    assert event == ConnectionEvent("176", state, T, interaction_type, role, "174", (UID_B,), UID_A)  # type: ignore[arg-type]


def test_social_connection_edge_cases() -> None:
    quarantined(
        map_social_interaction(social(interaction_type="connection_accept", target_user_id=176)),
        "self_connection",
    )
    quarantined(
        map_social_interaction(social(interaction_type="connection_accept", target_user_id=None)),
        "connection_unresolvable",
    )
    row = social(
        interaction_type="connection_request", target_user_id=None, metadata={"connection_id": UID_A}
    )
    (event,) = mapped(map_social_interaction(row)).changes
    assert isinstance(event, ConnectionEvent) and event.connection_uid == UID_A and event.peer_user_id is None


@pytest.mark.parametrize(
    "interaction_type",
    [
        "message_send",
        "message_read",
        "group_join",
        "group_leave",
        "group_invite",
        "mention",
        "tag",
        "recommendation_view",
        "recommendation_dismiss",
    ],
)
def test_other_social_types_feed_the_activity_profile(interaction_type: str) -> None:
    m = mapped(
        map_social_interaction(
            social(
                interaction_type=interaction_type,
                target_user_id=None,
                context_type="conversation",
                context_id="c1",
            )
        )
    )
    assert m.changes == (UserActivityCount("176", interaction_type, 12, T, "social_interaction"),)
    assert m.notes == ()


def test_profile_activity_is_visited_with_time_bonus() -> None:
    e = edge(map_profile_activity(profile(duration_seconds=120)))
    assert (e.rel_type, e.src, e.dst) == ("VISITED", "176", MappingConfig().user("174"))
    assert math.isclose(e.contribution, 0.3 + 0.2)
    assert edge(map_profile_activity(profile(activity_type="profile_follow"))).contribution == 0.8
    assert edge(map_profile_activity(profile(activity_type="profile_block"))).contribution == 0.0


def test_profile_activity_twin_of_a_social_visit_is_skipped() -> None:
    meta = {"profile_user_id": "174", "visitor_user_id": 176, "query_type": "profile_by_user_id"}
    m = mapped(map_profile_activity(profile(metadata=meta)))
    assert m.changes == () and m.notes == (Skipped("profile_activity", 7, "twin_of_social_profile_visit"),)


def test_profile_activity_self_and_unknown() -> None:
    m = mapped(map_profile_activity(profile(profile_owner_id=176)))
    assert m.notes == (Skipped("profile_activity", 7, "self_visit"),)
    m = mapped(map_profile_activity(profile(activity_type="profile_wave")))
    assert edge(m).contribution == 0.1
    assert m.notes == (UnknownType("profile_activity", "activity_type", "profile_wave"),)


# --- vibe_activity ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("174", VibeTarget("user_id", "174", "174")),
        ("0174", VibeTarget("user_id", "174", "0174")),
        (UID_A, VibeTarget("uid", UID_A, UID_A)),
        (UID_A.upper(), VibeTarget("uid", UID_A, UID_A.upper())),
    ],
)
def test_vibe_send_is_vibed_to_an_unresolved_target(target: str, expected: VibeTarget) -> None:
    row = vibe(target_user_id=target, iq_impact=0.15, aq_impact=0.22, sq_impact=0.08, hq_impact=0.18)
    e = edge(map_vibe_activity(row))
    assert (e.rel_type, e.src, e.dst) == ("VIBED", "203", expected)
    assert math.isclose(e.contribution, 0.4 + 0.12 * 3.0)
    assert e.prop_map == {
        "vibe_score": 3.0,
        "iq_impact": 0.15,
        "aq_impact": 0.22,
        "sq_impact": 0.08,
        "hq_impact": 0.18,
    }


@pytest.mark.parametrize("target", ["None", "null", "user-174", "0", "12ab", 174])
def test_unresolvable_vibe_target_is_quarantined(target: object) -> None:
    quarantined(map_vibe_activity(vibe(target_user_id=target)), "bad_vibe_target")


def test_vibe_without_target_and_receive_update_the_own_profile() -> None:
    for row in (
        vibe(target_user_id=None),
        vibe(target_user_id=""),
        vibe(activity_type="vibe_create"),
        vibe(activity_type="vibe_receive", target_user_id="203x"),
    ):
        (change,) = mapped(map_vibe_activity(row)).changes
        assert isinstance(change, VibeProfileUpdate) and change.user == "203" and change.score == 3.0


def test_vibe_skips_and_limits() -> None:
    assert mapped(map_vibe_activity(vibe(success=False))).notes == (
        Skipped("vibe_activity", 7, "failed_action"),
    )
    assert mapped(map_vibe_activity(vibe(target_user_id="203"))).notes == (
        Skipped("vibe_activity", 7, "self_vibe"),
    )
    quarantined(map_vibe_activity(vibe(vibe_score=7.5)), "bad_vibe_score")
    quarantined(map_vibe_activity(vibe(vibe_score=-1.0)), "bad_vibe_score")
    quarantined(map_vibe_activity(vibe(iq_impact=math.nan)), "bad_number")
    assert edge(map_vibe_activity(vibe(vibe_category="post_reaction_delete"))).contribution == 0.0
    assert edge(map_vibe_activity(vibe(vibe_score=None))).contribution == 0.4
    m = mapped(map_vibe_activity(vibe(vibe_type="profile_data")))
    assert m.notes == ()
    m = mapped(map_vibe_activity(vibe(vibe_type="galactic")))
    assert m.notes == (UnknownType("vibe_activity", "vibe_type", "galactic"),)


# --- user_activity and session_activity -------------------------------------------------------------------


def test_user_activity_counts_in_utc_hours() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    at = datetime(2025, 9, 19, 20, 0, tzinfo=ist)  # 14:30 UTC
    (count,) = mapped(map_user_activity(user_activity(timestamp=at, updated_at=at))).changes
    assert count == UserActivityCount("4", "login", 14, at, "user_activity", True)
    (count,) = mapped(map_user_activity(user_activity(success=False))).changes
    assert isinstance(count, UserActivityCount) and count.success is False


def test_session_activity() -> None:
    row = session(
        session_type="mobile",
        start_time=T,
        end_time=T + timedelta(minutes=5),
        pages_visited=3,
        actions_performed=9,
    )
    (obs,) = mapped(map_session_activity(row)).changes
    assert obs == SessionObservation("4", "s-1", T, 300.0, "mobile", 3, 9, "session_activity")
    (obs,) = mapped(map_session_activity(session(duration_seconds=42))).changes
    assert isinstance(obs, SessionObservation) and obs.length_seconds == 42.0
    quarantined(
        map_session_activity(session(start_time=T, end_time=T - timedelta(seconds=1))), "bad_session_times"
    )
    quarantined(
        map_session_activity(session(start_time=T, end_time=T + timedelta(days=30))), "absurd_duration"
    )
    quarantined(map_session_activity(session(session_id="")), "bad_id")
    quarantined(map_session_activity(session(pages_visited=-1)), "bad_number")


# --- vocabulary: every platform value, the off-list ones, and a value never seen -------------------------

SAMPLE: dict[str, Any] = {
    "user_activity": user_activity,
    "content_interaction": content,
    "social_interaction": social,
    "profile_activity": profile,
    "media_interaction": media,
    "session_activity": session,
    "vibe_activity": vibe,
}


def _row_with(table: str, column: str, value: str) -> Any:
    row: Any = SAMPLE[table]()
    if (table, column) == ("content_interaction", "content_type"):
        return replace(row, content_type=value, content_id=POST)
    if (table, column) == ("content_interaction", "interaction_type") and value in {
        "send_request",
        "accepted",
        "rejected",
        "cancelled",
        "received",
        "accept_request",
        "reject_request",
        "cancel_request",
        "update_relationship",
        "update_relationship_v2",
    }:
        return replace(row, content_type="connection", content_id=UID_A, interaction_type=value)
    if (table, column) == ("social_interaction", "interaction_type") and value.startswith("connection_"):
        return replace(row, interaction_type=value, target_user_id=175)
    return replace(row, **{column: value})


KNOWN = sorted(
    {(t, c, v) for (t, c), values in PLATFORM_CHOICES.items() for v in values}
    | {(t, c, v) for (t, c), values in OFF_LIST.items() for v in values}
)


@pytest.mark.parametrize(("table", "column", "value"), KNOWN)
def test_every_known_value_maps_without_unknown_note(table: str, column: str, value: str) -> None:
    result = map_row(_row_with(table, column, value))
    m = mapped(result)
    assert not [n for n in m.notes if isinstance(n, UnknownType)], m.notes
    assert m.changes or m.notes


@pytest.mark.parametrize(("table", "column"), sorted(PLATFORM_CHOICES))
def test_a_value_never_seen_is_mapped_and_reported(table: str, column: str) -> None:
    m = mapped(map_row(_row_with(table, column, "never_seen_before")))
    assert UnknownType(table, column, "never_seen_before") in m.notes
    if column in {"interaction_type", "activity_type"}:  # a type with no weight of its own: the default 0.1
        for e in (c for c in m.changes if isinstance(c, EdgeContribution)):
            assert e.contribution == 0.1


def test_mapping_doc_names_every_value() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "mapping.md").read_text()
    named = set(re.findall(r"`([a-z_0-9]+)`", doc))
    missing = sorted({v for _, _, v in KNOWN} - named)
    assert not missing, f"docs/mapping.md does not mention: {missing}"


# --- no row ever raises -----------------------------------------------------------------------------------
# A row is drawn mostly valid (so every branch is reached), then 0-2 of its fields are replaced by anything.

tzs = st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))])
near = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 1, 1), timezones=tzs)
json_leaf = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
anything = (
    json_value
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.datetimes(timezones=tzs)
    | st.datetimes()
    | st.sampled_from(["", " ", "None", "174", POST, UID_A, "view", "feed_view", "connection", -1, 0, True])
)
ids_text = st.sampled_from(
    [POST, POST.upper(), UID_A, UID_B, "174", "0174", "None", "", "https://x.y/p", "m1"]
)
meta_values = (
    st.sampled_from(
        [
            "feed_view",
            "fallback",
            "profile_by_user_id",
            "Accepted",
            "Cancelled",
            "2025-09-19T12:00:00Z",
            "2025-09-19T13:00:00+00:00",
            POST,
            UID_A,
            UID_B,
            3,
            -1,
            None,
        ]
    )
    | json_leaf
)
metadata_st = st.dictionaries(
    st.sampled_from(
        [
            "source",
            "content_source",
            "post_uid",
            "receiver_uid",
            "sender_uid",
            "connected_user_uid",
            "connection_status",
            "connection_id",
            "query_type",
            "session_start",
            "session_end",
            "pages_visited",
        ]
    ),
    meta_values,
    max_size=6,
)
small_user = st.integers(min_value=1, max_value=4)
seconds_st = (
    st.none() | st.integers(min_value=0, max_value=100_000) | st.floats(min_value=-1.0, max_value=1e6)
)

VALID: dict[str, st.SearchStrategy[Any]] = {
    "id": st.integers(min_value=1, max_value=10**12),
    "uid": st.uuids(),
    "metadata": metadata_st,
    "user_id": small_user,
    "visitor_id": small_user,
    "profile_owner_id": small_user,
    "target_user_id": st.none() | small_user,
    "content_id": ids_text,
    "media_id": ids_text,
    "vibe_id": ids_text,
    "session_id": ids_text,
    "context_type": st.none() | st.sampled_from(["profile", "connection", "feed_view", "conversation"]),
    "context_id": st.none() | ids_text,
    "duration_seconds": seconds_st,
    "position_seconds": seconds_st,
    "scroll_depth_percentage": st.none() | st.floats(min_value=-5.0, max_value=105.0),
    "vibe_score": st.none() | st.floats(min_value=-1.0, max_value=8.0),
    "iq_impact": st.none() | st.floats(min_value=-2.0, max_value=2.0),
    "aq_impact": st.none() | st.floats(min_value=-2.0, max_value=2.0),
    "sq_impact": st.none() | st.floats(min_value=-2.0, max_value=2.0),
    "hq_impact": st.none() | st.floats(min_value=-2.0, max_value=2.0),
    "vibe_name": st.none() | st.text(max_size=10),
    "vibe_category": st.none() | st.sampled_from(["post_reaction", "post_reaction_delete", "social"]),
    "success": st.booleans(),
    "pages_visited": st.integers(min_value=0, max_value=50),
    "actions_performed": st.integers(min_value=0, max_value=50),
}


def _types(table: str, column: str) -> st.SearchStrategy[Any]:
    known = [*PLATFORM_CHOICES.get((table, column), ()), *OFF_LIST.get((table, column), {})]
    return st.sampled_from([*known, "never_seen", " Like "])


@st.composite
def rows_of(draw: st.DrawFn, cls: type[Row]) -> Row:
    values: dict[str, Any] = {}
    at = draw(near)
    for f in fields(cls):
        if f.name == "timestamp":
            values[f.name] = at
        elif f.name == "updated_at":
            values[f.name] = at + draw(
                st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3))
            )
        elif f.name in {"start_time", "end_time"}:
            values[f.name] = draw(st.none() | st.just(at) | near)
        elif f.name.endswith("_type"):
            values[f.name] = draw(_types(cls.TABLE, f.name))
        else:
            values[f.name] = draw(VALID[f.name])
    for name in draw(st.lists(st.sampled_from([f.name for f in fields(cls)]), max_size=2, unique=True)):
        values[name] = draw(anything)
    return cls(**values)


MAPPERS: dict[type[Row], Any] = {
    UserActivityRow: map_user_activity,
    ContentInteractionRow: map_content_interaction,
    SocialInteractionRow: map_social_interaction,
    ProfileActivityRow: map_profile_activity,
    MediaInteractionRow: map_media_interaction,
    SessionActivityRow: map_session_activity,
    VibeActivityRow: map_vibe_activity,
}


@pytest.mark.parametrize("cls", ROW_TYPES, ids=lambda c: c.TABLE)
def test_mapping_never_raises_on_arbitrary_values(cls: type[Row]) -> None:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(row=rows_of(cls))
    def check(row: Row) -> None:
        result = MAPPERS[cls](row)  # the per-table mapper itself, not the map_row safety net
        assert isinstance(result, (Mapped, Quarantine))
        assert map_row(row) == result
        if isinstance(result, Quarantine):
            assert result.table == cls.TABLE and ": " in result.reason
            assert result.code != "mapping_error"
            return
        for change in result.changes:
            assert change.at.tzinfo is not None
            if isinstance(change, EdgeContribution):
                assert math.isfinite(change.contribution) and change.contribution >= 0.0
                assert all(math.isfinite(v) for _, v in change.props)

    check()


def test_config_from_the_platform_settings() -> None:
    from graph.settings import Settings
    from sync.weights import default_weights

    cfg = MappingConfig.from_settings(Settings.model_construct(), default_weights())
    assert cfg.user("1") == MappingConfig().user("1")
    assert dict(cfg.content_labels) == dict(MappingConfig().content_labels)
    assert cfg.generic_label == "Content"
