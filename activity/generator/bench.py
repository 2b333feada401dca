"""The generator benchmark (a command, not a test): rows/s into Postgres at a given size.

By default it creates a scratch database (unique name) next to the configured one, creates the
activity schema there (`activity-graph db init`'s DDL), generates, prints the report and drops the
database, so every run starts from the same state. `python -m activity.generator.bench --help`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Sequence
from typing import Any, cast

import psycopg
from psycopg import sql

from .core import IndexMode, generate
from .report import GenerationProgress, GenerationReport


def _with_db(url: str, dbname: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{dbname}"


def run_benchmark(
    admin_url: str,
    users: int,
    days: int,
    seed: int = 1,
    *,
    index_mode: IndexMode = "auto",
    workers: int = 2,
    scratch: bool = True,
    progress: bool = True,
) -> GenerationReport:
    """Generate (users x days) into a fresh scratch database (or into `admin_url` itself) and report."""
    name = f"ag_bench_{uuid.uuid4().hex[:10]}"
    target = _with_db(admin_url, name) if scratch else admin_url
    if scratch:
        from activity.schema import init_schema

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        with psycopg.connect(target, autocommit=True) as conn:
            init_schema(conn)
    try:
        with psycopg.connect(target, autocommit=True) as conn:
            if _is_superuser(conn):
                conn.execute("CHECKPOINT")  # start without a backlog of dirty buffers

        def show(p: GenerationProgress) -> None:
            print(
                f"\r  day {p.day}/{p.days}: {p.rows:,} rows, {p.rows_per_second:,.0f} rows/s", end="", file=sys.stderr
            )

        report = generate(
            target, users, days, seed, index_mode=index_mode, workers=workers, progress=show if progress else None
        )
        if progress:
            print(file=sys.stderr)
        return report
    finally:
        if scratch:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _is_superuser(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    return bool(row and row[0])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m activity.generator.bench", description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--index-mode", choices=["auto", "keep", "rebuild"], default="auto")
    parser.add_argument("--workers", type=int, default=2, help="COPY connections in keep mode")
    parser.add_argument("--database-url", help="admin URL (default: the settings' DATABASE_URL)")
    parser.add_argument(
        "--no-scratch", action="store_true", help="load into --database-url itself (its tables must exist)"
    )
    args = parser.parse_args(argv)
    url = args.database_url or os.environ.get("DATABASE_URL")
    if not url:
        from graph.settings import get_settings

        url = get_settings().database_url.get_secret_value()
    started = time.perf_counter()
    report = run_benchmark(
        url,
        args.users,
        args.days,
        args.seed,
        index_mode=cast(IndexMode, args.index_mode),
        workers=args.workers,
        scratch=not args.no_scratch,
    )
    print(report.summary())
    print(f"benchmark wall time {time.perf_counter() - started:.1f} s (incl. scratch database set-up)")
    print(f"ROWS_PER_SECOND {report.rows_per_second:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
