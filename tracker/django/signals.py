"""Receivers: login/logout from ``django.contrib.auth``, and ``post_save`` of the models the settings list.

Why configurable ``post_save`` entries rather than receivers for the platform's models: its content lives in
neomodel nodes whose ``post_save`` fires before their relationships are connected (the platform's own
receivers found no owner and wrote nothing), so which saves are worth a row, and where the user is, is the
platform's call. An entry of ``MODEL_SAVES``::

    {"model": "auth.User" or "post.models.Post",   # an app_label.Model, or a dotted import path
     "on": "create" | "update" | "save",           # default "create"
     "table": "user_activity" | "content_interaction",   # default "content_interaction"
     "user": "pk" | "user" | "created_by.single().user_id",   # attribute path to the acting user
     "activity_type": "profile_update",            # user_activity rows
     "content_type": "post", "interaction_type": "create", "content_id": "uid",   # content rows
     "skip_update_fields": ["last_login"],         # saves touching only these fields are ignored
     "handler": "app.tracking.on_post_save"}       # or a callable(tracker, instance, created, entry)

Each receiver is wrapped: an error in one never reaches the code that saved the model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.http import HttpRequest
from django.utils.module_loading import import_string

from tracker.api import get_tracker
from tracker.django.conf import Options
from tracker.django.request import client_ip

log = logging.getLogger(__name__)

_options = Options()


def _request_fields(request: HttpRequest | None) -> tuple[str | None, str | None, str | None]:
    if request is None:
        return None, None, None
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    return client_ip(request, _options.trust_x_forwarded_for), request.META.get("HTTP_USER_AGENT", ""), key


def on_login(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    if user is None:
        return
    ip, agent, key = _request_fields(request)
    get_tracker().track_activity(
        user, "login", f"User logged in from {ip}", True, ip, agent,
        {"login_method": "standard", "session_key": key},
    )


def on_logout(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    if user is None:  # logout of an anonymous session
        return
    ip, agent, key = _request_fields(request)
    get_tracker().track_activity(user, "logout", f"User logged out from {ip}", True, ip, agent, {"session_key": key})


def resolve_path(obj: Any, path: str) -> Any:
    """``"created_by.single().user_id"``: attributes in turn, calling the segments written with ``()``."""
    for part in path.split("."):
        call = part.endswith("()")
        obj = getattr(obj, part[:-2] if call else part)
        if call:
            obj = obj()
        if obj is None:
            return None
    return obj


def _sender(model: str) -> Any:
    if model.count(".") == 1:
        try:
            return apps.get_model(model)
        except (LookupError, ValueError):
            pass
    return import_string(model)


def save_receiver(entry: Mapping[str, Any]) -> Callable[..., None]:
    on = entry.get("on", "create")
    if on not in ("create", "update", "save"):
        raise ValueError(f"ACTIVITY_TRACKER MODEL_SAVES: 'on' must be create, update or save, not {on!r}")
    handler = import_string(entry["handler"]) if entry.get("handler") else None
    table = entry.get("table", "content_interaction")
    if handler is None and table not in ("user_activity", "content_interaction"):
        raise ValueError(f"ACTIVITY_TRACKER MODEL_SAVES: table {table!r} needs a 'handler'")

    skip_fields = frozenset(entry.get("skip_update_fields", ()))

    def receiver(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
        if (on == "create" and not created) or (on == "update" and created) or kwargs.get("raw"):
            return
        update_fields = kwargs.get("update_fields")
        if update_fields and skip_fields and set(update_fields) <= skip_fields:
            return  # e.g. Django's own last_login update at each login
        tracker = get_tracker()
        try:
            if handler is not None:
                handler(tracker, instance, created, entry)
                return
            user = resolve_path(instance, entry.get("user", "user"))
            if table == "user_activity":
                default_type = f"{type(instance).__name__.lower()}_{'create' if created else 'update'}"
                tracker.track_activity(
                    user, entry.get("activity_type", default_type),
                    metadata={"model": f"{type(instance).__module__}.{type(instance).__qualname__}",
                              "pk": str(getattr(instance, "pk", None)), "created": created},
                )
            else:
                tracker.track_content_interaction(
                    user, entry.get("content_type", type(instance).__name__.lower()),
                    resolve_path(instance, entry.get("content_id", "pk")),
                    entry.get("interaction_type", "create" if created else "update"),
                )
        except Exception:  # a tracking bug must never fail the save
            tracker.stats.add("errors")
            log.exception("activity tracker: post_save receiver for %s failed", entry.get("model"))

    return receiver


def connect(options: Options) -> None:
    """Connect the receivers the options switch on (idempotent: fixed dispatch_uids)."""
    global _options
    _options = options
    if options.login_signals:
        user_logged_in.connect(on_login, dispatch_uid="activity_tracker.login")
        user_logged_out.connect(on_logout, dispatch_uid="activity_tracker.logout")
    else:
        user_logged_in.disconnect(dispatch_uid="activity_tracker.login")
        user_logged_out.disconnect(dispatch_uid="activity_tracker.logout")
    for i, entry in enumerate(options.model_saves):
        post_save.connect(
            save_receiver(entry), sender=_sender(entry["model"]), weak=False,
            dispatch_uid=f"activity_tracker.save.{i}",
        )
