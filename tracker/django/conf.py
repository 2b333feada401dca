"""Reading ``settings.ACTIVITY_TRACKER``: the switches of the Django hooks and the tracker's own settings.

Example::

    ACTIVITY_TRACKER = {
        "SPOOL_DIR": "/var/lib/ooumph/activity-spool",   # any TrackerSettings field, upper or lower case
        "LOGIN_SIGNALS": True,        # user_activity login/logout from Django's auth signals
        "PAGE_VIEWS": True,           # user_activity page_view per successful request (PAGE_VIEW_METHODS)
        "SESSIONS": True,             # session_activity, one row per user session
        "MODEL_SAVES": [              # post_save receivers, see tracker.django.signals
            {"model": "auth.User", "table": "user_activity", "activity_type": "profile_update",
             "user": "pk", "on": "update"},
        ],
        "UID_RESOLVER": "tracker.resolver.neomodel_resolver",   # factory for Users.uid -> Django id
    }

Why the database defaults to Django's: the activity tables live in the platform's own database, so
``DATABASES[DATABASE_ALIAS]`` is used unless ``DATABASE_URL`` is given here or in
``ACTIVITY_TRACKER_DATABASE_URL``. The tracker keeps its own connection (in its flusher thread), never
Django's: a tracked event is written whether or not the request's transaction commits.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.utils.module_loading import import_string

from tracker.resolver import UidResolver
from tracker.settings import TrackerSettings

_HOOK_KEYS = {
    "LOGIN_SIGNALS", "PAGE_VIEWS", "SESSIONS", "MODEL_SAVES", "PAGE_VIEW_ACTIVITY_TYPE", "PAGE_VIEW_METHODS",
    "SKIP_PATHS", "DATABASE_ALIAS", "UID_RESOLVER", "START_FLUSHER", "TRUST_X_FORWARDED_FOR", "ADMIN_PATH",
}


@dataclass(frozen=True)
class Options:
    login_signals: bool = True
    page_views: bool = True
    sessions: bool = True
    model_saves: Sequence[Mapping[str, Any]] = ()
    page_view_activity_type: str = "page_view"
    page_view_methods: frozenset[str] = frozenset({"GET", "HEAD"})
    skip_paths: tuple[str, ...] = ("/static/", "/media/", "/favicon.ico")
    database_alias: str = "default"
    uid_resolver: str | None = None
    start_flusher: bool = True
    trust_x_forwarded_for: bool = True
    admin_path: str = "/admin/"
    extra: dict[str, Any] = field(default_factory=dict)


def raw() -> dict[str, Any]:
    value = getattr(django_settings, "ACTIVITY_TRACKER", None) or {}
    if not isinstance(value, Mapping):
        raise TypeError("settings.ACTIVITY_TRACKER must be a dict")
    return {str(k).upper(): v for k, v in value.items()}


def options() -> Options:
    cfg = raw()
    defaults = Options()
    return Options(
        login_signals=bool(cfg.get("LOGIN_SIGNALS", defaults.login_signals)),
        page_views=bool(cfg.get("PAGE_VIEWS", defaults.page_views)),
        sessions=bool(cfg.get("SESSIONS", defaults.sessions)),
        model_saves=tuple(cfg.get("MODEL_SAVES", ())),
        page_view_activity_type=str(cfg.get("PAGE_VIEW_ACTIVITY_TYPE", defaults.page_view_activity_type)),
        page_view_methods=frozenset(m.upper() for m in cfg.get("PAGE_VIEW_METHODS", defaults.page_view_methods)),
        skip_paths=tuple(cfg.get("SKIP_PATHS", defaults.skip_paths)),
        database_alias=str(cfg.get("DATABASE_ALIAS", defaults.database_alias)),
        uid_resolver=cfg.get("UID_RESOLVER"),
        start_flusher=bool(cfg.get("START_FLUSHER", defaults.start_flusher)),
        trust_x_forwarded_for=bool(cfg.get("TRUST_X_FORWARDED_FOR", defaults.trust_x_forwarded_for)),
        admin_path=str(cfg.get("ADMIN_PATH", defaults.admin_path)),
    )


def database_conninfo(alias: str) -> str | None:
    """A libpq conninfo for ``DATABASES[alias]`` (None when that database is not Postgres)."""
    from psycopg.conninfo import make_conninfo

    db = django_settings.DATABASES.get(alias)
    if not db or "postgresql" not in str(db.get("ENGINE", "")):
        return None
    parts = {
        "dbname": db.get("NAME"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": str(db.get("PORT") or "") or None,
    }
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "options"):
        value = (db.get("OPTIONS") or {}).get(key)
        if value:
            parts[key] = value
    return make_conninfo("", **{k: v for k, v in parts.items() if v})


def tracker_settings() -> TrackerSettings:
    cfg = raw()
    kwargs = {k.lower(): v for k, v in cfg.items() if k not in _HOOK_KEYS}
    known = set(TrackerSettings.model_fields)
    unknown = sorted(k for k in kwargs if k not in known)
    if unknown:
        raise ValueError(f"settings.ACTIVITY_TRACKER: unknown keys {unknown}")
    if kwargs.get("database_url") is None and not os.environ.get("ACTIVITY_TRACKER_DATABASE_URL"):
        kwargs.pop("database_url", None)
        url = database_conninfo(str(cfg.get("DATABASE_ALIAS", "default")))
        if url:
            kwargs["database_url"] = url
    return TrackerSettings(**kwargs)


def resolver(opts: Options) -> UidResolver | None:
    if not opts.uid_resolver:
        return None
    factory = import_string(opts.uid_resolver)
    out = factory()
    return out  # type: ignore[no-any-return]
