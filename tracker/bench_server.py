"""Where a flushed row's time goes: the same rows COPY-ed into variants of ``content_interaction``.

Why: the tracker's rows/s is the slower of its Python side (building rows, formatting them) and the
server's (parsing, heap insert, index upkeep, the foreign-key check, WAL). Each variant below is one COPY
of the same normalized rows, in one transaction, measuring wall time, this process's CPU, the server
backend's CPU (``/proc/<pid>/stat`` of ``pg_backend_pid()``, when the server runs on this machine) and
the WAL written:

* the platform's table as it is (9 indexes + the ``auth_user`` foreign key), binary and text COPY;
* copies of it without the foreign key, with only the primary key and ``uid`` unique, with no index;
* the conflict-safe path: binary COPY into a temporary table, then ``INSERT ... ON CONFLICT (uid) DO
  NOTHING`` into the real table (what replays use).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import psycopg

from tracker import binary, build
from tracker.normalize import Notes
from tracker.rows import line, new_uid
from tracker.tables import CONTENT_INTERACTION

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class Variant:
    name: str
    rows: int
    seconds: float
    rows_per_s: float
    client_cpu_us_per_row: float
    server_cpu_us_per_row: float | None
    wal_bytes_per_row: float


def sample_rows(n: int, users: int) -> list[list[object]]:
    """``n`` content_interaction rows as the flusher builds them (a feed impression each)."""
    now = time.time()
    out = []
    for i in range(n):
        meta = {"run": "server", "seq": i, "source": "feed_view", "algorithm": "analytics_based"}
        args = (1 + (i * 7919) % users, "post", f"{i % 5000:032x}", "view", None, None, None, None, meta, None)
        out.append(build.content_interaction(new_uid(), now, args)[1])
    return out


def _backend_cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14, 15 of the full line)


def _variant_table(conn: psycopg.Connection[Any], name: str, kind: str) -> str:
    if kind == "real":
        return "content_interaction"
    conn.execute(f"DROP TABLE IF EXISTS {name}")
    if kind == "no_fk":
        conn.execute(f"CREATE TABLE {name} (LIKE content_interaction INCLUDING ALL)")  # LIKE copies no FK
    elif kind == "keys_only":
        conn.execute(f"CREATE TABLE {name} (LIKE content_interaction INCLUDING DEFAULTS INCLUDING IDENTITY "
                     "INCLUDING CONSTRAINTS)")
        conn.execute(f"ALTER TABLE {name} ADD PRIMARY KEY (id), ADD UNIQUE (uid)")
    else:
        conn.execute(f"CREATE TABLE {name} (LIKE content_interaction INCLUDING DEFAULTS INCLUDING IDENTITY)")
    conn.commit()
    return name


def _measure(conn: psycopg.Connection[Any], name: str, rows: list[list[object]], run: Any) -> Variant:
    pid = conn.info.backend_pid
    lsn0 = conn.execute("SELECT pg_current_wal_lsn()").fetchone()
    conn.commit()
    s0, c0, t0 = _backend_cpu(pid), time.process_time(), time.perf_counter()
    with conn.cursor() as cur:
        run(cur)
    conn.commit()
    t1, c1, s1 = time.perf_counter(), time.process_time(), _backend_cpu(pid)
    row = conn.execute("SELECT pg_current_wal_lsn() - %s::pg_lsn", (lsn0[0] if lsn0 else "0/0",)).fetchone()
    conn.commit()
    n = len(rows)
    server = None if s0 is None or s1 is None else round((s1 - s0) / n * 1e6, 1)
    return Variant(name, n, round(t1 - t0, 2), round(n / (t1 - t0)), round((c1 - c0) / n * 1e6, 1), server,
                   round(float(row[0]) / n if row else 0.0))


def server_split(url: str, rows: int = 50_000, users: int = 10_000) -> list[Variant]:
    """Every variant, each with freshly built rows (new uids) of the same shape."""
    out: list[Variant] = []
    t = CONTENT_INTERACTION
    with psycopg.connect(url) as conn:
        binary.register(conn)

        def copy_into(target: str, batch: list[list[object]]) -> Any:
            return lambda cur: binary.copy_rows(cur, target, t, batch)

        def text_into(target: str, batch: list[list[object]]) -> Any:
            def run(cur: psycopg.Cursor[Any]) -> None:
                notes = Notes()
                with cur.copy(f"COPY {target} ({t.quoted_columns}) FROM STDIN") as copy:
                    for values in batch:
                        copy.write(line(t, values, notes)[0])
            return run

        def staged(batch: list[list[object]]) -> Any:
            def run(cur: psycopg.Cursor[Any]) -> None:
                cur.execute("CREATE TEMP TABLE IF NOT EXISTS _split_stage ON COMMIT DELETE ROWS AS "
                            f"SELECT {t.quoted_columns} FROM content_interaction WITH NO DATA")
                binary.copy_rows(cur, "_split_stage", t, batch)
                cur.execute(f"INSERT INTO content_interaction ({t.quoted_columns}) SELECT {t.quoted_columns} "
                            "FROM _split_stage ON CONFLICT (uid) DO NOTHING")
            return run

        plan = [
            ("binary COPY, the platform's table (9 indexes + FK)", "real", "binary"),
            ("text COPY, the platform's table (9 indexes + FK)", "real", "text"),
            ("binary COPY into a temp table + INSERT ... ON CONFLICT (uid) DO NOTHING", "real", "staged"),
            ("binary COPY, same indexes, no FK", "no_fk", "binary"),
            ("binary COPY, primary key + uid unique only", "keys_only", "binary"),
            ("binary COPY, no index, no FK", "bare", "binary"),
        ]
        for label, kind, how in plan:
            target = _variant_table(conn, f"_split_{kind}", kind)
            batch = sample_rows(rows, users)
            run = staged(batch) if how == "staged" else (text_into if how == "text" else copy_into)(target, batch)
            out.append(_measure(conn, label, batch, run))
            if kind != "real":
                conn.execute(f"DROP TABLE {target}")
                conn.commit()
    return out


def format_split(variants: list[Variant]) -> str:
    lines = ["where a row's time goes (one connection, one COPY of the same rows per variant):"]
    for v in variants:
        server = "n/a" if v.server_cpu_us_per_row is None else f"{v.server_cpu_us_per_row} µs"
        lines.append(f"  {v.name}: {v.rows_per_s} rows/s; CPU per row: client {v.client_cpu_us_per_row} µs, "
                     f"server {server}; WAL {v.wal_bytes_per_row:.0f} B/row")
    return "\n".join(lines)
