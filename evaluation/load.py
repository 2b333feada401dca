"""Loading a split's training part into the platform's tables, as the platform writes them.

* Users: dataset user ids, in natural order, become Django ids 1..N (`auth_user` rows, every NOT NULL column
  filled as Django would) and ``(:Users {user_id: "<django id>", uid})`` nodes with a deterministic 32-hex uid.
* Interactions: `content_interaction` rows, ``content_type = 'post'``, ``content_id`` = the item's 32-hex uid
  (`item_uid`), ``interaction_type`` = the kind, ``metadata = {"source": "evaluation"}`` (plus ``value``), no
  duration or scroll depth. Rows go in by time, so ids follow timestamps as on the platform.
* Social rows: ``visit`` -> `social_interaction` ``profile_visit``; ``connection`` -> ``connection_request``
  by the first user and ``connection_accept`` by the other one second later (``context_type = 'connection'``,
  a connection uid in ``context_id``, the peer's ``Users.uid`` in metadata, as the platform's v2 path);
  ``vibe`` -> `vibe_activity` ``vibe_send`` (``vibe_type = 'individual'``, the target's Django id in
  ``target_user_id``, ``vibe_score`` = the value, 3 when absent, clamped to [0, 5]).

No column of these tables has a database default (`activity/sql/schema.sql`): every NOT NULL column is given.
Rows are written with COPY (text format).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from activity.generator.ids import as_uuid4
from evaluation.dataset import Interaction, SocialEdge, natural_key
from graph.connection import get_driver
from graph.cypher import render
from graph.schema import ident
from graph.settings import Settings

_PERSON = b"ag-evaluation"


def hashed_uid(kind: str, key: str) -> str:
    """A uuid4-shaped 32-hex id: BLAKE2b-128 (personalisation "ag-evaluation") of "<kind>:<key>"."""
    digest = hashlib.blake2b(f"{kind}:{key}".encode(), digest_size=16, person=_PERSON).digest()
    return f"{as_uuid4(int.from_bytes(digest, 'big')):032x}"


def item_uid(item_id: str) -> str:
    """The `Post.uid` (`content_interaction.content_id`) of dataset item `item_id`."""
    return hashed_uid("item", item_id)


def user_uid(user_id: str) -> str:
    """The `Users.uid` of dataset user `user_id`."""
    return hashed_uid("user", user_id)


@dataclass(frozen=True)
class UserMap:
    """Dataset user id -> Django id and Users.uid."""

    django: dict[str, int]
    uid: dict[str, str]

    @classmethod
    def of(cls, users: Iterable[str], first_id: int = 1) -> UserMap:
        ordered = sorted(set(users), key=natural_key)
        return cls({u: first_id + n for n, u in enumerate(ordered)}, {u: user_uid(u) for u in ordered})


@dataclass
class LoadReport:
    """Rows written per table."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n


def _row_uid(table: str, n: int) -> uuid.UUID:
    return uuid.UUID(hex=hashed_uid(table, str(n)))


def _copy(conn: psycopg.Connection[Any], table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    n = 0
    with conn.cursor() as cur, cur.copy(stmt) as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


AUTH_USER_COLUMNS = ("id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
                     "email", "is_staff", "is_active", "date_joined")
CONTENT_COLUMNS = ("uid", "created_at", "updated_at", "timestamp", "ip_address", "user_agent", "metadata",
                   "content_type", "content_id", "interaction_type", "duration_seconds", "scroll_depth_percentage",
                   "user_id")
SOCIAL_COLUMNS = ("uid", "created_at", "updated_at", "timestamp", "ip_address", "user_agent", "metadata",
                  "interaction_type", "context_type", "context_id", "target_user_id", "user_id")
VIBE_COLUMNS = ("uid", "created_at", "updated_at", "timestamp", "ip_address", "user_agent", "metadata",
                "activity_type", "vibe_type", "vibe_id", "vibe_name", "vibe_category", "target_user_id", "vibe_score",
                "iq_impact", "aq_impact", "sq_impact", "hq_impact", "success", "error_message", "user_id")


def load_auth_users(conn: psycopg.Connection[Any], users: UserMap, joined: datetime) -> int:
    """One `auth_user` row per user (unusable password, username ``eval_user_<id>``)."""
    rows = (
        (django_id, "!", None, False, f"eval_user_{django_id}", "Evaluation", f"User {django_id}",
         f"eval_user_{django_id}@example.com", False, True, joined)
        for django_id in sorted(users.django.values())
    )
    n = _copy(conn, "auth_user", AUTH_USER_COLUMNS, rows)
    conn.execute("SELECT setval(pg_get_serial_sequence('auth_user', 'id'), "
                 "GREATEST((SELECT max(id) FROM auth_user), 1))")
    return n


def content_rows(train: Sequence[Interaction], users: UserMap) -> Iterable[tuple[Any, ...]]:
    """`content_interaction` rows of the training interactions, in time order (ties: input order)."""
    order = sorted(range(len(train)), key=lambda i: (train[i].timestamp, i))
    for n, i in enumerate(order):
        r = train[i]
        meta: dict[str, Any] = {"source": "evaluation"}
        if r.value is not None:
            meta["value"] = r.value
        yield (_row_uid("content_interaction", n), r.timestamp, r.timestamp, r.timestamp, None, None,
               json.dumps(meta), "post", item_uid(r.item_id), r.kind, None, None, users.django[r.user_id])


def social_rows(
    social: Sequence[SocialEdge], users: UserMap, default_time: datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(`social_interaction` rows, `vibe_activity` rows), each in time order; self-edges are left out."""
    events: list[tuple[datetime, int, str, tuple[Any, ...]]] = []  # (time, seq, table, row without uid)
    seq = 0
    for s in social:
        if s.user_id == s.other_id:
            continue
        at = s.timestamp or default_time
        me, other = users.django[s.user_id], users.django[s.other_id]
        if s.kind == "visit":
            events.append((at, seq, "social", (at, at, at, None, None, "{}", "profile_visit", None, None, other, me)))
        elif s.kind == "connection":
            conn_uid = hashed_uid("connection", f"{s.user_id}\x00{s.other_id}\x00{at.isoformat()}")
            request_meta = json.dumps({"receiver_uid": users.uid[s.other_id], "source": "evaluation"})
            accept_meta = json.dumps({"sender_uid": users.uid[s.user_id], "source": "evaluation"})
            events.append((at, seq, "social", (at, at, at, None, None, request_meta, "connection_request",
                                               "connection", conn_uid, other, me)))
            later = at + timedelta(seconds=1)
            events.append((later, seq, "social", (later, later, later, None, None, accept_meta, "connection_accept",
                                                  "connection", conn_uid, me, other)))
        else:  # vibe
            score = 3.0 if s.value is None else min(5.0, max(0.0, s.value))
            vibe_id = hashed_uid("vibe", "evaluation")
            events.append((at, seq, "vibe", (at, at, at, None, None, '{"source": "evaluation"}', "vibe_send",
                                              "individual", vibe_id, None, None, str(other), score,
                                              None, None, None, None, True, None, me)))
        seq += 1
    events.sort(key=lambda e: (e[0], e[1]))
    social_out: list[tuple[Any, ...]] = []
    vibe_out: list[tuple[Any, ...]] = []
    for _, _, table, row in events:
        if table == "social":
            social_out.append((_row_uid("social_interaction", len(social_out)), *row))
        else:
            vibe_out.append((_row_uid("vibe_activity", len(vibe_out)), *row))
    return social_out, vibe_out


def load_training(
    url: str,
    train: Sequence[Interaction],
    social: Sequence[SocialEdge],
    users: UserMap,
    start: datetime,
) -> LoadReport:
    """Create the activity schema in the (empty) database at `url` and write the rows, in one transaction."""
    from activity.schema import init_schema

    report = LoadReport()
    with psycopg.connect(url, autocommit=True) as conn:
        init_schema(conn)
    with psycopg.connect(url) as conn, conn.transaction():
        report.add("auth_user", load_auth_users(conn, users, start - timedelta(days=1)))
        report.add("content_interaction", _copy(conn, "content_interaction", CONTENT_COLUMNS,
                                                content_rows(train, users)))
        s_rows, v_rows = social_rows(social, users, start)
        report.add("social_interaction", _copy(conn, "social_interaction", SOCIAL_COLUMNS, s_rows))
        report.add("vibe_activity", _copy(conn, "vibe_activity", VIBE_COLUMNS, v_rows))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return report


def seed_user_nodes(settings: Settings, users: UserMap, *, batch: int = 20000) -> int:
    """MERGE ``(:Users {user_id, uid})`` for every user (the platform's own nodes exist before any activity)."""
    q = render("demo/seed_platform_users", user_label=ident(settings.user_label), user_key=ident(settings.user_key))
    rows = [{"user_id": str(d), "uid": users.uid[u]} for u, d in users.django.items()]
    driver = get_driver(settings)
    for i in range(0, len(rows), batch):
        driver.execute_query(q, users=rows[i:i + batch], database_=settings.neo4j_database)
    return len(rows)


# -- scratch database ------------------------------------------------------------------------------------------


def with_database(url: str, dbname: str) -> str:
    """`url` with its database name replaced (as tests/conftest.py does)."""
    base, _, rest = url.rpartition("/")
    query = ""
    if "?" in rest:
        query = "?" + rest.split("?", 1)[1]
    return f"{base}/{dbname}{query}"


def create_scratch_database(admin_url: str, prefix: str = "ag_eval") -> tuple[str, str]:
    """A new, empty database next to the admin URL's; returns (name, its URL)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name, with_database(admin_url, name)


def drop_scratch_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
