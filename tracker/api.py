"""The tracker API: one ``track_*`` method per operation of the platform's ``ActivityService``.

Why these names and arguments: the platform's resolvers and signals already call
``ActivityService.track_content_interaction(user, content_type, content_id, interaction_type, ...)``,
``activity_service.track_social_interaction(user=..., target_user=..., ...)``,
``VibeActivityService.track_vibe_sending(sender, receiver_id, vibe_data, vibe_score, ...)`` and so on
(``cantdoitbye/backend`` at dc82f7e); keeping them lets a call site switch by changing one import
(:mod:`tracker.service` has drop-in classes). Each method also writes the row that platform method meant to
write: the same table, columns and metadata — minus the ways it lost rows (see :mod:`tracker.normalize`).

Cost: a call checks what must fail at once (the user references, the NOT NULL values), takes a ``uid`` and
the clock, and appends a tuple of its raw arguments to a deque (no lock: the append is atomic); the
normalization rules and the JSON encoding run in the flusher (:mod:`tracker.build`). It never touches the
network or the disk: when the bounded buffer is full, a short-lived thread moves it to the spool
(:meth:`ActivityTracker._spill`). It returns the row's ``uid`` (the idempotency key, generated now) or None if
the event was refused; refusals and bugs are logged and counted, never raised, unless ``strict``.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

from tracker import build, rows
from tracker.buffer import Buffer, Stats
from tracker.errors import MissingValue, TrackingError, UnresolvableUser
from tracker.flusher import Flusher
from tracker.normalize import INT_MAX, UidRef, UserRef, as_mapping, as_text, user_ref
from tracker.resolver import UidResolver
from tracker.settings import TrackerSettings
from tracker.spool import Spool
from tracker.writer import BatchWriter, PgWriter

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
_time = time.time
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
        self._append = self._buffer.append
        self._autostart = start
        self._need_start = start  # True until the flusher has been started once (then the call skips the check)
        self._writer_factory = writer_factory or self._default_writer
        self._flusher = Flusher(self._buffer, self.stats, self.spool, self._writer_factory, resolver, self.settings)
        self._start_lock = threading.Lock()
        self._spilling = threading.Lock()
        self._spiller: threading.Thread | None = None
        self._wake_at = min(self.settings.flush_at_rows, self.settings.buffer_max_rows)
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
            self._need_start = False

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
        self.wait_for_spill(self.settings.shutdown_timeout_s if timeout is None else timeout)
        self._need_start = self._autostart
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
        self._append = self._buffer.append
        self._need_start = self._autostart
        self._start_lock = threading.Lock()
        self._spilling = threading.Lock()
        self._spiller = None
        self.stats.after_fork()
        reinit = getattr(self.resolver, "after_fork", None)
        if callable(reinit):
            reinit()
        self.spool.forget_after_fork()
        self._flusher.after_fork()
        self._flusher._buffer = self._buffer

    # --- the hot path -------------------------------------------------------------------------------

    def _user(self, value: object, role: str) -> UserRef:
        if type(value) is int and 0 < value <= INT_MAX:
            return value
        ref = user_ref(value, role)
        if type(ref) is UidRef and self.resolver is None:
            raise UnresolvableUser(
                f"{role}: {ref.uid} is a Users.uid; pass the Django id (Users.user_id) or configure a resolver"
            )
        return ref

    def _push(self, builder: int, args: tuple[Any, ...], pending: bool, uid: str | None = None) -> str:
        """Append one event (a tuple: no lock, a deque append is atomic) and wake the flusher if needed."""
        if uid is None:
            uid = rows.new_uid()
        self._append((builder, uid, _time(), args, pending))
        if self._need_start:
            self.start()
        if len(self._buffer) >= self._wake_at:
            self._backlog()
        return uid

    def _backlog(self) -> None:
        if len(self._buffer) >= self._max_rows and self._spilling.acquire(blocking=False):
            # Building and spooling 100 000 rows takes about a second: a short-lived thread does it, so that
            # the call that found the buffer full returns at once like any other.
            try:
                self._spiller = threading.Thread(target=self._spill, name="activity-tracker-spill", daemon=True)
                self._spiller.start()
            except BaseException:
                self._spilling.release()
                raise
        else:
            self._flusher.wake()

    def _spill(self) -> None:
        """Buffer full (Postgres slow or the flusher stalled): move every buffered row to the spool.

        Runs on its own thread (one at a time); nothing is dropped. The rows are replayed from the spool.
        """
        try:
            self._spill_now()
        finally:
            self._spilling.release()

    def wait_for_spill(self, timeout: float | None = None) -> None:
        """Wait until a spill in progress (if any) has reached the spool."""
        spiller = self._spiller
        if spiller is not None:
            spiller.join(timeout)

    def _spill_now(self) -> None:
        events = self._buffer.drain()
        lines, pending = self._flusher.build_lines(events)
        try:
            n = self.spool.append(lines, pending)
        except OSError as exc:
            lost = sum(len(v) for v in lines.values()) + len(pending)
            log.error("activity tracker: buffer full and spool unwritable (%s): %d rows LOST", exc, lost)
            self.stats.add("lost", lost)
            return
        self.stats.add("spilled", n)
        self._flusher.wake()

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
        user_id = self._user(user, "user")
        if activity_type is None:
            _missing("user_activity.activity_type")
        return self._push(
            build.B_USER_ACTIVITY,
            (user_id, activity_type, description, success, ip_address, user_agent, build.snapshot(metadata),
             timestamp),
            type(user_id) is not int,
        )

    # The platform's names for the same row (its async/sync split is the tracker's job now).
    track_activity_async = track_activity
    track_activity_sync = track_activity
    track_user_activity = track_activity

    # --- content_interaction ------------------------------------------------------------------------

    def _content_ref(
        self, user: object, role: str, content_type: object, content_id: object, interaction_type: object
    ) -> UserRef:
        """The checks a content row needs in the call: its user, and its NOT NULL columns."""
        user_id = self._user(user, role)
        if content_type is None or content_id is None or interaction_type is None:
            name = ("content_type" if content_type is None else
                    "content_id" if content_id is None else "interaction_type")
            _missing(f"content_interaction.{name}")
        return user_id

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
        user_id = self._content_ref(user, "user", content_type, "", interaction_type)
        return self._push(
            build.B_CONTENT_INTERACTION,
            (user_id, content_type, content_id, interaction_type, duration_seconds, scroll_depth_percentage,
             ip_address, user_agent, build.snapshot(metadata), timestamp),
            type(user_id) is not int,
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
        ref = self._content_ref(user_id, "user_id", content_type, "" if content_id is None else content_id,
                                interaction_type)
        return self._push(
            build.B_CONTENT_INTERACTION_BY_ID,
            (ref, user_id, content_type, interaction_type, content_id, build.snapshot(metadata), ip_address,
             user_agent, timestamp),
            type(ref) is not int,
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
        user_id = self._content_ref(user, "user", content_type, "", "scroll_depth")
        return self._push(
            build.B_SCROLL_DEPTH,
            (user_id, post_id, depth, content_type, ip_address, user_agent, build.snapshot(metadata), timestamp),
            type(user_id) is not int,
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
        ref = self._content_ref(user_id, "user_id", "page", page_url, "scroll")
        return self._push(
            build.B_PAGE_SCROLL, (ref, page_url, max_scroll_depth, time_on_page, session_id, timestamp),
            type(ref) is not int,
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
        user_id = self._content_ref(user, "user", content_type, "", "time_spent")
        return self._push(
            build.B_TIME_SPENT,
            (user_id, content_id, time_ms, content_type, ip_address, user_agent, build.snapshot(metadata), timestamp),
            type(user_id) is not int,
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
        ref = self._content_ref(user_id, "user_id", "session", session_id, "session_data")
        return self._push(
            build.B_USER_SESSION,
            (ref, session_id, session_start, session_end, pages_visited, device_type, user_agent, timestamp),
            type(ref) is not int,
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
        user_id = self._user(user, "user")
        target = None if target_user is None else self._user(target_user, "target_user")
        if interaction_type is None:
            _missing("social_interaction.interaction_type")
        return self._push(
            build.B_SOCIAL_INTERACTION,
            (user_id, target, interaction_type, context_type, context_id, ip_address, user_agent,
             build.snapshot(metadata), timestamp),
            type(user_id) is not int or (target is not None and type(target) is not int),
        )

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
        visitor_id = self._user(visitor, "visitor")
        owner_id = self._user(profile_owner, "profile_owner")
        if activity_type is None:
            _missing("profile_activity.activity_type")
        return self._push(
            build.B_PROFILE_ACTIVITY,
            (visitor_id, owner_id, activity_type, duration_seconds, ip_address, user_agent, build.snapshot(metadata),
             timestamp),
            type(visitor_id) is not int or type(owner_id) is not int,
        )

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
        user_id = self._user(user, "user")
        if media_type is None or media_id is None or interaction_type is None:
            name = "media_type" if media_type is None else "media_id" if media_id is None else "interaction_type"
            _missing(f"media_interaction.{name}")
        return self._push(
            build.B_MEDIA_INTERACTION,
            (user_id, media_type, media_id, interaction_type, duration_seconds, position_seconds, media_url,
             ip_address, user_agent, build.snapshot(metadata), timestamp),
            type(user_id) is not int,
        )

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

        user_id = self._user(user, "user")
        session_id = get("session_id")
        if session_id is None:
            _missing("session_activity.session_id")
        uid = rows.session_uid(build.user_key(user_id), build.session_id_text(session_id))
        args = (
            user_id, session_id, get("session_type"), get("start_time"), get("end_time"), get("pages_visited"),
            get("actions_performed"), build.snapshot(get("device_info")), build.snapshot(get("location_data")),
            get("referrer"), get("exit_page"), ip_address, user_agent, build.snapshot(metadata), timestamp,
        )
        return self._push(build.B_APP_SESSION, args, type(user_id) is not int, uid)

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
            metadata, timestamp, "user",
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
        metadata: object,
        timestamp: object,
        role: str,
    ) -> str:
        user_id = self._user(user, role)
        if activity_type is None or vibe_type is None:
            _missing(f"vibe_activity.{'activity_type' if activity_type is None else 'vibe_type'}")
        return self._push(
            build.B_VIBE_ACTIVITY,
            (user_id, activity_type, vibe_type, vibe_id, vibe_name, vibe_category, target_user_id, vibe_score,
             impacts, success, error_message, ip_address, user_agent, build.snapshot(metadata), timestamp),
            type(user_id) is not int,
        )

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


def _missing(column: str) -> None:
    raise MissingValue(f"{column} is required (NOT NULL) and was None")


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
