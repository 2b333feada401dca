"""`db init`: create the activity tables where absent, and check an existing platform database."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import psycopg
from psycopg import sql

ACTIVITY_TABLES = (
    "user_activity",
    "content_interaction",
    "social_interaction",
    "profile_activity",
    "media_interaction",
    "session_activity",
    "activity_aggregation",
    "vibe_activity",
)

# Types the layer can read interchangeably (a platform column may be wider than ours).
_FAMILIES = (
    {"smallint", "integer", "bigint"},
    {"text", "character varying", "character"},
    {"real", "double precision", "numeric"},
    {"json", "jsonb"},
)


def sql_file(name: str) -> str:
    return resources.files("activity").joinpath("sql").joinpath(name).read_text()


@dataclass(frozen=True)
class SchemaProblem:
    """One way an existing table differs from what the layer reads."""

    table: str
    column: str | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{where}: {self.problem}"


class SchemaMismatch(RuntimeError):
    """The database has the tables but not in a shape the layer can read."""

    def __init__(self, problems: list[SchemaProblem]) -> None:
        self.problems = problems
        lines = "\n  ".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} schema mismatch(es):\n  {lines}")


def compatible(expected: str, actual: str) -> bool:
    if expected == actual:
        return True
    return any(expected in fam and actual in fam for fam in _FAMILIES)


Columns = dict[str, dict[str, str]]


def _columns(conn: psycopg.Connection[tuple[object, ...]], schema: str) -> Columns:
    rows = conn.execute(
        """SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = %s AND table_name = ANY(%s)""",
        (schema, list(ACTIVITY_TABLES)),
    ).fetchall()
    out: Columns = {}
    for table, column, dtype in rows:
        out.setdefault(str(table), {})[str(column)] = str(dtype)
    return out


def expected_columns(conn: psycopg.Connection[tuple[object, ...]]) -> Columns:
    """The columns our DDL creates, read back by applying it to a scratch schema and rolling back.

    Deriving them from the DDL itself keeps one source of truth for the table shapes.
    """
    with conn.transaction(force_rollback=True):
        conn.execute("CREATE SCHEMA ag_expected")
        conn.execute("SET LOCAL search_path TO ag_expected")
        conn.execute(sql_file("schema.sql"))
        return _columns(conn, "ag_expected")


def check_schema(conn: psycopg.Connection[tuple[object, ...]], schema: str = "public") -> list[SchemaProblem]:
    """Every missing table or column, and every column whose type the layer cannot read."""
    expected = expected_columns(conn)
    actual = _columns(conn, schema)
    problems: list[SchemaProblem] = []
    for table in ACTIVITY_TABLES:
        if table not in actual:
            problems.append(SchemaProblem(table, None, "table is missing"))
            continue
        for column, dtype in expected.get(table, {}).items():
            got = actual[table].get(column)
            if got is None:
                problems.append(SchemaProblem(table, column, f"column is missing (expected {dtype})"))
            elif not compatible(dtype, got):
                problems.append(SchemaProblem(table, column, f"type {got} is not compatible with {dtype}"))
    return problems


@dataclass(frozen=True)
class InitReport:
    created: list[str]
    existing: list[str]


def init_schema(
    conn: psycopg.Connection[tuple[object, ...]], *, extra_indexes: bool = True, reader_role: str | None = None
) -> InitReport:
    """Create what is absent (IF NOT EXISTS throughout), then check everything the layer reads.

    `reader_role`, the sync's read-only role, may read every table and write only the quarantine.
    """
    before = set(_columns(conn, "public"))
    with conn.transaction():
        conn.execute(sql_file("schema.sql"))
        conn.execute(sql_file("layer_tables.sql"))
        if extra_indexes:
            conn.execute(sql_file("indexes.sql"))
        if reader_role:
            role = sql.Identifier(reader_role)
            conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(role))
            conn.execute(sql.SQL("GRANT INSERT ON activity_graph_quarantine TO {}").format(role))
            conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE activity_graph_quarantine_id_seq TO {}").format(role))
    problems = check_schema(conn)
    if problems:
        raise SchemaMismatch(problems)
    return InitReport(
        created=[t for t in ACTIVITY_TABLES if t not in before],
        existing=[t for t in ACTIVITY_TABLES if t in before],
    )
