"""Row building, in the flusher: a buffered event's raw arguments in, one normalized row out.

Why here and not in the request: a ``track_*`` call only validates what must fail at once (the user, the
NOT NULL values), takes a ``uid`` and the clock, and appends the raw arguments; every rule of
:mod:`tracker.normalize` (varchar cuts, numbers, ip, metadata coercion) and the JSON encoding run here, off
the request path, once per batch. The call keeps a shallow copy of the caller's metadata dict, so replacing
its keys after the call changes nothing (mutating nested objects in place still would).

A builder returns ``(table, values, notes)``: ``values`` in the table's column order (:mod:`tracker.tables`)
as plain Python values — uid as text, times as integer microseconds since the Unix epoch, inet as text,
jsonb as JSON text, int/float/bool/None, users as ``int`` or :class:`~tracker.normalize.UidRef` — which
:mod:`tracker.binary` streams with binary COPY and :func:`tracker.rows.line` turns into a COPY text line
(the spool's format).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from tracker import rows
from tracker.normalize import (
    Notes,
    UidRef,
    as_mapping,
    as_text,
    aware,
    clean_ip,
    encode_json,
    finite_float,
    fit_text,
    nonneg_int,
)
from tracker.tables import (
    CONTENT_INTERACTION,
    MEDIA_INTERACTION,
    PROFILE_ACTIVITY,
    SESSION_ACTIVITY,
    SOCIAL_INTERACTION,
    USER_ACTIVITY,
    VIBE_ACTIVITY,
    Table,
)

Built = tuple[Table, list[object], Notes]
#: ``build(uid, now, args)``: ``now`` is ``time.time()`` at the call.
Builder = Callable[[str, float, tuple[Any, ...]], Built]
#: What the request path appends to the buffer: (builder code, uid, time.time(), raw arguments, a Users.uid in
#: it). A code (an index into :data:`BUILDERS`), not the function: a tuple holding only atomic values (and
#: dicts of them) is untracked by the garbage collector once it survives a collection, so a large backlog
#: does not lengthen the collector's pauses in request threads.
Event = tuple[int, str, float, tuple[Any, ...], bool]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_US = dt.timedelta(microseconds=1)


def to_us(value: dt.datetime) -> int:
    """An aware datetime as integer microseconds since the Unix epoch."""
    return (value - _EPOCH) // _US


def iso_of_us(us: int) -> str:
    return (_EPOCH + dt.timedelta(microseconds=us)).isoformat()


# Text columns' rules (tracker.rows.text, with a fast path for the common value).
_CONTENT_INTERACTION_CONTENT_ID = rows.text_rule(CONTENT_INTERACTION, "content_id")
_CONTENT_INTERACTION_CONTENT_TYPE = rows.text_rule(CONTENT_INTERACTION, "content_type")
_CONTENT_INTERACTION_INTERACTION_TYPE = rows.text_rule(CONTENT_INTERACTION, "interaction_type")
_MEDIA_INTERACTION_INTERACTION_TYPE = rows.text_rule(MEDIA_INTERACTION, "interaction_type")
_MEDIA_INTERACTION_MEDIA_ID = rows.text_rule(MEDIA_INTERACTION, "media_id")
_MEDIA_INTERACTION_MEDIA_TYPE = rows.text_rule(MEDIA_INTERACTION, "media_type")
_MEDIA_INTERACTION_MEDIA_URL = rows.text_rule(MEDIA_INTERACTION, "media_url")
_PROFILE_ACTIVITY_ACTIVITY_TYPE = rows.text_rule(PROFILE_ACTIVITY, "activity_type")
_SESSION_ACTIVITY_EXIT_PAGE = rows.text_rule(SESSION_ACTIVITY, "exit_page")
_SESSION_ACTIVITY_REFERRER = rows.text_rule(SESSION_ACTIVITY, "referrer")
_SESSION_ACTIVITY_SESSION_ID = rows.text_rule(SESSION_ACTIVITY, "session_id")
_SESSION_ACTIVITY_SESSION_TYPE = rows.text_rule(SESSION_ACTIVITY, "session_type")
_SOCIAL_INTERACTION_CONTEXT_ID = rows.text_rule(SOCIAL_INTERACTION, "context_id")
_SOCIAL_INTERACTION_CONTEXT_TYPE = rows.text_rule(SOCIAL_INTERACTION, "context_type")
_SOCIAL_INTERACTION_INTERACTION_TYPE = rows.text_rule(SOCIAL_INTERACTION, "interaction_type")
_USER_ACTIVITY_ACTIVITY_TYPE = rows.text_rule(USER_ACTIVITY, "activity_type")
_VIBE_ACTIVITY_ACTIVITY_TYPE = rows.text_rule(VIBE_ACTIVITY, "activity_type")
_VIBE_ACTIVITY_TARGET_USER_ID = rows.text_rule(VIBE_ACTIVITY, "target_user_id")
_VIBE_ACTIVITY_VIBE_CATEGORY = rows.text_rule(VIBE_ACTIVITY, "vibe_category")
_VIBE_ACTIVITY_VIBE_ID = rows.text_rule(VIBE_ACTIVITY, "vibe_id")
_VIBE_ACTIVITY_VIBE_NAME = rows.text_rule(VIBE_ACTIVITY, "vibe_name")
_VIBE_ACTIVITY_VIBE_TYPE = rows.text_rule(VIBE_ACTIVITY, "vibe_type")


def _head(uid: str, now: float, timestamp: object, ip: object, ua: object, notes: Notes) -> list[object]:
    now_us = round(now * 1_000_000)
    ts = now_us
    if timestamp is not None:
        when = aware(timestamp, "timestamp", notes)
        if when is not None:
            ts = to_us(when)
    ipv = None if ip is None or ip == "" else clean_ip(ip, notes)
    uav = None if ua is None else fit_text(as_text(ua), None, "user_agent", notes)
    return [uid, now_us, now_us, ts, ipv, uav, None]


def _finish(table: Table, values: list[object], metadata: dict[str, Any], notes: Notes) -> Built:
    values[6] = rows.metadata_text(metadata, notes)
    return table, values, notes


# --- user_activity ------------------------------------------------------------------------------------


def user_activity(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    user_id, activity_type, description, success, ip, ua, metadata, timestamp = a
    notes = Notes()
    t = USER_ACTIVITY
    values = _head(uid, now, timestamp, ip, ua, notes)
    values += [
        _USER_ACTIVITY_ACTIVITY_TYPE(activity_type, notes),
        None if description is None else fit_text(as_text(description), None, "description", notes),
        True if success is None else bool(success),
        user_id,
    ]
    return _finish(t, values, _mapping(metadata), notes)


# --- content_interaction ------------------------------------------------------------------------------


def _content(
    uid: str, now: float, user_id: object, content_type: object, content_id: object, interaction_type: object,
    duration: object, scroll: object, ip: object, ua: object, metadata: dict[str, Any], timestamp: object,
) -> Built:
    notes = Notes()
    t = CONTENT_INTERACTION
    values = _head(uid, now, timestamp, ip, ua, notes)
    values += [
        _CONTENT_INTERACTION_CONTENT_TYPE(content_type, notes),
        _CONTENT_INTERACTION_CONTENT_ID(content_id, notes),
        _CONTENT_INTERACTION_INTERACTION_TYPE(interaction_type, notes),
        nonneg_int(duration, "duration_seconds", notes),
        finite_float(scroll, "scroll_depth_percentage", notes),
        user_id,
    ]
    return _finish(t, values, metadata, notes)


def content_interaction(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    """The platform's static method: metadata = the content fields updated with the caller's metadata."""
    user_id, content_type, content_id, interaction_type, duration, scroll, ip, ua, metadata, timestamp = a
    cid = as_text(content_id)
    meta: dict[str, Any] = {"content_type": content_type, "content_id": cid, "interaction_type": interaction_type}
    meta.update(_mapping(metadata))
    return _content(uid, now, user_id, content_type, cid, interaction_type, duration, scroll, ip, ua, meta, timestamp)


def content_interaction_by_id(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    user_id, raw_user, content_type, interaction_type, content_id, metadata, ip, ua, timestamp = a
    if content_id is None:
        content_id = f"{as_text(content_type)}_{as_text(raw_user)}"
    return _content(uid, now, user_id, content_type, content_id, interaction_type, None, None, ip, ua,
                    _mapping(metadata), timestamp)


def scroll_depth(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    user_id, post_id, depth, content_type, ip, ua, metadata, timestamp = a
    cid = as_text(post_id)
    meta = {"content_type": content_type, "content_id": cid, "interaction_type": "scroll_depth", "scroll_depth": depth}
    meta.update(_mapping(metadata))
    return _content(uid, now, user_id, content_type, cid, "scroll_depth", None, depth, ip, ua, meta, timestamp)


def page_scroll(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    user_id, page_url, max_scroll_depth, time_on_page, session_id, timestamp = a
    meta = {
        "max_scroll_depth": max_scroll_depth,
        "time_on_page": time_on_page,
        "session_id": session_id or "",
        "timestamp": iso_of_us(round(now * 1_000_000)),
    }
    return _content(uid, now, user_id, "page", page_url, "scroll", None, None, None, None, meta, timestamp)


def _div1000(value: object) -> object:
    try:
        return float(value) // 1000  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value  # the duration rule then notes it as invalid


def time_spent(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    user_id, content_id, time_ms, content_type, ip, ua, metadata, timestamp = a
    seconds = time_ms // 1000 if type(time_ms) is int else (time_ms if time_ms is None else _div1000(time_ms))
    cid = as_text(content_id)
    meta = {"content_type": content_type, "content_id": cid, "interaction_type": "time_spent", "time_ms": time_ms}
    meta.update(_mapping(metadata))
    return _content(uid, now, user_id, content_type, cid, "time_spent", seconds, None, ip, ua, meta, timestamp)


def user_session(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    user_id, session_id, session_start, session_end, pages_visited, device_type, user_agent, timestamp = a
    meta = {
        "session_start": session_start,
        "session_end": session_end,
        "pages_visited": pages_visited,
        "device_type": device_type,
        "user_agent": user_agent,
        "timestamp": iso_of_us(round(now * 1_000_000)),
    }
    return _content(uid, now, user_id, "session", session_id, "session_data", None, None, None, None, meta, timestamp)


# --- social_interaction / profile_activity / media_interaction ----------------------------------------


def social_interaction(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    user_id, target, interaction_type, context_type, context_id, ip, ua, metadata, timestamp = a
    notes = Notes()
    t = SOCIAL_INTERACTION
    values = _head(uid, now, timestamp, ip, ua, notes)
    values += [
        _SOCIAL_INTERACTION_INTERACTION_TYPE(interaction_type, notes),
        _SOCIAL_INTERACTION_CONTEXT_TYPE(context_type, notes),
        _SOCIAL_INTERACTION_CONTEXT_ID(context_id, notes),
        target,
        user_id,
    ]
    return _finish(t, values, _mapping(metadata), notes)


def profile_activity(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    visitor_id, owner_id, activity_type, duration, ip, ua, metadata, timestamp = a
    notes = Notes()
    t = PROFILE_ACTIVITY
    values = _head(uid, now, timestamp, ip, ua, notes)
    values += [
        _PROFILE_ACTIVITY_ACTIVITY_TYPE(activity_type, notes),
        nonneg_int(duration, "duration_seconds", notes),
        owner_id,
        visitor_id,
    ]
    return _finish(t, values, _mapping(metadata), notes)


def media_interaction(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    user_id, media_type, media_id, interaction_type, duration, position, media_url, ip, ua, metadata, timestamp = a
    notes = Notes()
    t = MEDIA_INTERACTION
    values = _head(uid, now, timestamp, ip, ua, notes)
    values += [
        _MEDIA_INTERACTION_MEDIA_TYPE(media_type, notes),
        _MEDIA_INTERACTION_MEDIA_ID(media_id, notes),
        _MEDIA_INTERACTION_MEDIA_URL(media_url, notes),
        _MEDIA_INTERACTION_INTERACTION_TYPE(interaction_type, notes),
        nonneg_int(duration, "duration_seconds", notes),
        nonneg_int(position, "position_seconds", notes),
        user_id,
    ]
    return _finish(t, values, _mapping(metadata), notes)


# --- session_activity ---------------------------------------------------------------------------------


def session_id_text(value: object) -> str:
    """The session id as stored (and keyed: the row's uid derives from it), cut like any varchar(100)."""
    return fit_text(as_text(value), SESSION_ACTIVITY.by_name["session_id"].max_length, "session_id", Notes())


def app_session(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    (user_id, session_id, session_type, start_time, end_time, pages, actions, device_info, location_data, referrer,
     exit_page, ip, ua, metadata, timestamp) = a
    notes = Notes()
    t = SESSION_ACTIVITY
    values = _head(uid, now, timestamp, ip, ua, notes)
    sid = _SESSION_ACTIVITY_SESSION_ID(session_id, notes)
    start_at = aware(start_time, "start_time", notes)
    start = values[3] if start_at is None else to_us(start_at)
    end_at = aware(end_time, "end_time", notes)
    end = None if end_at is None else to_us(end_at)
    assert isinstance(start, int)
    # Recomputed by the merge from the session's earliest start and latest end (tracker.writer).
    duration = None if end is None else nonneg_int((end - start) // 1_000_000, "duration_seconds", notes)
    device, c1 = encode_json(_mapping(device_info), None)
    location, c2 = encode_json(_mapping(location_data), None)
    if c1 or c2:
        notes.coerced = True
        notes.count("metadata_coerced")
    values += [
        sid,
        _SESSION_ACTIVITY_SESSION_TYPE(session_type or "web", notes),
        start,
        end,
        duration,
        nonneg_int(pages or 0, "pages_visited", notes) or 0,
        nonneg_int(actions or 0, "actions_performed", notes) or 0,
        device,
        location,
        _SESSION_ACTIVITY_REFERRER(referrer, notes),
        _SESSION_ACTIVITY_EXIT_PAGE(exit_page, notes),
        user_id,
    ]
    return _finish(t, values, _mapping(metadata), notes)


# --- vibe_activity ------------------------------------------------------------------------------------


def vibe_activity(uid: str, now: float, a: tuple[Any, ...]) -> Built:
    (user_id, activity_type, vibe_type, vibe_id, vibe_name, vibe_category, target_user_id, vibe_score, impacts,
     success, error_message, ip, ua, metadata, timestamp) = a
    notes = Notes()
    t = VIBE_ACTIVITY
    values = _head(uid, now, timestamp, ip, ua, notes)
    values += [
        _VIBE_ACTIVITY_ACTIVITY_TYPE(activity_type, notes),
        _VIBE_ACTIVITY_VIBE_TYPE(vibe_type, notes),
        _VIBE_ACTIVITY_VIBE_ID(as_text(vibe_id), notes),
        _VIBE_ACTIVITY_VIBE_NAME(vibe_name, notes),
        _VIBE_ACTIVITY_VIBE_CATEGORY(vibe_category, notes),
        _VIBE_ACTIVITY_TARGET_USER_ID(None if target_user_id is None else as_text(target_user_id), notes),
        finite_float(vibe_score, "vibe_score", notes),
        finite_float(impacts[0], "iq_impact", notes),
        finite_float(impacts[1], "aq_impact", notes),
        finite_float(impacts[2], "sq_impact", notes),
        finite_float(impacts[3], "hq_impact", notes),
        True if success is None else bool(success),
        None if error_message is None else fit_text(as_text(error_message), None, "error_message", notes),
        user_id,
    ]
    return _finish(t, values, _mapping(metadata), notes)


BUILDERS: tuple[Builder, ...] = (
    user_activity,
    content_interaction,
    content_interaction_by_id,
    scroll_depth,
    page_scroll,
    time_spent,
    user_session,
    social_interaction,
    profile_activity,
    media_interaction,
    app_session,
    vibe_activity,
)
B_USER_ACTIVITY = 0
B_CONTENT_INTERACTION = 1
B_CONTENT_INTERACTION_BY_ID = 2
B_SCROLL_DEPTH = 3
B_PAGE_SCROLL = 4
B_TIME_SPENT = 5
B_USER_SESSION = 6
B_SOCIAL_INTERACTION = 7
B_PROFILE_ACTIVITY = 8
B_MEDIA_INTERACTION = 9
B_APP_SESSION = 10
B_VIBE_ACTIVITY = 11


_ITEMS = "\x00tracker:items"  # marks a snapshot: (_ITEMS, (key, value), ...)


def snapshot(metadata: object) -> object:
    """What the call keeps of the caller's metadata: a dict's items as a tuple, anything else as is.

    A copy (replacing keys after the call changes nothing) that the garbage collector can stop tracking: a
    tuple of strings and numbers is untracked once it survives a collection, a dict never is in a tuple. So
    a backlog of buffered events does not lengthen the collector's passes in request threads.
    """
    if type(metadata) is dict:
        return (_ITEMS, *metadata.items())
    if isinstance(metadata, Mapping):
        return (_ITEMS, *dict(metadata).items())
    return metadata


def _mapping(value: object) -> dict[str, Any]:
    """The metadata the call kept (:func:`snapshot`), as a dict (:func:`tracker.normalize.as_mapping`)."""
    if type(value) is tuple and value and value[0] is _ITEMS:
        return dict(value[1:])
    return as_mapping(value)


def user_key(ref: int | UidRef) -> str:
    return ref.uid if type(ref) is UidRef else str(ref)
