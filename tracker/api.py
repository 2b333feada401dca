"""The tracker API: one ``track_*`` method per operation of the platform's ``ActivityService``.

Why these names and arguments: the platform's resolvers and signals already call
``ActivityService.track_content_interaction(user, content_type, content_id, interaction_type, ...)``,
``activity_service.track_social_interaction(user=..., target_user=..., ...)``,
``VibeActivityService.track_vibe_sending(sender, receiver_id, vibe_data, vibe_score, ...)`` and so on
(``cantdoitbye/backend`` at dc82f7e); keeping them lets a call site switch by changing one import
(:mod:`tracker.service` has drop-in classes). Each method also writes the row that platform method meant to
write: the same table, columns and metadata — minus the ways it lost rows (see :mod:`tracker.normalize`).

Cost: a call validates, formats one COPY line and appends it to the buffer (a few microseconds); it never
touches the network or the disk, except when the bounded buffer is full (then the buffer moves to the spool
with one fsync, see :meth:`ActivityTracker._spill`). It returns the row's ``uid`` (the idempotency key,
generated now) or None if the event was refused; refusals and bugs are logged and counted, never raised,
unless ``strict``.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

from tracker import rows
from tracker.buffer import Buffer, Stats
from tracker.errors import TrackingError, UnresolvableUser
from tracker.flusher import Flusher
from tracker.normalize import (
    Notes,
    UidRef,
    UserRef,
    as_mapping,
    as_text,
    aware,
    clean_ip,
    encode_json,
    finite_float,
    fit_text,
    nonneg_int,
    user_ref,
    utc_now_text,
)
from tracker.resolver import UidResolver
from tracker.settings import TrackerSettings
from tracker.spool import Spool
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
from tracker.writer import BatchWriter, PgWriter

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
_UTC = dt.timezone.utc
_LIVE: weakref.WeakSet[ActivityTracker] = weakref.WeakSet()


def _guarded(default: Any) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Never let tracking break the caller: refusals and bugs become a log line, a counter and ``default``."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            self = args[0]
            assert isinstance(self, ActivityTracker)
            if not self.settings.enabled:
                return default  # type: ignore[no-any-return]
            try:
                return fn(*args, **kwargs)
            except TrackingError as exc:
                self.stats.add_all(["refused", f"refused:{exc.reason}"])
                if self.settings.strict:
                    raise
                log.warning("activity tracker: %s refused: %s", fn.__name__, exc)
            except Exception:
                self.stats.add("errors")
                if self.settings.strict:
                    raise
                log.exception("activity tracker: %s failed", fn.__name__)
            return default  # type: ignore[no-any-return]

        return inner

    return wrap


def _vibe_field(vibe_data: Mapping[str, Any], first: str, second: str) -> Any:
    """``vibe_data.get(first) or vibe_data.get(second)``, the platform's lookup of id and name."""
    return vibe_data.get(first) or vibe_data.get(second)


class ActivityTracker:
    """Validates and buffers events; a :class:`~tracker.flusher.Flusher` writes them in batches."""

    def __init__(
        self,
        settings: TrackerSettings | None = None,
        *,
        resolver: UidResolver | None = None,
        writer_factory: Callable[[], BatchWriter] | None = None,
        start: bool = True,
    ) -> None:
        self.settings = settings or TrackerSettings()
        self.stats = Stats(self.settings.max_off_list_values)
        self.resolver = resolver
        self.spool = Spool(self.settings.spool_dir, self.settings.spool_segment_bytes)
        self._buffer = Buffer()
        self._writer_factory = writer_factory or self._default_writer
        self._flusher = Flusher(self._buffer, self.stats, self.spool, self._writer_factory, resolver, self.settings)
        self._autostart = start
        self._start_lock = threading.Lock()
        self._wake_at = self.settings.flush_at_rows
        self._max_rows = self.settings.buffer_max_rows
        _LIVE.add(self)

    # --- lifecycle ----------------------------------------------------------------------------------

    def _default_writer(self) -> BatchWriter:
        if self.settings.sink == "celery":
            from tracker.celery_tasks import CeleryWriter

            return CeleryWriter(self.settings.celery_queue)
        return PgWriter(
            self.settings.conninfo(),
            connect_timeout_s=self.settings.connect_timeout_s,
            statement_timeout_s=self.settings.statement_timeout_s,
        )

    def start(self) -> None:
        """Start the background flusher (idempotent); its first cycle replays any spool left from before."""
        with self._start_lock:
            if not self._flusher.running:
                self._flusher.start()
                self._flusher.wake()

    def flush(self) -> None:
        """Run one flush cycle now, in this thread: buffered rows are written (or spooled) when it returns."""
        self._flusher.cycle()

    def drain(self, timeout: float = 30.0) -> bool:
        """Flush until the buffer and the spool are empty (everything in Postgres); False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            self._flusher.cycle(final=True)
            if len(self._buffer) == 0 and self._flusher.up and self.spool.is_empty():
                return True
            if time.monotonic() >= deadline:
                return False
            threading.Event().wait(min(0.2, self.settings.retry_initial_s))

    def close(self, timeout: float | None = None) -> None:
        """Stop the flusher and hand every buffered row to Postgres or, failing that, to the spool."""
        self._flusher.stop(self.settings.shutdown_timeout_s if timeout is None else timeout)
        try:
            self._flusher.cycle(final=True, replay=False)
        finally:
            self._flusher.close_writer()
            self.spool.rotate()

    @property
    def pending_rows(self) -> int:
        return len(self._buffer)

    @property
    def postgres_up(self) -> bool:
        return self._flusher.up

    def _after_fork(self) -> None:
        # The parent writes what it buffered; the child starts empty and restarts its own flusher lazily.
        self._buffer = Buffer()
        self._start_lock = threading.Lock()
        self.stats.after_fork()
        reinit = getattr(self.resolver, "after_fork", None)
        if callable(reinit):
            reinit()
        self.spool.forget_after_fork()
        self._flusher.after_fork()
        self._flusher._buffer = self._buffer

    # --- the hot path -------------------------------------------------------------------------------

    def _user(self, value: object, role: str) -> UserRef:
        ref = user_ref(value, role)
        if type(ref) is UidRef and self.resolver is None:
            raise UnresolvableUser(
                f"{role}: {ref.uid} is a Users.uid; pass the Django id (Users.user_id) or configure a resolver"
            )
        return ref

    def _head(self, timestamp: object, ip_address: object, user_agent: object, notes: Notes) -> list[object]:
        now = utc_now_text()
        ts = now if timestamp is None else (_iso(aware(timestamp, "timestamp", notes)) or now)
        ip = None if ip_address is None or ip_address == "" else clean_ip(ip_address, notes)
        ua = None if user_agent is None else fit_text(as_text(user_agent), None, "user_agent", notes)
        return [rows.new_uid(), now, now, ts, ip, ua, None]

    def _emit(self, table: Table, values: list[object], metadata: dict[str, Any], notes: Notes) -> str:
        values[6] = rows.metadata_text(metadata, notes)
        raw, pending = rows.line(table, values, notes)
        n = self._buffer.add(table.name, raw, pending)
        if notes.counters:
            self.stats.add_all(notes.counters)
        if n == self._wake_at:
            self._flusher.wake()
        elif n >= self._max_rows:
            self._spill()
        if self._autostart and not self._flusher.running:
            self.start()
        return values[0]  # type: ignore[return-value]

    def _spill(self) -> None:
        """Buffer full (Postgres slow or the flusher stalled): move every buffered row to the spool, here.

        Costs this one call a write and an fsync; nothing is dropped. The rows are replayed from the spool.
        """
        batch, pending = self._buffer.drain()
        try:
            n = self.spool.append(batch, pending)
        except OSError as exc:
            lost = sum(len(v) for v in batch.values()) + len(pending)
            log.error("activity tracker: buffer full and spool unwritable (%s): %d rows LOST", exc, lost)
            self.stats.add("lost", lost)
            return
        self.stats.add("spilled", n)
        self._flusher.wake()

    def _text(self, table: Table, column: str, value: object, notes: Notes) -> str | None:
        return rows.text(table, table.by_name[column], value, notes)

    # --- user_activity ------------------------------------------------------------------------------

    @_guarded(None)
    def track_activity(
        self,
        user: object,
        activity_type: object,
        description: object = None,
        success: object = True,
        ip_address: object = None,
        user_agent: object = None,
        metadata: object = None,
        *,
        timestamp: object = None,
        **_ignored: object,
    ) -> str | None:
        """A ``user_activity`` row (login, logout, page_view, ...). ``success=None`` is the model default, True."""
        notes = Notes()
        user_id = self._user(user, "user")
        t = USER_ACTIVITY
        values = self._head(timestamp, ip_address, user_agent, notes)
        values += [
            self._text(t, "activity_type", activity_type, notes),
            None if description is None else fit_text(as_text(description), None, "description", notes),
            True if success is None else bool(success),
            user_id,
        ]
        return self._emit(t, values, as_mapping(metadata), notes)

    # The platform's names for the same row (its async/sync split is the tracker's job now).
    track_activity_async = track_activity
    track_activity_sync = track_activity
    track_user_activity = track_activity

    # --- content_interaction ------------------------------------------------------------------------

    def _content(
        self,
        user: object,
        content_type: object,
        content_id: object,
        interaction_type: object,
        duration_seconds: object,
        scroll_depth_percentage: object,
        ip_address: object,
        user_agent: object,
        metadata: dict[str, Any],
        timestamp: object,
        role: str = "user",
    ) -> str:
        notes = Notes()
        user_id = self._user(user, role)
        t = CONTENT_INTERACTION
        values = self._head(timestamp, ip_address, user_agent, notes)
        values += [
            self._text(t, "content_type", content_type, notes),
            self._text(t, "content_id", content_id, notes),
            self._text(t, "interaction_type", interaction_type, notes),
            nonneg_int(duration_seconds, "duration_seconds", notes),
            finite_float(scroll_depth_percentage, "scroll_depth_percentage", notes),
            user_id,
        ]
        return self._emit(t, values, metadata, notes)

    @_guarded(None)
    def track_content_interaction(
        self,
        user: object,
        content_type: object,
        content_id: object,
        interaction_type: object,
        duration_seconds: object = None,
        scroll_depth_percentage: object = None,
        ip_address: object = None,
        user_agent: object = None,
        metadata: object = None,
        *,
        timestamp: object = None,
        **_ignored: object,
    ) -> str | None:
        """A ``content_interaction`` row as the platform's static method writes it.

        Its metadata is ``{"content_type", "content_id", "interaction_type"}`` updated with ``metadata``.
        Unlike the platform (which dropped them), ``duration_seconds`` and ``scroll_depth_percentage``
        reach their columns.
        """
        meta: dict[str, Any] = {
            "content_type": content_type,
            "content_id": as_text(content_id),
            "interaction_type": interaction_type,
        }
        meta.update(as_mapping(metadata))
        return self._content(
            user, content_type, as_text(content_id), interaction_type, duration_seconds,
            scroll_depth_percentage, ip_address, user_agent, meta, timestamp,
        )

    @_guarded(None)
    def track_content_interaction_by_id(
        self,
        user_id: object,
        content_type: object,
        interaction_type: object,
        content_id: object = None,
        metadata: object = None,
        *,
        ip_address: object = None,
        user_agent: object = None,
        timestamp: object = None,
        **_ignored: object,
    ) -> str | None:
        """As the platform's ``track_content_interaction_by_id``: metadata as given, ``content_id`` defaulting
        to ``f"{content_type}_{user_id}"``; a ``Users.uid`` in ``user_id`` is resolved instead of lost."""
        if content_id is None:
            content_id = f"{as_text(content_type)}_{as_text(user_id)}"
        return self._content(
            user_id, content_type, content_id, interaction_type, None, None, ip_address, user_agent,
            as_mapping(metadata), timestamp, role="user_id",
        )

    @_guarded(None)
    def track_scroll_depth(
        self,
        user: object,
        post_id: object,
        depth: object,
        content_type: object = "post",
        ip_address: object = None,
        user_agent: object = None,
        metadata: object = None,
        *,
        timestamp: object = None,
    ) -> str | None:
        """``TrackScrollDepth``: an ``interaction_type='scroll_depth'`` row with the depth in its column."""
        meta = {"content_type": content_type, "content_id": as_text(post_id), "interaction_type": "scroll_depth",
                "scroll_depth": depth}
        meta.update(as_mapping(metadata))
        return self._content(
            user, content_type, as_text(post_id), "scroll_depth", None, depth, ip_address, user_agent, meta,
            timestamp,
        )

    @_guarded(None)
    def track_page_scroll(
        self,
        user_id: object,
        page_url: object,
        max_scroll_depth: object,
        time_on_page: object,
        session_id: object = None,
        *,
        timestamp: object = None,
    ) -> str | None:
        """The analytics app's ``TrackScrollDepth``: ``content_type='page'``, ``interaction_type='scroll'``.

        The URL is the ``content_id`` (varchar 100): a longer one is cut under the overflow rule, the full
        URL kept in metadata (the platform lost these rows).
        """
        meta = {
            "max_scroll_depth": max_scroll_depth,
            "time_on_page": time_on_page,
            "session_id": session_id or "",
            "timestamp": dt.datetime.now(_UTC).isoformat(),
        }
        return self._content(
            user_id, "page", page_url, "scroll", None, None, None, None, meta, timestamp, role="user_id"
        )

    @_guarded(None)
    def track_time_spent(
        self,
        user: object,
        content_id: object,
        time_ms: object,
        content_type: object,
        ip_address: object = None,
        user_agent: object = None,
        metadata: object = None,
        *,
        timestamp: object = None,
    ) -> str | None:
        """``TrackTimeSpent``: ``interaction_type='time_spent'``, ``duration_seconds = time_ms // 1000``."""
        seconds = time_ms // 1000 if type(time_ms) is int else (time_ms if time_ms is None else _div1000(time_ms))
        meta = {"content_type": content_type, "content_id": as_text(content_id), "interaction_type": "time_spent",
                "time_ms": time_ms}
        meta.update(as_mapping(metadata))
        return self._content(
            user, content_type, as_text(content_id), "time_spent", seconds, None, ip_address, user_agent, meta,
            timestamp,
        )

    @_guarded(None)
    def track_user_session(
        self,
        user_id: object,
        session_id: object,
        session_start: object = None,
        session_end: object = None,
        pages_visited: object = None,
        device_type: object = None,
        user_agent: object = None,
        *,
        timestamp: object = None,
    ) -> str | None:
        """The analytics app's ``TrackUserSession``: a ``content_type='session'`` content row, as it wrote."""
        meta = {
            "session_start": session_start,
            "session_end": session_end,
            "pages_visited": pages_visited,
            "device_type": device_type,
            "user_agent": user_agent,
            "timestamp": dt.datetime.now(_UTC).isoformat(),
        }
        return self._content(
            user_id, "session", session_id, "session_data", None, None, None, None, meta, timestamp, role="user_id"
        )

    # --- social_interaction / profile_activity ------------------------------------------------------

    @_guarded(None)
    def track_social_interaction(
        self,
        user: object,
        target_user: object = None,
        interaction_type: object = None,
        context_type: object = None,
        context_id: object = None,
        ip_address: object = None,
        user_agent: object = None,
        metadata: object = None,
        *,
        timestamp: object = None,
        **_ignored: object,
    ) -> str | None:
        """A ``social_interaction`` row; ``target_user`` may be None (messages are written without one)."""
        notes = Notes()
        user_id = self._user(user, "user")
        target = None if target_user is None else self._user(target_user, "target_user")
        t = SOCIAL_INTERACTION
        values = self._head(timestamp, ip_address, user_agent, notes)
        values += [
            self._text(t, "interaction_type", interaction_type, notes),
            self._text(t, "context_type", context_type, notes),
            self._text(t, "context_id", context_id, notes),
            target,
            user_id,
        ]
        return self._emit(t, values, as_mapping(metadata), notes)

    @_guarded(None)
    def track_profile_activity(
        self,
        visitor: object,
        profile_owner: object,
        activity_type: object,
        duration_seconds: object = None,
        ip_address: object = None,
        user_agent: object = None,
        metadata: object = None,
        *,
        timestamp: object = None,
        **_ignored: object,
    ) -> str | None:
        """A ``profile_activity`` row (``profile_view``, ``profile_follow``, ...)."""
        notes = Notes()
        visitor_id = self._user(visitor, "visitor")
        owner_id = self._user(profile_owner, "profile_owner")
        t = PROFILE_ACTIVITY
        values = self._head(timestamp, ip_address, user_agent, notes)
        values += [
            self._text(t, "activity_type", activity_type, notes),
            nonneg_int(duration_seconds, "duration_seconds", notes),
            owner_id,
            visitor_id,
        ]
        return self._emit(t, values, as_mapping(metadata), notes)

    @_guarded(None)
    def track_profile_visit(
        self,
        visitor: object,
        profile_owner: object,
        duration_seconds: object = None,
        ip_address: object = None,
        user_agent: object = None,
        metadata: object = None,
        *,
        timestamp: object = None,
    ) -> str | None:
        """Two rows, as the platform: ``profile_activity`` ``profile_view`` and ``social_interaction``
        ``profile_visit`` (context ``profile``, ``context_id`` = the owner's id). Returns the first uid."""
        owner = self._user(profile_owner, "profile_owner")
        self._user(visitor, "visitor")
        first = self.track_profile_activity(
            visitor, owner, "profile_view", duration_seconds, ip_address, user_agent, metadata, timestamp=timestamp
        )
        owner_key = owner.uid if isinstance(owner, UidRef) else str(owner)
        self.track_social_interaction(
            visitor, owner, "profile_visit", "profile", owner_key, ip_address, user_agent, metadata,
            timestamp=timestamp,
        )
        return first

    # --- media_interaction --------------------------------------------------------------------------

    @_guarded(None)
    def track_media_interaction(
        self,
        user: object,
        media_type: object,
        media_id: object,
        interaction_type: object,
        duration_seconds: object = None,
        position_seconds: object = None,
        media_url: object = None,
        ip_address: object = None,
        user_agent: object = None,
        metadata: object = None,
        *,
        timestamp: object = None,
        **_ignored: object,
    ) -> str | None:
        """A ``media_interaction`` row (comment media views, image views, plays...)."""
        notes = Notes()
        user_id = self._user(user, "user")
        t = MEDIA_INTERACTION
        values = self._head(timestamp, ip_address, user_agent, notes)
        values += [
            self._text(t, "media_type", media_type, notes),
            self._text(t, "media_id", media_id, notes),
            self._text(t, "media_url", media_url, notes),
            self._text(t, "interaction_type", interaction_type, notes),
            nonneg_int(duration_seconds, "duration_seconds", notes),
            nonneg_int(position_seconds, "position_seconds", notes),
            user_id,
        ]
        return self._emit(t, values, as_mapping(metadata), notes)

    # --- session_activity ---------------------------------------------------------------------------

    @_guarded(None)
    def track_app_session(
        self,
        user: object,
        session_data: object,
        *,
        ip_address: object = None,
        user_agent: object = None,
        metadata: object = None,
        timestamp: object = None,
    ) -> str | None:
        """``TrackAppSession``: the session's row, created or updated (one row per user and session id).

        ``session_data`` is a mapping or an object (the GraphQL input) with ``session_id`` and optionally
        ``start_time``, ``end_time``, ``pages_visited``, ``actions_performed``, ``device_info``,
        ``location_data`` — and, beyond the platform's input, ``session_type``, ``referrer``, ``exit_page``.
        Counters are absolute (the session's totals so far): merging keeps the largest, so events may arrive
        in any order or twice.
        """
        def get(name: str) -> Any:
            if isinstance(session_data, Mapping):
                return session_data.get(name)
            return getattr(session_data, name, None)

        notes = Notes()
        user_id = self._user(user, "user")
        t = SESSION_ACTIVITY
        values = self._head(timestamp, ip_address, user_agent, notes)
        session_id = self._text(t, "session_id", get("session_id"), notes)
        assert session_id is not None
        start = aware(get("start_time"), "start_time", notes) or dt.datetime.fromisoformat(str(values[3]))
        end = aware(get("end_time"), "end_time", notes)
        # Recomputed by the merge from the session's earliest start and latest end (tracker.writer).
        duration = None if end is None else nonneg_int(int((end - start).total_seconds()), "duration_seconds", notes)
        user_key = user_id.uid if isinstance(user_id, UidRef) else str(user_id)
        values[0] = rows.session_uid(user_key, session_id)
        device_info, c1 = encode_json(as_mapping(get("device_info")), None)
        location_data, c2 = encode_json(as_mapping(get("location_data")), None)
        if c1 or c2:
            notes.coerced = True
            notes.count("metadata_coerced")
        values += [
            session_id,
            self._text(t, "session_type", get("session_type") or "web", notes),
            start,
            end,
            duration,
            nonneg_int(get("pages_visited") or 0, "pages_visited", notes) or 0,
            nonneg_int(get("actions_performed") or 0, "actions_performed", notes) or 0,
            device_info,
            location_data,
            self._text(t, "referrer", get("referrer"), notes),
            self._text(t, "exit_page", get("exit_page"), notes),
            user_id,
        ]
        return self._emit(t, values, as_mapping(metadata), notes)

    # --- vibe_activity ------------------------------------------------------------------------------

    @_guarded(None)
    def track_vibe_activity(
        self,
        user: object,
        activity_type: object,
        vibe_type: object,
        vibe_id: object,
        vibe_name: object = None,
        vibe_category: object = None,
        target_user_id: object = None,
        vibe_score: object = None,
        iq_impact: object = None,
        aq_impact: object = None,
        sq_impact: object = None,
        hq_impact: object = None,
        success: object = True,
        error_message: object = None,
        ip_address: object = None,
        user_agent: object = None,
        metadata: object = None,
        *,
        timestamp: object = None,
    ) -> str | None:
        """A ``vibe_activity`` row. ``vibe_id`` and ``target_user_id`` are text, written as ``str()`` of what
        is given (the platform writes ``'None'`` for a missing id; the sync expects and handles it)."""
        return self._vibe(
            user, activity_type, vibe_type, vibe_id, vibe_name, vibe_category, target_user_id, vibe_score,
            (iq_impact, aq_impact, sq_impact, hq_impact), success, error_message, ip_address, user_agent,
            as_mapping(metadata), timestamp, "user",
        )

    def _vibe(
        self,
        user: object,
        activity_type: object,
        vibe_type: object,
        vibe_id: object,
        vibe_name: object,
        vibe_category: object,
        target_user_id: object,
        vibe_score: object,
        impacts: tuple[object, object, object, object],
        success: object,
        error_message: object,
        ip_address: object,
        user_agent: object,
        metadata: dict[str, Any],
        timestamp: object,
        role: str,
    ) -> str:
        notes = Notes()
        user_id = self._user(user, role)
        t = VIBE_ACTIVITY
        values = self._head(timestamp, ip_address, user_agent, notes)
        values += [
            self._text(t, "activity_type", activity_type, notes),
            self._text(t, "vibe_type", vibe_type, notes),
            self._text(t, "vibe_id", as_text(vibe_id), notes),
            self._text(t, "vibe_name", vibe_name, notes),
            self._text(t, "vibe_category", vibe_category, notes),
            self._text(t, "target_user_id", None if target_user_id is None else as_text(target_user_id), notes),
            finite_float(vibe_score, "vibe_score", notes),
            finite_float(impacts[0], "iq_impact", notes),
            finite_float(impacts[1], "aq_impact", notes),
            finite_float(impacts[2], "sq_impact", notes),
            finite_float(impacts[3], "hq_impact", notes),
            True if success is None else bool(success),
            None if error_message is None else fit_text(as_text(error_message), None, "error_message", notes),
            user_id,
        ]
        return self._emit(t, values, metadata, notes)

    @_guarded(None)
    def track_vibe_creation(
        self, user: object, vibe_data: Mapping[str, Any] | None, success: object = True,
        error_message: object = None, **kwargs: Any,
    ) -> str | None:
        """``VibeActivityService.track_vibe_creation``: ``vibe_create`` with the vibe's weights in metadata."""
        data = vibe_data or {}
        meta: dict[str, Any] = {
            "iq_weight": data.get("iq"),
            "aq_weight": data.get("aq"),
            "sq_weight": data.get("sq"),
            "hq_weight": data.get("hq"),
            "description": data.get("description"),
            "sub_category": data.get("subCategory"),
            "popularity": data.get("popularity", 0),
        }
        meta.update(as_mapping(kwargs.get("metadata")))
        return self._vibe(
            user, "vibe_create", data.get("vibe_type", "main"), _vibe_field(data, "vibe_id", "uid"),
            _vibe_field(data, "vibe_name", "name"), data.get("category"), None, None, (None, None, None, None),
            success, error_message, kwargs.get("ip_address"), kwargs.get("user_agent"), meta,
            kwargs.get("timestamp"), "user",
        )

    @_guarded((None, None))
    def track_vibe_sending(
        self, sender: object, receiver_id: object, vibe_data: Mapping[str, Any] | None, vibe_score: object,
        score_impacts: Mapping[str, Any] | None = None, success: object = True, error_message: object = None,
        **kwargs: Any,
    ) -> tuple[str | None, str | None]:
        """``vibe_send`` for the sender and, when it succeeded and the receiver is a Django id, ``vibe_receive``
        for the receiver (target = the sender), as the platform. Returns both uids (None where not written)."""
        sent = self._vibe_send(sender, receiver_id, vibe_data, vibe_score, score_impacts, success, error_message,
                               kwargs)
        if sent is None:
            return None, None
        sender_ref, meta, common = sent[1], sent[2], sent[3]
        if not success:
            return sent[0], None
        try:
            receiver = user_ref(receiver_id, "receiver_id")
        except TrackingError:
            self.stats.add("vibe_receive_skipped")  # 'None' or a Community.uid: no receiving user
            return sent[0], None
        if isinstance(receiver, UidRef):
            self.stats.add("vibe_receive_skipped")
            return sent[0], None
        sender_key = sender_ref.uid if isinstance(sender_ref, UidRef) else str(sender_ref)
        receiver_meta = {**meta, "interaction_context": "vibe_receive", "sender_id": sender_key}
        received = self._vibe_receive(receiver, sender_key, receiver_meta, common, kwargs.get("timestamp"))
        return sent[0], received

    @_guarded(None)
    def _vibe_send(
        self, sender: object, receiver_id: object, vibe_data: Mapping[str, Any] | None, vibe_score: object,
        score_impacts: Mapping[str, Any] | None, success: object, error_message: object, kwargs: dict[str, Any],
    ) -> tuple[str, UserRef, dict[str, Any], tuple[Any, ...]] | None:
        data = vibe_data or {}
        sender_ref = self._user(sender, "sender")
        impacts = score_impacts or {}
        meta: dict[str, Any] = {
            "vibe_weights": {"iq": data.get("iq"), "aq": data.get("aq"), "sq": data.get("sq"), "hq": data.get("hq")},
            "interaction_context": "vibe_send",
        }
        meta.update(as_mapping(kwargs.get("metadata")))
        common = (
            data.get("vibe_type", "main"), _vibe_field(data, "vibe_id", "uid"), _vibe_field(data, "vibe_name", "name"),
            data.get("category"), vibe_score,
            (impacts.get("iq_impact"), impacts.get("aq_impact"), impacts.get("sq_impact"), impacts.get("hq_impact")),
        )
        uid = self._vibe(
            sender_ref, "vibe_send", common[0], common[1], common[2], common[3], as_text(receiver_id), vibe_score,
            common[5], success, error_message, kwargs.get("ip_address"), kwargs.get("user_agent"), meta,
            kwargs.get("timestamp"), "sender",
        )
        return uid, sender_ref, meta, common

    @_guarded(None)
    def _vibe_receive(
        self, receiver: int, sender_key: str, meta: dict[str, Any], common: tuple[Any, ...], timestamp: object
    ) -> str | None:
        return self._vibe(
            receiver, "vibe_receive", common[0], common[1], common[2], common[3], sender_key, common[4], common[5],
            True, None, None, None, meta, timestamp, "receiver_id",
        )

    @_guarded(None)
    def track_vibe_view(
        self, user: object, vibe_data: Mapping[str, Any] | None, duration_seconds: object = None, **kwargs: Any
    ) -> str | None:
        """``vibe_view`` with ``duration_seconds`` in metadata (the table has no duration column)."""
        data = vibe_data or {}
        meta: dict[str, Any] = {
            "duration_seconds": duration_seconds,
            "vibe_popularity": data.get("popularity", 0),
            "view_context": kwargs.get("view_context", "direct"),
        }
        meta.update(as_mapping(kwargs.get("metadata")))
        return self._vibe(
            user, "vibe_view", data.get("vibe_type", "main"), _vibe_field(data, "vibe_id", "uid"),
            _vibe_field(data, "vibe_name", "name"), data.get("category"), None, None, (None, None, None, None),
            True, None, kwargs.get("ip_address"), kwargs.get("user_agent"), meta, kwargs.get("timestamp"), "user",
        )

    @_guarded(None)
    def track_vibe_viewing(
        self, user: object, vibe_data: Mapping[str, Any] | None, duration_seconds: object = None,
        ip_address: object = None, user_agent: object = None,
    ) -> str | None:
        """The platform's second view tracker: as :meth:`track_vibe_view`, plus ``vibe_score`` from the data."""
        data = vibe_data or {}
        meta = {"duration_seconds": duration_seconds, "vibe_popularity": data.get("popularity", 0),
                "view_context": "direct"}
        return self._vibe(
            user, "vibe_view", data.get("vibe_type", "main"), _vibe_field(data, "vibe_id", "uid"),
            _vibe_field(data, "vibe_name", "name"), data.get("category"), None, data.get("vibe_score"),
            (None, None, None, None), True, None, ip_address, user_agent, meta, None, "user",
        )

    @_guarded(None)
    def track_vibe_search(self, user: object, search_query: object, results_count: object = 0, **kwargs: Any) -> (
        str | None
    ):
        """``vibe_search``: ``vibe_type='main'``, ``vibe_id='search'``, the query as ``vibe_name``."""
        meta: dict[str, Any] = {
            "search_query": search_query,
            "results_count": results_count,
            "search_type": kwargs.get("search_type", "general"),
        }
        meta.update(as_mapping(kwargs.get("metadata")))
        return self._vibe(
            user, "vibe_search", "main", "search", search_query, None, None, None, (None, None, None, None), True,
            None, kwargs.get("ip_address"), kwargs.get("user_agent"), meta, kwargs.get("timestamp"), "user",
        )


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _div1000(value: object) -> object:
    try:
        return float(value) // 1000  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value  # the duration rule then notes it as invalid


# --- the process-wide tracker ---------------------------------------------------------------------------

_default: ActivityTracker | None = None
_default_lock = threading.Lock()


def get_tracker() -> ActivityTracker:
    """The process's tracker, created on first use from the environment (or by :func:`configure`)."""
    global _default
    tracker = _default
    if tracker is None:
        with _default_lock:
            if _default is None:
                _default = ActivityTracker()
            tracker = _default
    return tracker


def configure(
    settings: TrackerSettings | None = None,
    *,
    resolver: UidResolver | None = None,
    writer_factory: Callable[[], BatchWriter] | None = None,
    start: bool = True,
) -> ActivityTracker:
    """Replace the process's tracker (the old one is closed: its rows are written or spooled)."""
    global _default
    with _default_lock:
        old, _default = _default, ActivityTracker(
            settings, resolver=resolver, writer_factory=writer_factory, start=start
        )
        new = _default
    if old is not None:
        old.close()
    return new


def _close_default() -> None:
    if _default is not None:
        _default.close()


def _after_fork_in_child() -> None:
    for tracker in list(_LIVE):
        tracker._after_fork()


atexit.register(_close_default)
os.register_at_fork(after_in_child=_after_fork_in_child)
