"""A feed-shaped graph of any size, written straight into Neo4j, for the feed benchmark at 10k and 100k users.

The full pipeline (generator -> Postgres -> sync -> GDS) takes most of an hour at 10k users on a 2-core box, so
`activity-graph feed bench-graph` writes what that pipeline leaves behind, in the shapes the sync and the GDS
jobs write: `Users` (community, influence, active hours), `Post` with `CREATED`, `ENGAGED_WITH` (decayed weight,
counts, time, scroll), `VISITED`, `VIBED`, `CONNECTED`, user and content `SIMILAR_TO` of published runs. Every
per-user and per-post degree distribution is the same at every size (heavy-tailed: a few very active users and
very popular posts), so latency measured on two sizes shows how the feed grows with the graph, not with the
viewer. Random but seeded: the same size and seed give the same graph. It empties the database first.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.cypher import query, render
from graph.schema import ident, init_graph_schema
from graph.settings import Settings, get_settings

DAY_MS = 86_400_000
WINDOW_MS = 30 * DAY_MS
KINDS = ("text", "image", "video")
WEIGHTS = (0.1, 0.3, 0.5, 0.6, 0.7, 1.0)
USER_RUN, CONTENT_RUN = "bench-user-similarity", "bench-content-similarity"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Shape:
    """Per-user and per-post averages; the same at every size."""

    posts_per_user: float = 2.0
    engagement_scale: float = 18.0  # engagements per user: Pareto(1.6) x this (mean ~48), at most max_engagements
    max_engagements: int = 600
    popularity_skew: float = 2.2  # post index = posts x U^skew: a heavy head of popular posts
    visits_scale: float = 4.0  # visited users per user: Pareto(2) x this (mean ~8)
    vibes_max: int = 3
    connections_per_user: int = 3  # made per user (so about twice as many per user, counting both ends)
    similar_users: int = 10  # SIMILAR_TO per user (the GDS job's topK)
    similar_posts: int = 10  # SIMILAR_TO per post
    communities_per_100_users: int = 1


def _batches(rows: Iterator[list[Any]], size: int) -> Iterator[list[list[Any]]]:
    batch: list[list[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_bench_graph(
    users: int,
    *,
    now: datetime,
    seed: int = 11,
    shape: Shape | None = None,
    settings: Settings | None = None,
    batch_size: int = 10_000,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Empty the database and write the graph; returns the counts and seconds per part."""
    from graph.connection import get_driver

    s = settings or get_settings()
    sh = shape or Shape()
    rng = random.Random(seed)
    now_ms = int(now.timestamp() * 1000)
    names = {"user_label": ident(s.user_label), "user_key": ident(s.user_key)}
    driver = get_driver(s)
    say = progress or (lambda _part, _done, _total: None)
    counts: dict[str, Any] = {"users": users}
    timings: dict[str, float] = {}

    def write(part: str, text: str, rows: Iterator[list[Any]], total: int, **extra: Any) -> None:
        t0 = time.perf_counter()
        done = 0
        for batch in _batches(rows, batch_size):
            driver.execute_query(text, {"rows": batch, **extra}, database_=s.neo4j_database)
            done += len(batch)
            say(part, done, max(total, done))
        counts[part] = done
        timings[part] = round(time.perf_counter() - t0, 2)

    t0 = time.perf_counter()
    with driver.session(database=s.neo4j_database, notifications_min_severity="OFF") as session:
        session.run(query("feed/bench_wipe")).consume()
        session.run(query("feed/bench_wipe_nodes")).consume()
    init_graph_schema(s)
    timings["wipe"] = round(time.perf_counter() - t0, 2)

    n_communities = max(1, users * sh.communities_per_100_users // 100)
    write("users", render("feed/bench_users", **names),
          ([str(i), rng.randrange(n_communities), round(0.15 + rng.paretovariate(3.0) - 1.0, 4),
            [rng.randrange(6) for _ in range(24)]] for i in range(users)), users)

    n_posts = int(users * sh.posts_per_user)
    post_ids = [f"{rng.getrandbits(128):032x}" for _ in range(n_posts)]
    write("posts", render("feed/bench_posts", **names),
          ([uid, str(int(users * rng.random() ** 2)), KINDS[rng.randrange(len(KINDS))],
            now_ms - int(rng.random() * WINDOW_MS)] for uid in post_ids), n_posts)

    def engagements() -> Iterator[list[Any]]:
        for u in range(users):
            k = min(sh.max_engagements, int(rng.paretovariate(1.6) * sh.engagement_scale))
            seen: set[int] = set()
            for _ in range(3 * k):
                if len(seen) >= k:
                    break
                seen.add(int(n_posts * rng.random() ** sh.popularity_skew))
            for p in seen:
                n = int(rng.paretovariate(2.5))  # rows folded onto the edge (1, sometimes more)
                scroll_n = rng.randrange(n + 1)
                yield [str(u), post_ids[p], round(WEIGHTS[rng.randrange(len(WEIGHTS))] * n, 4), n,
                       now_ms - int(rng.random() * WINDOW_MS), rng.randrange(0, 300),
                       float(sum(rng.randrange(10, 101) for _ in range(scroll_n))), scroll_n]

    write("engaged_with", render("feed/bench_engagements", **names), engagements(),
          int(users * sh.engagement_scale * 1.6 / 0.6))

    def skewed_other(u: int) -> int:
        while True:
            o = int(users * rng.random() ** 2)
            if o != u or users < 2:
                return o

    def links() -> Iterator[list[Any]]:
        for u in range(users):
            for o in {skewed_other(u) for _ in range(int(rng.paretovariate(2.0) * sh.visits_scale))}:
                yield [str(u), str(o), "VISITED", round(0.3 * (1 + rng.randrange(5)), 4),
                       now_ms - int(rng.random() * WINDOW_MS)]
            for o in {skewed_other(u) for _ in range(rng.randrange(sh.vibes_max + 1))}:
                yield [str(u), str(o), "VIBED", round(0.5 + rng.random() / 2, 4),
                       now_ms - int(rng.random() * WINDOW_MS)]
            for o in {skewed_other(u) for _ in range(sh.connections_per_user)}:
                if o > u:  # one CONNECTED per pair
                    yield [str(u), str(o), "CONNECTED", 1.0, now_ms - int(rng.random() * WINDOW_MS)]
            for o in {rng.randrange(users) for _ in range(sh.similar_users)} - {u}:
                yield [str(u), str(o), "SIMILAR_TO", round(rng.random(), 4), 0]

    write("user_links", render("feed/bench_user_links", **names), links(), users * 25, run_id=USER_RUN)
    write("content_links", query("feed/bench_content_links"),
          ([uid, post_ids[rng.randrange(n_posts)], round(rng.random(), 4)]
           for uid in post_ids for _ in range(sh.similar_posts)), n_posts * sh.similar_posts, run_id=CONTENT_RUN)
    driver.execute_query(query("feed/bench_publish"),
                         {"sets": [["user_similarity", USER_RUN], ["content_similarity", CONTENT_RUN]]},
                         database_=s.neo4j_database)
    counts["seconds"] = timings
    return counts
