"""Postgres access for the analytics: a connection (the caller's, or a new one on the admin URL) and row reads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row

from activity import db
from analytics.errors import UnknownUser
from analytics.sqlfiles import sql_text

Conn = psycopg.Connection[Any]


@contextmanager
def connection(conn: Conn | None = None, url: str | None = None) -> Iterator[Conn]:
    """`conn` itself (left open), or a new autocommit connection to `url` (default: the admin URL), closed after."""
    if conn is not None:
        yield conn
        return
    with db.connect(url or db.admin_url(), autocommit=True) as own:
        yield own


def fetch_all(conn: Conn, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of the named query as dicts."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql_text(name), params)
        return list(cur.fetchall())


def fetch_report(conn: Conn, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of a report query run with hash joins only (`enable_nestloop` off for its transaction): the
    estimates of the jsonb filters on the activity tables are poor, and a nested loop over a misestimated
    side grows with the product of both."""
    with conn.transaction():
        conn.execute("SET LOCAL enable_nestloop = off")
        return fetch_all(conn, name, params)


def fetch_one(conn: Conn, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    rows = fetch_all(conn, name, params)
    if len(rows) != 1:
        raise RuntimeError(f"analytics/sql/{name}.sql returned {len(rows)} rows, expected 1")
    return rows[0]


def check_user(conn: Conn, user_id: int) -> None:
    """`UnknownUser` unless `auth_user` has the id."""
    row = conn.execute("SELECT EXISTS (SELECT 1 FROM auth_user WHERE id = %s)", (user_id,)).fetchone()
    if not row or not row[0]:
        raise UnknownUser(f"unknown user {user_id}: no auth_user row with that id")


def user_id_of(value: int | str) -> int:
    """A Django user id from user input (digits), or `UnknownUser`."""
    text = str(value).strip()
    if not text.isdigit() or int(text) <= 0 or int(text) > 2**31 - 1:
        raise UnknownUser(f"unknown user {value!r}: a user is named by its positive integer auth_user id")
    return int(text)
