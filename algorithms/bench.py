"""The user-similarity benchmark (a command, not a test): the job's two engines vs the write-up's SQL vs Python.

``bench_user_similarity(sizes, sql_sizes, days, seed)`` runs, for each size (number of users), in one run:

1. **Data.** The generator (`activity.generator.generate`) fills a scratch Postgres database with
   ``days`` of activity; the platform's Users/Community nodes are put in an emptied graph; then
   ``content_interaction`` only (the table the SQL reads) becomes the ``ENGAGED_WITH`` graph, by default
   written directly from an aggregation in Postgres with the sync's rules, weights and decay
   (`ENGAGEMENT_SQL`, `load_direct`: the sync is too slow to load 100k users in a benchmark's time), or by
   the sync itself (`load="sync"`). Loading is timed but belongs to none of the ways.
2. **SQL** (sizes in ``sql_sizes``): the write-up's user-similarity query (section 4.1;
   ``activity/sql/bench_user_similarity.sql``: HAVING spells the sum out, NOW() is the generator's end),
   run in Postgres on the same rows, every result row fetched through a server-side cursor.
3. **GDS** (up to ``gds_max_users``): the ``user_similarity`` job end to end with ``similarity_engine='gds'``
   (`algorithms.run_job`: count, memory estimate, projection, ``gds.nodeSimilarity``, write-back of
   ``SIMILAR_TO``, publish, drop), with the same reference time.
4. **Sharing**: the same job with ``similarity_engine='sharing'`` (the default; `algorithms.sharing`): memory
   check, read of the decayed weights per content, numpy over the pairs that share a content, write-back,
   publish. Its top-K scores are checked against GDS's where both ran.
5. **Plain Python** (`algorithms.bench_naive`): the same weighted Jaccard and top K over the same decayed
   per-user vectors (read from Neo4j with the projection's own aggregation); single process. With
   ``python_budget_s`` it stops after that much compute and scales the time by the share of users done
   (users taken in a random order, each user's row being independent): such times are marked estimated.
   Its top-K scores are checked against what the sharing engine wrote.

The SQL way grows quadratically and is only run where it finishes; its times are fitted with a power law
``t = c * n^b`` (least squares on log t against log n) and extrapolated to the larger sizes. The report also
gives each way's growth exponent.

It wipes the configured Neo4j database: point NEO4J_URI at a scratch server. Run:
``activity-graph bench similarity --yes`` (see `bench_similarity_cmd`).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import signal
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import psycopg
import typer
from psycopg import sql
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from activity.db import admin_url
from activity.generator import generate
from activity.generator.config import DEFAULT_END
from activity.schema import init_schema, sql_file
from activity_graph.platform_seed import seed_platform_nodes
from algorithms.bench_naive import NaiveRun, weighted_jaccard_top_k
from algorithms.config import SimilarityEngine, algorithm_config
from algorithms.cypher_text import statement
from algorithms.jobs import run_job
from algorithms.runs import RunOutcome
from algorithms.user_similarity import EngagementSimilarityParams, SimilarityResult
from graph.connection import get_driver
from graph.schema import init_graph_schema
from graph.settings import Settings, get_settings
from sync.runner import sync_until_caught_up

__all__ = [
    "BenchReport",
    "PowerFit",
    "SizeResult",
    "bench_similarity_cmd",
    "bench_user_similarity",
    "fit_power_law",
    "local_exponents",
]

DEFAULT_SIZES = (1000, 2000, 4000, 10_000, 100_000)
DEFAULT_SQL_SIZES = (1000, 2000, 4000)
TARGET_SPEEDUP = 50.0
SCORE_TOLERANCE = 1e-9


# ---------------------------------------------------------------- growth fits


@dataclass(frozen=True)
class PowerFit:
    """``t = coefficient * n ** exponent``, fitted by least squares on (log n, log t)."""

    coefficient: float
    exponent: float
    r_squared: float
    points: int

    def predict(self, n: float) -> float:
        return float(self.coefficient * n**self.exponent)

    def describe(self) -> str:
        return f"t = {self.coefficient:.3g} * n^{self.exponent:.2f} (R^2 {self.r_squared:.3f}, {self.points} points)"


def fit_power_law(xs: Sequence[float], ys: Sequence[float]) -> PowerFit:
    """Ordinary least squares of log y on log x; needs at least two distinct positive x and positive y."""
    if len(xs) != len(ys):
        raise ValueError("xs and ys differ in length")
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len({p[0] for p in pts}) < 2:
        raise ValueError("a power-law fit needs at least two distinct positive sizes")
    n = len(pts)
    mx = sum(p[0] for p in pts) / n
    my = sum(p[1] for p in pts) / n
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
    b = sxy / sxx
    a = my - b * mx
    ss_tot = sum((p[1] - my) ** 2 for p in pts)
    ss_res = sum((p[1] - (a + b * p[0])) ** 2 for p in pts)
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return PowerFit(coefficient=math.exp(a), exponent=b, r_squared=r2, points=n)


def local_exponents(xs: Sequence[float], ys: Sequence[float]) -> list[tuple[float, float, float]]:
    """(n1, n2, log(t2/t1) / log(n2/n1)) between consecutive sizes: how fast it grows at each step."""
    pts = sorted((x, y) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0)
    return [
        (x1, x2, math.log(y2 / y1) / math.log(x2 / x1)) for (x1, y1), (x2, y2) in itertools.pairwise(pts) if x2 > x1
    ]


# ---------------------------------------------------------------- results


@dataclass
class SizeResult:
    """One size's figures. Times in seconds; None where that way did not run."""

    users: int
    content_rows: int = 0
    engagements: int = 0  # ENGAGED_WITH user-content pairs the projection held
    generate_seconds: float = 0.0
    load_seconds: float = 0.0  # the sync of content_interaction into Neo4j (no way's time)
    load_rows_per_s: float = 0.0
    sql_seconds: float | None = None
    sql_rows: int | None = None
    sql_error: str | None = None
    gds_seconds: float | None = None
    gds_phases: dict[str, float] = field(default_factory=dict)
    gds_users_compared: int = 0
    gds_relationships: int = 0
    gds_memory_estimate: str | None = None
    gds_content_cap: int | None = None  # the job's hub cap: most engagers a projected content had
    gds_engaged_users: int = 0  # users with an engagement (the cap's share is a share of them)
    hub_contents: int = 0  # content left out by the cap, and its ENGAGED_WITH edges
    hub_engagements: int = 0
    python_read_seconds: float | None = None
    python_compute_seconds: float | None = None  # measured, or estimated when sampled
    python_index_seconds: float = 0.0
    python_users_done: int = 0
    python_users_total: int = 0
    python_pair_updates: int = 0
    python_estimated: bool = False
    agreement_users: int = 0  # users whose Python top-K scores were compared with GDS's (else the sharing engine's)
    agreement_matching: int = 0
    sharing_seconds: float | None = None  # the job with similarity_engine 'sharing', end to end
    sharing_phases: dict[str, float] = field(default_factory=dict)
    sharing_relationships: int = 0
    sharing_pair_updates: int = 0
    sharing_memory_estimate: str | None = None
    sharing_gds_users: int = 0  # users whose sharing top-K scores were compared with GDS's
    sharing_gds_matching: int = 0
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)  # os.getloadavg() before this size

    @property
    def python_seconds(self) -> float | None:
        """Read + compute (compute estimated when sampled)."""
        if self.python_read_seconds is None or self.python_compute_seconds is None:
            return None
        return self.python_read_seconds + self.python_compute_seconds


@dataclass
class BenchReport:
    """Every size's figures, the SQL fit, and each way's growth."""

    sizes: list[int]
    sql_sizes: list[int]
    days: int
    seed: int
    top_k: int
    reference_time: datetime
    concurrency: int | None = None
    max_content_share: float | None = None
    results: list[SizeResult] = field(default_factory=list)
    cpu_count: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    # -- derived figures

    def sql_fit(self) -> PowerFit | None:
        pts = [(r.users, r.sql_seconds) for r in self.results if r.sql_seconds]
        if len({n for n, _ in pts}) < 2:
            return None
        return fit_power_law([float(n) for n, _ in pts], [float(t) for _, t in pts if t])

    def sql_quadratic(self) -> PowerFit | None:
        """``t = c * n^2`` through the largest measured SQL size (the textbook growth of the self-join)."""
        pts = [(r.users, r.sql_seconds) for r in self.results if r.sql_seconds]
        if not pts:
            return None
        n, t = max(pts)
        assert t is not None
        return PowerFit(coefficient=t / n**2, exponent=2.0, r_squared=float("nan"), points=1)

    def sql_seconds_at(self, r: SizeResult) -> tuple[float | None, bool]:
        """(seconds, extrapolated?) for the SQL way at `r`'s size."""
        if r.sql_seconds is not None:
            return r.sql_seconds, False
        fit = self.sql_fit()
        return (fit.predict(r.users), True) if fit else (None, True)

    def growth(self) -> dict[str, PowerFit | None]:
        """Each way's power-law exponent over the sizes it ran at (Python's estimated times included)."""

        def fit(pairs: list[tuple[int, float | None]]) -> PowerFit | None:
            pts = [(float(n), t) for n, t in pairs if t]
            if len({n for n, _ in pts}) < 2:
                return None
            return fit_power_law([n for n, _ in pts], [t for _, t in pts if t])

        return {
            "SQL (measured)": self.sql_fit(),
            "GDS": fit([(r.users, r.gds_seconds) for r in self.results]),
            "Sharing": fit([(r.users, r.sharing_seconds) for r in self.results]),
            "Python": fit([(r.users, r.python_seconds) for r in self.results]),
        }

    def local_growth(self) -> dict[str, list[tuple[float, float, float]]]:
        def loc(pairs: list[tuple[int, float | None]]) -> list[tuple[float, float, float]]:
            pts = [(float(n), t) for n, t in pairs if t]
            return local_exponents([n for n, _ in pts], [t for _, t in pts if t])

        return {
            "SQL": loc([(r.users, r.sql_seconds) for r in self.results]),
            "GDS": loc([(r.users, r.gds_seconds) for r in self.results]),
            "GDS nodeSimilarity phase": loc([(r.users, r.gds_phases.get("nodeSimilarity")) for r in self.results]),
            "Sharing": loc([(r.users, r.sharing_seconds) for r in self.results]),
            "Sharing compute phase": loc([(r.users, r.sharing_phases.get("sharing")) for r in self.results]),
            "Python": loc([(r.users, r.python_seconds) for r in self.results]),
        }

    def top(self, way: str = "sharing") -> SizeResult | None:
        """The largest size `way` ("sharing" or "gds") ran at."""
        done = [r for r in self.results if (r.sharing_seconds if way == "sharing" else r.gds_seconds)]
        return max(done, key=lambda r: r.users) if done else None

    # -- rendering

    def rows(self) -> list[list[str]]:
        out = []
        for r in self.results:
            sql_t, extrapolated = self.sql_seconds_at(r)
            mark = "~" if extrapolated else ""
            py = r.python_seconds
            out.append(
                [
                    f"{r.users:,}",
                    f"{r.content_rows:,}",
                    f"{r.engagements:,}",
                    _secs(sql_t, mark),
                    _secs(r.gds_seconds),
                    _secs(r.sharing_seconds),
                    _secs(py, "~" if r.python_estimated else ""),
                    _ratio(sql_t, r.gds_seconds, mark),
                    _ratio(sql_t, r.sharing_seconds, mark),
                    _ratio(r.gds_seconds, r.sharing_seconds),
                    _ratio(py, r.sharing_seconds, "~" if r.python_estimated else ""),
                    _phases(r.gds_phases),
                    _phases(r.sharing_phases),
                    _matched(r.sharing_gds_matching, r.sharing_gds_users),
                    _matched(r.agreement_matching, r.agreement_users),
                ]
            )
        return out

    HEADERS = (
        "users",
        "content rows",
        "ENGAGED_WITH projected",
        "SQL s",
        "GDS s",
        "Sharing s",
        "Python s",
        "GDS vs SQL",
        "Sharing vs SQL",
        "Sharing vs GDS",
        "Sharing vs Python",
        "GDS phases (s)",
        "Sharing phases (s)",
        "Sharing = GDS",
        "Python = Sharing",
    )

    def table(self) -> Table:
        t = Table(*self.HEADERS, title=f"user similarity, {self.days} days of activity, top {self.top_k}")
        for row in self.rows():
            t.add_row(*row)
        return t

    def fit_lines(self) -> list[str]:
        lines: list[str] = []
        fit = self.sql_fit()
        quad = self.sql_quadratic()
        if fit is not None:
            lines.append(f"SQL fit over {', '.join(f'{n:,}' for n in self.sql_sizes)} users: {fit.describe()}")
        for way, name in (("sharing", "the sharing engine"), ("gds", "GDS nodeSimilarity")):
            top = self.top(way)
            seconds = None if top is None else (top.sharing_seconds if way == "sharing" else top.gds_seconds)
            if top is None or fit is None or not seconds:
                continue
            sql_t = self.sql_seconds_at(top)[0]
            if sql_t is not None:
                speed = sql_t / seconds
                verdict = "meets" if speed >= TARGET_SPEEDUP else "misses"
                lines.append(
                    f"at {top.users:,} users: SQL ~{_human(sql_t)} (fit) vs {name} {_human(seconds)}: "
                    f"{speed:,.0f}x ({verdict} the {TARGET_SPEEDUP:.0f}x target)"
                )
            if quad is not None:
                q = quad.predict(top.users)
                lines.append(
                    f"  with exactly n^2 from the largest measured SQL size: SQL ~{_human(q)}, {q / seconds:,.0f}x"
                )
        for name, g in self.growth().items():
            if g is not None:
                lines.append(f"growth, {name}: {g.describe()}")
        for name, steps in self.local_growth().items():
            if steps:
                lines.append(
                    f"step exponents, {name}: " + ", ".join(f"{a:,.0f}->{b:,.0f}: {e:.2f}" for a, b, e in steps)
                )
        return lines

    def detail_lines(self) -> list[str]:
        lines = []
        for r in self.results:
            py = (
                f"Python read {_secs(r.python_read_seconds)} s, index {r.python_index_seconds:.1f} s, compute "
                f"{_secs(r.python_compute_seconds)} s"
                + (
                    f" (estimated from {r.python_users_done:,} of {r.python_users_total:,} users)"
                    if r.python_estimated
                    else f" ({r.python_users_total:,} users)"
                )
                + f", {r.python_pair_updates:,} pair updates"
                if r.python_compute_seconds is not None
                else "Python not run"
            )
            sql_part = (
                f"SQL {r.sql_rows:,} rows; "
                if r.sql_rows is not None
                else (f"SQL {r.sql_error}; " if r.sql_error else "")
            )
            lines.append(
                f"{r.users:,} users: generated in {r.generate_seconds:.0f} s; {r.content_rows:,} rows loaded in "
                f"{r.load_seconds:.0f} s ({r.load_rows_per_s:,.0f} rows/s); hub cap "
                f"{r.gds_content_cap if r.gds_content_cap is not None else 'none'} engagers of "
                f"{r.gds_engaged_users:,} users ({r.hub_contents:,} content, {r.hub_engagements:,} ENGAGED_WITH left "
                "out); "
                + (
                    f"GDS compared {r.gds_users_compared:,} users, wrote {r.gds_relationships:,} SIMILAR_TO, memory "
                    f"{r.gds_memory_estimate}; "
                    if r.gds_seconds is not None
                    else "GDS not run; "
                )
                + (
                    f"sharing wrote {r.sharing_relationships:,} SIMILAR_TO after {r.sharing_pair_updates:,} pair "
                    f"updates, memory {r.sharing_memory_estimate}; "
                    if r.sharing_seconds is not None
                    else ""
                )
                + f"{py}; {sql_part}load average before "
                f"{r.load_average[0]:.1f}/{r.load_average[1]:.1f}/{r.load_average[2]:.1f}"
            )
        return lines

    def markdown(self) -> str:
        head = "| " + " | ".join(self.HEADERS) + " |"
        sep = "|" + "|".join("---" for _ in self.HEADERS) + "|"
        body = ["| " + " | ".join(row) + " |" for row in self.rows()]
        return "\n".join([head, sep, *body])

    def print(self, console: Console | None = None) -> None:
        c = console or Console()
        c.print(self.table())
        for line in self.fit_lines():
            c.print(line)
        for line in self.detail_lines():
            c.print(f"  {line}")
        for note in self.notes:
            c.print(f"  note: {note}")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["reference_time"] = self.reference_time.isoformat()
        return d


def _secs(t: float | None, mark: str = "") -> str:
    if t is None:
        return "-"
    return f"{mark}{t:,.0f}" if t >= 100 else f"{mark}{t:.2f}" if t < 10 else f"{mark}{t:.1f}"


def _ratio(a: float | None, b: float | None, mark: str = "") -> str:
    if a is None or not b:
        return "-"
    return f"{mark}{a / b:,.1f}x" if a / b < 10 else f"{mark}{a / b:,.0f}x"


def _human(t: float) -> str:
    if t >= 3600:
        return f"{t / 3600:.1f} h"
    if t >= 120:
        return f"{t / 60:.1f} min"
    return f"{t:.1f} s"


def _phases(p: dict[str, float]) -> str:
    short = {
        "count+estimate": "est",
        "project": "proj",
        "nodeSimilarity": "sim",
        "read": "read",
        "sharing": "share",
        "write": "write",
        "publish": "pub",
        "clean-up": "clean",
        "setup": "setup",
    }
    return " ".join(f"{short.get(k, k)} {v:.1f}" for k, v in p.items() if v >= 0.05)


def _matched(matching: int, users: int) -> str:
    return f"{matching:,}/{users:,}" if users else "-"


# ---------------------------------------------------------------- the steps


class PhaseTimer:
    """A progress sink recording when each step of the job began; phases = the gaps between steps."""

    PHASES = (
        ("estimate memory", "count+estimate"),
        ("project", "project"),
        ("nodeSimilarity", "nodeSimilarity"),
        ("read weights", "read"),
        ("sharing similarity", "sharing"),
        ("write SIMILAR_TO", "write"),
        ("publish", "publish"),
        ("delete previous", "clean-up"),
        ("done", "done"),
    )

    def __init__(self, console: Console | None = None, label: str = "GDS") -> None:
        self.label = label
        self.start = time.perf_counter()
        self.marks: list[tuple[str, float]] = []
        self.console = console
        self.shown = -1

    def step(self, job: str, description: str) -> None:
        name = next((p for prefix, p in self.PHASES if description.startswith(prefix)), description)
        now = time.perf_counter()
        self.marks.append((name, now))
        self.shown = -1
        if self.console is not None and name != "done":
            self.console.print(f"  {self.label} [{now - self.start:7.1f} s] {description}")

    def fraction(self, job: str, done: float) -> None:
        """Show GDS's own progress of the running procedure, every 10%."""
        tenth = int(done * 10)
        if self.console is not None and tenth > self.shown:
            self.shown = tenth
            self.console.print(f"  {self.label} [{time.perf_counter() - self.start:7.1f} s]   {done:.0%}")

    def phases(self, end: float) -> dict[str, float]:
        out: dict[str, float] = {}
        if self.marks:
            out["setup"] = self.marks[0][1] - self.start
        for (name, t), nxt in zip(self.marks, [*self.marks[1:], ("end", end)], strict=True):
            if name != "done":
                out[name] = out.get(name, 0.0) + nxt[1] - t
        return out


def _scratch_database(admin: str) -> tuple[str, str]:
    name = f"ag_bench_sim_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as c:
        init_schema(c)
    return name, url


def _drop_database(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def hub_content(settings: Settings, max_engagers: int | None) -> tuple[int, int]:
    """(content, ENGAGED_WITH edges) the job's hub cap left out."""
    if max_engagers is None:
        return 0, 0
    records, _, _ = get_driver(settings).execute_query(
        statement("bench_hub_content", settings), max_engagers=max_engagers, database_=settings.neo4j_database
    )
    return (int(records[0]["contents"]), int(records[0]["engagements"])) if records else (0, 0)


def wipe_graph(settings: Settings) -> None:
    """Delete every node of the configured Neo4j database."""
    with get_driver(settings).session(database=settings.neo4j_database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


# The direct loader's aggregation: what the sync makes of content_interaction rows, folded per
# (user, content) in Postgres. Same rules as sync.mapping.content for the rows that become ENGAGED_WITH:
# no connection rows, no session observations, no feed impressions (view with metadata.source = feed_view);
# contribution = weight[interaction_type] + time bonus + scroll bonus (sync.weights); rows the sync would
# quarantine for a bad duration, scroll depth, future timestamp or a platform type's non-uid id are left out.
# weight = sum c * 2^(-(T - t) / half-life) with T = the pair's latest row (the sync's closed form), computed
# against the reference time to stay in range; platform ids lower-cased as the sync's hex32 does.
ENGAGEMENT_SQL = """
WITH rows AS (
    SELECT user_id, content_type,
           CASE WHEN content_type = ANY(%(platform_types)s) THEN lower(btrim(content_id)) ELSE content_id END
               AS content_id,
           "timestamp" AS at,
           COALESCE((%(weights)s::jsonb ->> interaction_type)::float8, %(default_weight)s)
           + CASE WHEN duration_seconds > 0
                  THEN LEAST(duration_seconds / 60.0, %(time_cap)s) * %(time_per_minute)s ELSE 0 END
           + CASE WHEN scroll_depth_percentage > 0
                  THEN scroll_depth_percentage / 100.0 * %(scroll_full)s ELSE 0 END AS c
    FROM content_interaction
    WHERE content_type <> 'connection'
      AND NOT (content_type = 'session' AND interaction_type = 'session_data')
      AND NOT (interaction_type = 'view' AND metadata ->> 'source' = 'feed_view')
      AND (duration_seconds IS NULL OR duration_seconds BETWEEN 0 AND %(max_duration)s)
      AND (scroll_depth_percentage IS NULL OR scroll_depth_percentage BETWEEN 0 AND 100)
      AND "timestamp" <= updated_at + make_interval(secs => %(max_skew)s)
      AND (content_type <> ALL(%(platform_types)s) OR content_id ~ '^\\s*[0-9a-fA-F]{32}\\s*$')
)
SELECT user_id::text AS u, content_type AS t, content_id AS i,
       sum(c * power(2.0, extract(epoch FROM at - %(ref)s) / %(hl)s))
         * power(2.0, extract(epoch FROM %(ref)s - max(at)) / %(hl)s) AS w,
       max(at) AS at, count(*) AS n
FROM rows
GROUP BY user_id, content_type, content_id
"""


def load_direct(url: str, settings: Settings, reference_time: datetime, batch: int = 20_000) -> int:
    """ENGAGED_WITH from `ENGAGEMENT_SQL`'s rows in UNWIND batches (content MERGEd, edges CREATEd); rows written."""
    from sync.mapping import MappingConfig

    cfg = MappingConfig.from_settings(settings)
    w = cfg.weights
    params: dict[str, Any] = {
        "platform_types": list(cfg.content_labels),
        "weights": json.dumps(dict(w.content)),
        "default_weight": w.content_default,
        "time_cap": w.time_bonus_cap_minutes,
        "time_per_minute": w.time_bonus_per_minute,
        "scroll_full": w.scroll_bonus_full,
        "max_duration": w.max_duration_seconds,
        "max_skew": w.max_future_skew_seconds,
        "ref": reference_time,
        "hl": w.half_life_seconds,
    }
    driver = get_driver(settings)
    merge_content = statement("bench_merge_content", settings)
    create_edges = statement("bench_create_engagements", settings)
    written = 0
    with psycopg.connect(url) as conn, conn.cursor(name="bench_engagements") as cur:
        cur.itersize = batch
        cur.execute(ENGAGEMENT_SQL, params)
        while chunk := cur.fetchmany(batch):
            rows = [{"u": u, "t": t, "i": i, "w": float(wt), "at": at, "n": int(n)} for u, t, i, wt, at, n in chunk]
            contents = [dict(s) for s in {(("t", r["t"]), ("i", r["i"])) for r in rows}]
            driver.execute_query(merge_content, rows=contents, database_=settings.neo4j_database)
            driver.execute_query(create_edges, rows=rows, database_=settings.neo4j_database)
            written += len(rows)
    return written


def run_sql(url: str, reference_time: datetime, timeout_s: float | None) -> tuple[float, int]:
    """The write-up's query, every row fetched (server-side cursor); (seconds, rows)."""
    text = sql_file("bench_user_similarity.sql")
    with psycopg.connect(url) as conn:
        if timeout_s:
            conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(int(timeout_s * 1000))))
        t0 = time.perf_counter()
        rows = 0
        with conn.cursor(name="bench_user_similarity") as cur:
            cur.itersize = 50_000
            cur.execute(text, {"reference_time": reference_time})
            while batch := cur.fetchmany(50_000):
                rows += len(batch)
        seconds = time.perf_counter() - t0
        conn.rollback()
    return seconds, rows


def read_vectors(
    settings: Settings, params: EngagementSimilarityParams, max_engagers: int | None
) -> tuple[dict[int, dict[int, float]], dict[int, str]]:
    """Each user's decayed weight per content (the projection's aggregation, with the job's hub cap
    `max_engagers`), keys interned to ints; and the user keys of those ints."""
    config = algorithm_config(settings)
    resolved = params.resolved(config, params.reference_time)
    users: dict[str, int] = {}
    items: dict[str, int] = {}
    vectors: dict[int, dict[int, float]] = {}
    with get_driver(settings).session(database=settings.neo4j_database) as session:
        result = session.run(
            statement("bench_user_content_vectors", settings),
            now=resolved.reference_time,
            half_life_seconds=resolved.half_life_seconds,
            max_engagers=max_engagers,
        )
        for record in result:
            u = users.setdefault(str(record["user"]), len(users))
            i = items.setdefault(str(record["item"]), len(items))
            vectors.setdefault(u, {})[i] = float(record["weight"])
    return vectors, {v: k for k, v in users.items()}


def gds_scores(settings: Settings, run_id: str) -> dict[str, list[float]]:
    """Each user's written SIMILAR_TO scores of one run, best first."""
    out: dict[str, list[float]] = {}
    with get_driver(settings).session(database=settings.neo4j_database) as session:
        for record in session.run(statement("bench_similar_scores", settings), run_id=run_id, source="engagement"):
            out.setdefault(str(record["user"]), []).append(float(record["score"]))
    for scores in out.values():
        scores.sort(reverse=True)
    return out


def compare_scores(
    python: dict[int, list[tuple[int, float]]], keys: dict[int, str], gds: dict[str, list[float]]
) -> tuple[int, int]:
    """(users compared, users whose top-K score lists agree within SCORE_TOLERANCE)."""
    compared = matching = 0
    for user, row in python.items():
        mine = sorted((s for _, s in row), reverse=True)
        theirs = gds.get(keys[user], [])
        compared += 1
        if len(mine) == len(theirs) and all(
            abs(a - b) <= SCORE_TOLERANCE * max(1.0, abs(a)) for a, b in zip(mine, theirs, strict=True)
        ):
            matching += 1
    return compared, matching


def compare_score_lists(a: dict[str, list[float]], b: dict[str, list[float]]) -> tuple[int, int]:
    """(users in either, users whose best-first score lists agree within SCORE_TOLERANCE in both)."""
    users = a.keys() | b.keys()
    matching = 0
    for user in users:
        mine, theirs = a.get(user, []), b.get(user, [])
        if len(mine) == len(theirs) and all(
            abs(x - y) <= SCORE_TOLERANCE * max(1.0, abs(x)) for x, y in zip(mine, theirs, strict=True)
        ):
            matching += 1
    return len(users), matching


def clear_similar(settings: Settings) -> None:
    """Delete every SIMILAR_TO (untimed), so a timed run's clean-up never deletes another run's edges."""
    with get_driver(settings).session(database=settings.neo4j_database) as session:
        session.run("MATCH ()-[s:SIMILAR_TO]->() CALL (s) { DELETE s } IN TRANSACTIONS OF 10000 ROWS").consume()


# ---------------------------------------------------------------- the benchmark


def bench_user_similarity(
    sizes: Sequence[int] = DEFAULT_SIZES,
    sql_sizes: Sequence[int] = DEFAULT_SQL_SIZES,
    days: int = 3,
    seed: int = 7,
    *,
    settings: Settings | None = None,
    top_k: int | None = None,
    concurrency: int | None = None,
    max_content_share: float | None = None,
    python_budget_s: float | None = 300.0,
    gds_max_users: int | None = None,
    sql_timeout_s: float | None = 1800.0,
    load: Literal["direct", "sync"] = "direct",
    warm_up: bool = True,
    sync_batch_size: int = 50_000,
    console: Console | None = None,
    on_size: Callable[[BenchReport], None] | None = None,
) -> BenchReport:
    """Generate, load and time the three ways at every size (SQL only at `sql_sizes`); see the module doc.

    Wipes the Neo4j database of `settings`. Each size gets its own scratch Postgres database, dropped
    after. `load`: "direct" writes ENGAGED_WITH from an aggregation in Postgres (fast; `ENGAGEMENT_SQL`),
    "sync" runs the real sync of content_interaction (about 10x slower to load). `concurrency` and
    `max_content_share`: the job's parameters (None: its defaults, GDS's concurrency 4 and the setting
    gds_similarity_max_content_share). The job runs with each engine, GDS's first (`gds_max_users`: only
    up to that size; None: every size); every SIMILAR_TO is deleted (untimed) before each timed run, so no
    run's clean-up deletes another's edges. `warm_up`: run each engine's job once untimed at the first size,
    so JIT compilation is not charged to it. `python_budget_s`: compute time the Python way may spend per
    size before its time is estimated from the share done (None: always run it to the end). `on_size` is
    called with the report so far after each size (to save partial results of a long run).
    """
    c = console or Console()
    base = settings or get_settings()
    admin = admin_url(base)
    config = algorithm_config(base)
    k = top_k or config.user_top_k
    reference = DEFAULT_END
    all_sizes = sorted(set(sizes) | set(sql_sizes))
    report = BenchReport(
        sizes=list(all_sizes),
        sql_sizes=sorted(sql_sizes),
        days=days,
        seed=seed,
        top_k=k,
        reference_time=reference,
        concurrency=concurrency,
        max_content_share=max_content_share or config.max_content_share,
        cpu_count=os.cpu_count() or 0,
    )
    report.notes.append(
        f"machine: {report.cpu_count} CPUs; Neo4j {base.neo4j_uri}; content_interaction only (the table the "
        + (
            "SQL reads) loaded into ENGAGED_WITH by the sync"
            if load == "sync"
            else "SQL reads) loaded into ENGAGED_WITH directly: aggregated per (user, content) in Postgres with the "
            "sync's weights and decay, written in UNWIND batches (ENGAGEMENT_SQL)"
        )
        + "; Python reads the projection's own decayed vectors from Neo4j"
    )
    if warm_up:
        report.notes.append(
            "one untimed run of the job with each engine at the first size warms the server up (JIT); every "
            "SIMILAR_TO is deleted (untimed) before each timed run"
        )
    t_start = time.perf_counter()
    init_graph_schema(base)
    for n in all_sizes:
        r = SizeResult(users=n, load_average=os.getloadavg())
        c.rule(f"{n:,} users")
        name, url = _scratch_database(admin)
        s = base.model_copy(update={"database_url": SecretStr(url), "sync_database_url": SecretStr(url)})
        try:
            t0 = time.perf_counter()
            generate(url, n, days, seed)
            r.generate_seconds = time.perf_counter() - t0
            with psycopg.connect(url) as conn:
                row = conn.execute("SELECT count(*) FROM content_interaction").fetchone()
                r.content_rows = int(row[0]) if row else 0
            c.print(f"generated {r.content_rows:,} content_interaction rows in {r.generate_seconds:.1f} s")

            if n in sql_sizes:
                try:
                    r.sql_seconds, r.sql_rows = run_sql(url, reference, sql_timeout_s)
                    c.print(f"SQL: {r.sql_seconds:.1f} s, {r.sql_rows:,} rows")
                except psycopg.errors.QueryCanceled as exc:
                    r.sql_error = f"cancelled after {sql_timeout_s:.0f} s ({exc.diag.message_primary})"
                    c.print(f"SQL: {r.sql_error}")

            wipe_graph(s)
            seed_platform_nodes(n, seed, s)
            t0 = time.perf_counter()
            if load == "sync":
                loaded = sync_until_caught_up(["content_interaction"], settings=s, batch_size=sync_batch_size)
                what = f"sync: {loaded.rows_read:,} rows"
                r.load_seconds = time.perf_counter() - t0
                r.load_rows_per_s = loaded.rows_read / r.load_seconds if r.load_seconds else 0.0
            else:
                pairs = load_direct(url, s, reference)
                r.load_seconds = time.perf_counter() - t0
                r.load_rows_per_s = r.content_rows / r.load_seconds if r.load_seconds else 0.0
                what = f"direct load: {r.content_rows:,} rows -> {pairs:,} ENGAGED_WITH"
            c.print(f"{what} in {r.load_seconds:.1f} s ({r.load_rows_per_s:,.0f} rows/s)")

            params = EngagementSimilarityParams(
                now=reference, top_k=k, concurrency=concurrency, max_content_share=max_content_share
            )
            engines: list[SimilarityEngine] = ["sharing"]
            if gds_max_users is None or n <= gds_max_users:
                engines.insert(0, "gds")
            timed: dict[str, RunOutcome[Any]] = {}
            written: dict[str, dict[str, list[float]]] = {}
            for engine in engines:
                engine_params = params.model_copy(update={"similarity_engine": engine})
                if warm_up and n == all_sizes[0]:
                    run_job("user_similarity", engine_params, settings=s)
                clear_similar(s)  # neither run's clean-up deletes the other's (or a warm-up's) edges
                timer = PhaseTimer(c, "GDS" if engine == "gds" else "Sharing")
                t0 = time.perf_counter()
                outcome = run_job("user_similarity", engine_params, settings=s, progress=timer)
                end = time.perf_counter()
                timed[engine] = outcome
                written[engine] = gds_scores(s, outcome.run_id)
                result = outcome.result
                r.engagements = outcome.relationship_count
                cap = result.content_engager_cap if isinstance(result, SimilarityResult) else None
                r.gds_content_cap = cap
                r.gds_engaged_users = int(getattr(result, "engaged_users", 0) or 0)
                if engine == "gds":
                    r.gds_seconds = end - t0
                    r.gds_phases = timer.phases(end)
                    r.gds_memory_estimate = outcome.memory_estimate
                    r.gds_users_compared = int(getattr(result, "nodes_compared", 0))
                    r.gds_relationships = int(getattr(result, "relationships_written", 0))
                    phases = r.gds_phases
                else:
                    r.sharing_seconds = end - t0
                    r.sharing_phases = timer.phases(end)
                    r.sharing_memory_estimate = outcome.memory_estimate
                    r.sharing_relationships = int(getattr(result, "relationships_written", 0))
                    r.sharing_pair_updates = int(getattr(result, "pair_updates", 0) or 0)
                    phases = r.sharing_phases
                c.print(
                    f"{timer.label}: {end - t0:.1f} s ({_phases(phases)}), {r.engagements:,} ENGAGED_WITH projected"
                )
            r.hub_contents, r.hub_engagements = hub_content(s, r.gds_content_cap)
            c.print(
                f"hub cap {r.gds_content_cap} engagers: {r.hub_contents:,} content, {r.hub_engagements:,} "
                "ENGAGED_WITH left out"
            )
            if "gds" in written:
                r.sharing_gds_users, r.sharing_gds_matching = compare_score_lists(written["sharing"], written["gds"])
                c.print(f"Sharing = GDS (top-{k} scores) for {r.sharing_gds_matching:,}/{r.sharing_gds_users:,} users")

            t0 = time.perf_counter()
            vectors, keys = read_vectors(s, params, r.gds_content_cap)
            r.python_read_seconds = time.perf_counter() - t0
            naive: NaiveRun[int] = weighted_jaccard_top_k(vectors, k, budget_s=python_budget_s, seed=seed)
            r.python_index_seconds = naive.index_seconds
            r.python_compute_seconds = naive.estimated_seconds
            r.python_estimated = not naive.complete
            r.python_users_done = naive.sources_done
            r.python_users_total = naive.sources_total
            r.python_pair_updates = naive.pair_updates
            c.print(
                f"Python: read {r.python_read_seconds:.1f} s, compute {naive.seconds:.1f} s for "
                f"{naive.sources_done:,}/{naive.sources_total:,} users"
                + (f" -> ~{r.python_compute_seconds:,.0f} s for all" if r.python_estimated else "")
            )
            r.agreement_users, r.agreement_matching = compare_scores(naive.top_k, keys, written["sharing"])
            c.print(f"Python = Sharing (top-{k} scores) for {r.agreement_matching:,}/{r.agreement_users:,} users")
            del vectors, naive, written, timed
        finally:
            _drop_database(admin, name)
        report.results.append(r)
        report.seconds = time.perf_counter() - t_start
        if on_size is not None:
            on_size(report)
    report.seconds = time.perf_counter() - t_start
    return report


# ---------------------------------------------------------------- the command


def bench_similarity_cmd(
    size: Annotated[
        list[int] | None, typer.Option("--size", help="Users; repeatable (default 1k 2k 4k 10k 100k).")
    ] = None,
    sql_size: Annotated[
        list[int] | None, typer.Option("--sql-size", help="Sizes the SQL way runs at (default 1k 2k 4k).")
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, help="Days of generated activity per size.")] = 3,
    seed: Annotated[int, typer.Option("--seed")] = 7,
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, help="Default: setting gds_user_top_k.")] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, help="The job's GDS concurrency (default: GDS's, 4).")
    ] = None,
    max_content_share: Annotated[
        float | None,
        typer.Option(
            "--max-content-share",
            min=0.0,
            max=1.0,
            help="The job's hub cap (default: setting gds_similarity_max_content_share; 1: no cap).",
        ),
    ] = None,
    python_budget: Annotated[
        float, typer.Option("--python-budget", help="Python compute seconds per size before estimating (0: none).")
    ] = 300.0,
    sql_timeout: Annotated[float, typer.Option("--sql-timeout", help="statement_timeout of the SQL way, s.")] = 1800.0,
    gds_max_users: Annotated[
        int | None,
        typer.Option("--gds-max-users", min=1, help="Run the GDS engine only up to this many users (default: all)."),
    ] = None,
    load: Annotated[
        str, typer.Option("--load", help="direct: ENGAGED_WITH from a Postgres aggregation (fast); sync: the sync.")
    ] = "direct",
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the figures here (after each size).")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: the benchmark wipes the configured Neo4j.")] = False,
) -> None:
    """User similarity: GDS vs the write-up's SQL self-join vs plain Python, on generated activity."""
    console = Console()
    s = get_settings()
    if load not in ("direct", "sync"):
        raise typer.BadParameter("--load must be direct or sync", param_hint="--load")
    if not yes:
        console.print(
            f"[red]This deletes every node in the Neo4j at {s.neo4j_uri}[/red]: point NEO4J_URI at a scratch "
            "server and pass --yes."
        )
        raise typer.Exit(2)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # so the scratch database is dropped on SIGTERM too

    signal.signal(signal.SIGTERM, stop)

    def save(report: BenchReport) -> None:
        if json_out is not None:
            json_out.write_text(json.dumps(report.to_dict(), indent=2, default=str))

    report = bench_user_similarity(
        size or DEFAULT_SIZES,
        sql_size or DEFAULT_SQL_SIZES,
        days,
        seed,
        settings=s,
        top_k=top_k,
        concurrency=concurrency,
        max_content_share=max_content_share or None,
        python_budget_s=python_budget or None,
        gds_max_users=gds_max_users,
        sql_timeout_s=sql_timeout or None,
        load="sync" if load == "sync" else "direct",
        console=console,
        on_size=save,
    )
    save(report)
    report.print(console)


def main() -> None:  # pragma: no cover - `python -m algorithms.bench`
    typer.run(bench_similarity_cmd)


if __name__ == "__main__":  # pragma: no cover
    main()
