"""Postgres connections for the admin role (schemas, loads) and the sync's read-only role."""

from __future__ import annotations

import psycopg

from graph.settings import Settings, get_settings


def admin_url(settings: Settings | None = None) -> str:
    return (settings or get_settings()).database_url.get_secret_value()


def reader_url(settings: Settings | None = None) -> str:
    """The sync's URL: the read-only role when configured, else the admin URL."""
    s = settings or get_settings()
    return (s.sync_database_url or s.database_url).get_secret_value()


def connect(url: str | None = None, *, autocommit: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    """A plain connection (admin by default); callers use it as a context manager."""
    return psycopg.connect(url or admin_url(), autocommit=autocommit, connect_timeout=10)


def reader_role(settings: Settings | None = None) -> str | None:
    """The user name in the sync's URL, when it differs from the admin's."""
    from psycopg.conninfo import conninfo_to_dict

    s = settings or get_settings()
    if s.sync_database_url is None:
        return None
    reader = conninfo_to_dict(s.sync_database_url.get_secret_value()).get("user")
    admin = conninfo_to_dict(s.database_url.get_secret_value()).get("user")
    return str(reader) if reader and reader != admin else None
