"""Everything the generator does in Postgres besides COPY: checks, users, id ranges, ground truth.

The eight activity tables must exist (`activity-graph db init`, or the platform's own migrations);
the generator creates only its own ground-truth tables (prefix `activity_graph_planted_`) and the
`auth_user` rows its activity references.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import sql

from .config import GenerationConfig
from .population import Population
from .tables import COMPATIBLE, TABLES, TableSpec

GROUND_TRUTH_DDL = """
CREATE TABLE IF NOT EXISTS activity_graph_planted_community (
    user_id        integer PRIMARY KEY,
    community      integer NOT NULL,
    seed           bigint NOT NULL,
    user_uid       char(32) NOT NULL,
    activity_rate  double precision NOT NULL,
    creator_rate   double precision NOT NULL,
    peak_hour      smallint NOT NULL,
    generated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS activity_graph_planted_community_community_idx
    ON activity_graph_planted_community (community);
CREATE TABLE IF NOT EXISTS activity_graph_planted_group (
    community_uid    char(32) PRIMARY KEY,
    community        integer NOT NULL,
    founder_user_id  integer NOT NULL,
    name             text NOT NULL,
    seed             bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS activity_graph_planted_bad_row (
    source_table  varchar(64) NOT NULL,
    source_id     bigint NOT NULL,
    kind          varchar(64) NOT NULL,
    seed          bigint NOT NULL,
    PRIMARY KEY (source_table, source_id)
);
CREATE TABLE IF NOT EXISTS activity_graph_generation_run (
    id                  bigserial PRIMARY KEY,
    seed                bigint NOT NULL,
    users               integer NOT NULL,
    days                integer NOT NULL,
    window_end          timestamptz NOT NULL,
    communities         integer NOT NULL,
    in_community_share  double precision NOT NULL,
    bad_row_share       double precision NOT NULL,
    first_user_id       integer NOT NULL,
    row_counts          jsonb NOT NULL,
    seconds             double precision NOT NULL,
    index_mode          text NOT NULL,
    generated_at        timestamptz NOT NULL DEFAULT now()
);
"""

#: auth_user columns the generator knows how to fill (Django 4.2's auth_user), as SQL over `g` (the id).
_AUTH_USER_VALUES: dict[str, str] = {
    "id": "g",
    "password": "'!'",  # Django's unusable-password marker
    "last_login": "NULL",
    "is_superuser": "false",
    "username": "'gen_user_' || g",
    "first_name": "'Generated'",
    "last_name": "'User ' || g",
    "email": "'gen_user_' || g || '@example.com'",
    "is_staff": "false",
    "is_active": "true",
    "date_joined": "%(start)s::timestamptz - make_interval(days => 30 + (g * 7919) %% 700)",
}


class SchemaError(RuntimeError):
    """The target database lacks a table or has a column the generator cannot write as it is."""


def _columns(conn: psycopg.Connection[Any], table: str) -> dict[str, tuple[str, bool, bool]]:
    """column -> (data_type, nullable, has_default) for `table` in the current search path."""
    rows = conn.execute(
        """
        SELECT a.attname, format_type(a.atttypid, NULL), NOT a.attnotnull,
               a.atthasdef OR a.attidentity <> ''
          FROM pg_attribute a
         WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
        """,
        (table,),
    ).fetchall()
    return {r[0]: (str(r[1]), bool(r[2]), bool(r[3])) for r in rows}


def check_tables(conn: psycopg.Connection[Any], tables: Sequence[TableSpec] = TABLES) -> None:
    """Raise SchemaError naming every missing table/column and every type binary COPY cannot load."""
    problems: list[str] = []
    for spec in tables:
        cols = _columns(conn, spec.name)
        if not cols:
            problems.append(f"table {spec.name} is missing (run `activity-graph db init`)")
            continue
        for name, wire in spec.columns:
            if name not in cols:
                problems.append(f"{spec.name}.{name}: column is missing")
            elif cols[name][0] not in COMPATIBLE[wire]:
                problems.append(f"{spec.name}.{name}: type {cols[name][0]}, the generator writes {wire}")
        for name, (_, nullable, has_default) in cols.items():
            if name not in spec.column_names and not nullable and not has_default:
                problems.append(f"{spec.name}.{name}: NOT NULL without default, the generator does not fill it")
    if problems:
        raise SchemaError("the activity tables do not match what the generator writes:\n  " + "\n  ".join(problems))


def ensure_ground_truth_tables(conn: psycopg.Connection[Any]) -> None:
    conn.execute(GROUND_TRUTH_DDL)


def ensure_users(conn: psycopg.Connection[Any], config: GenerationConfig) -> int:
    """Insert the auth_user rows the activity references (existing ids are kept); returns how many."""
    cols = _columns(conn, "auth_user")
    if not cols:
        raise SchemaError("table auth_user is missing (the activity tables reference it)")
    unknown = [
        c
        for c, (_, nullable, has_default) in cols.items()
        if c not in _AUTH_USER_VALUES and not nullable and not has_default
    ]
    if unknown:
        raise SchemaError(f"auth_user has NOT NULL columns the generator cannot fill: {', '.join(unknown)}")
    names = [c for c in cols if c in _AUTH_USER_VALUES]
    values = ", ".join(_AUTH_USER_VALUES[c] for c in names)
    statement = (
        f"INSERT INTO auth_user ({', '.join(names)}) SELECT {values} "
        "FROM generate_series(%(first)s::int, %(last)s::int) AS g ON CONFLICT DO NOTHING"
    )
    first = config.first_user_id
    last = first + config.users - 1
    cur = conn.execute(statement, {"first": first, "last": last, "start": config.start})
    inserted = cur.rowcount
    present = conn.execute("SELECT count(*) FROM auth_user WHERE id BETWEEN %s AND %s", (first, last)).fetchone()
    if present is None or present[0] != config.users:
        raise SchemaError(
            f"auth_user could not hold ids {first}..{last} (a username 'gen_user_<id>' may belong to another id)"
        )
    _sync_sequence(conn, "auth_user")
    return max(inserted, 0)


def _sync_sequence(conn: psycopg.Connection[Any], table: str) -> None:
    """Move the id sequence (serial or identity) past the largest id, so later inserts do not collide."""
    row = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
    if row is None or row[0] is None:
        return
    conn.execute(
        sql.SQL("SELECT setval(%s, GREATEST((SELECT COALESCE(max(id), 0) FROM {}), 1))").format(sql.Identifier(table)),
        (row[0],),
    )


def next_ids(conn: psycopg.Connection[Any]) -> list[int]:
    """The first id to use per activity table: past both the largest id and the sequence's position."""
    out: list[int] = []
    for spec in TABLES:
        row = conn.execute(sql.SQL("SELECT COALESCE(max(id), 0) FROM {}").format(sql.Identifier(spec.name))).fetchone()
        largest = int(row[0]) if row else 0
        seq = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", (spec.name,)).fetchone()
        if seq is not None and seq[0] is not None:
            pos = conn.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(seq[0]))).fetchone()
            if pos is not None and pos[1]:
                largest = max(largest, int(pos[0]))
        out.append(largest + 1)
    return out


def sync_sequences(conn: psycopg.Connection[Any]) -> None:
    for spec in TABLES:
        _sync_sequence(conn, spec.name)


def tables_empty(conn: psycopg.Connection[Any]) -> bool:
    for spec in TABLES:
        row = conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(spec.name))).fetchone()
        if row is not None and row[0]:
            return False
    return True


def write_planted(conn: psycopg.Connection[Any], config: GenerationConfig, pop: Population) -> None:
    """Each user's planted community (upserted: the table describes the latest run per user id)."""
    conn.execute(
        "CREATE TEMP TABLE _gen_planted (LIKE activity_graph_planted_community INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY _gen_planted (user_id, community, seed, user_uid, activity_rate, creator_rate, peak_hour) FROM STDIN"
        ) as cp,
    ):
        buf = io.StringIO()
        for i in range(pop.n):
            buf.write(
                f"{pop.user_id(i)}\t{pop.community[i]}\t{config.seed}\t{pop.uid[i]}\t"
                f"{pop.activity[i]!r}\t{pop.creator_rate[i]!r}\t{pop.peak_hour[i]}\n"
            )
            if buf.tell() > 1 << 20:
                cp.write(buf.getvalue())
                buf = io.StringIO()
        cp.write(buf.getvalue())
    conn.execute(
        """
        INSERT INTO activity_graph_planted_community
               (user_id, community, seed, user_uid, activity_rate, creator_rate, peak_hour)
        SELECT user_id, community, seed, user_uid, activity_rate, creator_rate, peak_hour FROM _gen_planted
        ON CONFLICT (user_id) DO UPDATE SET community = EXCLUDED.community, seed = EXCLUDED.seed,
               user_uid = EXCLUDED.user_uid, activity_rate = EXCLUDED.activity_rate,
               creator_rate = EXCLUDED.creator_rate, peak_hour = EXCLUDED.peak_hour, generated_at = now()
        """
    )
    with conn.cursor() as cur:
        cur.executemany(
            """
            INSERT INTO activity_graph_planted_group (community_uid, community, founder_user_id, name, seed)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (community_uid) DO UPDATE SET community = EXCLUDED.community,
                   founder_user_id = EXCLUDED.founder_user_id, name = EXCLUDED.name, seed = EXCLUDED.seed
            """,
            [(g.uid, g.planted, pop.user_id(g.founder), g.name, config.seed) for g in pop.groups],
        )


def write_bad_rows(conn: psycopg.Connection[Any], seed: int, bad: Iterable[tuple[int, int, str]]) -> None:
    with (
        conn.cursor() as cur,
        cur.copy("COPY activity_graph_planted_bad_row (source_table, source_id, kind, seed) FROM STDIN") as cp,
    ):
        for table, row_id, kind in bad:
            cp.write_row((TABLES[table].name, row_id, kind, seed))


def record_run(
    conn: psycopg.Connection[Any], config: GenerationConfig, counts: dict[str, int], seconds: float, index_mode: str
) -> None:
    conn.execute(
        """
        INSERT INTO activity_graph_generation_run (seed, users, days, window_end, communities,
               in_community_share, bad_row_share, first_user_id, row_counts, seconds, index_mode)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        """,
        (
            config.seed, config.users, config.days, config.end, config.k, config.in_community_share,
            config.bad_row_share, config.first_user_id, json.dumps(counts), seconds, index_mode,
        ),
    )  # fmt: skip


# --- activity_aggregation: merged, not appended, when the table already holds rows ----------------------

AGGREGATION_STAGE = "_gen_activity_aggregation"


def aggregation_needs_merge(conn: psycopg.Connection[Any]) -> bool:
    """True when activity_aggregation has rows: the generated (user, type, date) rows may then collide
    with its unique constraint, so they are staged and merged as the platform's update_or_create does."""
    row = conn.execute("SELECT EXISTS (SELECT 1 FROM activity_aggregation)").fetchone()
    return bool(row and row[0])


def stage_aggregations(conn: psycopg.Connection[Any]) -> None:
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} (LIKE activity_aggregation INCLUDING DEFAULTS) ON COMMIT DROP").format(
            sql.Identifier(AGGREGATION_STAGE)
        )
    )


def merge_aggregations(conn: psycopg.Connection[Any]) -> None:
    """Insert the staged rows; an existing (user, type, date) row takes the new counts and score."""
    conn.execute(
        sql.SQL(
            "INSERT INTO activity_aggregation SELECT * FROM {} "
            "ON CONFLICT (user_id, aggregation_type, date) DO UPDATE SET "
            "activity_counts = EXCLUDED.activity_counts, engagement_score = EXCLUDED.engagement_score, "
            "updated_at = EXCLUDED.updated_at"
        ).format(sql.Identifier(AGGREGATION_STAGE))
    )


# --- index rebuild (opt-in bulk path) ---------------------------------------------------------------


class IndexRebuild:
    """Drop the activity tables' indexes and constraints that need them, and restore them before commit.

    The classic bulk-load recipe (PostgreSQL manual, "Populating a Database"): building an index once
    after the load, by sorting, is far cheaper than maintaining it row by row (the platform's schema has
    about fifty indexes on these eight tables), and adding a foreign key validates all rows in one join
    instead of one lookup per row. Primary keys and unique constraints are re-added the same way (which
    checks uniqueness over all rows); check constraints and NOT NULL stay in force throughout; a table
    that another table's foreign key references keeps its primary key and unique constraints.

    Everything happens inside the loading transaction: other sessions never see a table without its
    indexes or constraints (they wait on the table lock until commit), and a failure - including a
    constraint that the loaded rows would violate - rolls the drop back together with the data.
    """

    def __init__(self) -> None:
        self.keys: list[tuple[str, str, str]] = []
        self.indexes: list[str] = []
        self.foreign_keys: list[tuple[str, str, str]] = []

    def drop(self, conn: psycopg.Connection[Any]) -> None:
        for spec in TABLES:
            rel = spec.name
            for name, definition in conn.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY oid",
                (rel,),
            ).fetchall():
                self.foreign_keys.append((rel, name, definition))
                conn.execute(_alter(rel, "DROP CONSTRAINT {}", name))
            for (definition,) in conn.execute(
                """
                SELECT pg_get_indexdef(i.indexrelid)
                  FROM pg_index i
                 WHERE i.indrelid = to_regclass(%s)
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                 ORDER BY i.indexrelid
                """,
                (rel,),
            ).fetchall():
                self.indexes.append(definition)
            for (name,) in conn.execute(
                """
                SELECT i.indexrelid::regclass::text FROM pg_index i
                 WHERE i.indrelid = to_regclass(%s)
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                """,
                (rel,),
            ).fetchall():
                conn.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
            referenced = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = to_regclass(%s))", (rel,)
            ).fetchone()
            if referenced is not None and referenced[0]:
                continue
            for name, definition in conn.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u') ORDER BY contype, oid",
                (rel,),
            ).fetchall():
                self.keys.append((rel, name, definition))
                conn.execute(_alter(rel, "DROP CONSTRAINT {}", name))

    def restore(self, conn: psycopg.Connection[Any]) -> None:
        for rel, name, definition in self.keys:
            conn.execute(_alter(rel, "ADD CONSTRAINT {} " + _literal_braces(definition), name))
        for definition in self.indexes:
            conn.execute(definition)
        for rel, name, definition in self.foreign_keys:
            conn.execute(_alter(rel, "ADD CONSTRAINT {} " + _literal_braces(definition), name))


def _literal_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _alter(table: str, action: str, name: str) -> sql.Composed:
    return sql.SQL("ALTER TABLE {} " + action).format(sql.Identifier(table), sql.Identifier(name))
