"""Page views (``user_activity``) and sessions (``session_activity``) for authenticated requests.

Put it after ``SessionMiddleware`` and ``AuthenticationMiddleware``. Per request it does no database work
of its own: it reads ``request.user`` once the view has run, appends at most two events to the tracker's
buffer and, for sessions, updates a small dict in ``request.session``.

Why the session state lives in ``request.session``: the platform keyed a session row on ``(user,
session_id)`` and counted pages by incrementing the row in place, a read-modify-write per request. Here the
Django session carries the tracker's session id, start time and running totals; each request sends the
totals so far (absolute values), and the writer keeps the largest, so events may be merged in any order, or
replayed, without double counting. ``session_id`` is the tracker's own id (Django's ``session_key`` changes at
login and does not exist for cookie sessions); ``end_time`` is the last request seen, so ``duration_seconds``
is the session's length so far. The cost: the session is saved on each tracked request.

A logout ends the session row: the request that flushed the session still reports (under the user it
started with) with ``exit_page`` = its path, and the next login starts a new session id.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from tracker.api import get_tracker
from tracker.django import conf
from tracker.django.request import client_ip, device_info, session_type
from tracker.normalize import utc_now_text
from tracker.rows import new_uid

log = logging.getLogger(__name__)

SESSION_KEY = "_activity_tracker"


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    pk = getattr(user, "pk", None)
    return pk if isinstance(pk, int) else None


class ActivityTrackingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.options = conf.options()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        opts = self.options
        if (
            not (opts.page_views or opts.sessions)
            or request.path.startswith(opts.skip_paths)
            or not get_tracker().settings.enabled
        ):
            return self.get_response(request)
        started = time.perf_counter()
        session = getattr(request, "session", None)
        state = session.get(SESSION_KEY) if session is not None and opts.sessions else None
        response = self.get_response(request)
        try:
            self._track(request, response, state, started)
        except Exception:  # tracking must never break the response
            get_tracker().stats.add("errors")
            log.exception("activity tracker: middleware failed")
        return response

    def _track(self, request: HttpRequest, response: HttpResponse, state: Any, started: float) -> None:
        opts = self.options
        user_id = _user_id(request)
        ended = False
        if user_id is None and isinstance(state, dict) and isinstance(state.get("user"), int):
            session = getattr(request, "session", None)
            if session is not None and session.get(SESSION_KEY) is None:
                user_id, ended = state["user"], True  # logged out during this request
        if user_id is None:
            return
        tracker = get_tracker()
        ip = client_ip(request, opts.trust_x_forwarded_for)
        agent = request.META.get("HTTP_USER_AGENT", "")
        status = response.status_code
        if opts.page_views and request.method in opts.page_view_methods and status < 400:
            tracker.track_activity(
                user_id, opts.page_view_activity_type, f"Visited {request.path}", True, ip, agent,
                {
                    "path": request.path,
                    "method": request.method,
                    "status": status,
                    "duration_ms": int((time.perf_counter() - started) * 1000),
                    "referer": request.META.get("HTTP_REFERER", ""),
                },
            )
        if opts.sessions and hasattr(request, "session"):
            self._session(request, state, user_id, ended, ip, agent)

    def _session(self, request: HttpRequest, state: Any, user_id: int, ended: bool, ip: str | None,
                 agent: str) -> None:
        now = utc_now_text()
        fresh = not isinstance(state, dict) or state.get("user") != user_id or not state.get("id")
        if fresh:
            state = {"id": new_uid().replace("-", ""), "user": user_id, "start": now, "pages": 0, "actions": 0}
        assert isinstance(state, dict)
        if request.method in ("GET", "HEAD"):
            state["pages"] = int(state.get("pages", 0)) + 1
        else:
            state["actions"] = int(state.get("actions", 0)) + 1
        get_tracker().track_app_session(
            user_id,
            {
                "session_id": state["id"],
                "start_time": state["start"],
                "end_time": now,
                "pages_visited": state["pages"],
                "actions_performed": state["actions"],
                "session_type": session_type(request, self.options.admin_path),
                "device_info": device_info(agent),
                "referrer": request.META.get("HTTP_REFERER") if fresh else None,
                "exit_page": request.path,
            },
            ip_address=ip,
            user_agent=agent,
            metadata={"ended": True} if ended else None,
        )
        if not ended:
            request.session[SESSION_KEY] = state
