"""Helpers of the sync's services tests (test_sync_services, test_sync_bulk): loading generated activity,
running the sync, reading the graph back as plain data and comparing two graphs. Expected values in the tests
are computed with these formulas, never with `sync.aggregate` or `sync.weights`."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from activity.generator import generate
from activity_graph.platform_seed import seed_platform_nodes
from graph.connection import get_driver
from graph.settings import Settings
from sync.runner import RunReport, sync_until_caught_up

Key = tuple[Any, ...]
Graph = dict[Key, dict[str, Any]]

HALF_LIFE_S = 14 * 86400.0
HEX = "0123456789abcdef"

# The write-up's weights (section 3.2.2) and docs/mapping.md's tables, written out again on purpose.
CONTENT_W = {"view": 0.1, "like": 0.3, "comment": 0.5, "share": 0.7, "save": 0.6, "create": 1.0}
VISIT_W = {"profile_visit": 0.3, "profile_view": 0.3, "profile_follow": 0.8, "profile_message": 0.6,
           "profile_share": 0.7, "achievement_view": 0.2, "experience_view": 0.2, "posts_browse": 0.2,
           "stories_browse": 0.2, "profile_unfollow": 0.0, "profile_block": 0.0, "profile_unblock": 0.0,
           "profile_report": 0.0}
MEDIA_W = {"view": 0.1, "click": 0.15, "zoom": 0.2, "play": 0.2, "fullscreen": 0.25, "download": 0.5, "share": 0.7,
           "pause": 0.05, "seek": 0.05, "volume_change": 0.05, "quality_change": 0.05}
PLATFORM_LABELS = {"post": "Post", "story": "Story", "comment": "Comment", "community": "Community",
                   "community_post": "CommunityPost"}
VOLATILE = {"updated_at", "locked_by", "last_seen"}


def pg_url(s: Settings) -> str:
    return s.database_url.get_secret_value()


def load(s: Settings, users: int, days: int, seed: int, **kw: Any) -> None:
    """Generated activity in the scratch database plus the platform's Users/Community nodes."""
    generate(pg_url(s), users, days, seed, **kw)
    seed_platform_nodes(users, seed, s)


def run_all(s: Settings, batch_size: int, **kw: Any) -> RunReport:
    return sync_until_caught_up(settings=s, batch_size=batch_size, **kw)


def cypher(s: Settings, q: str, **params: Any) -> list[dict[str, Any]]:
    recs, _, _ = get_driver(s).execute_query(q, params, database_=s.neo4j_database)
    return [dict(r) for r in recs]


def wipe_graph(s: Settings) -> None:
    with get_driver(s).session(database=s.neo4j_database) as session:
        # Relationships first, in bounded transactions (a user node can carry thousands).
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def reset_sync(s: Settings, users: int, seed: int) -> None:
    """An empty graph (platform nodes only) and an empty quarantine: a sync from scratch."""
    wipe_graph(s)
    with psycopg.connect(pg_url(s), autocommit=True) as c:
        c.execute("TRUNCATE activity_graph_quarantine")
    seed_platform_nodes(users, seed, s)


def node_key(labels: Iterable[str], p: dict[str, Any]) -> Key:
    ls = sorted(labels)
    if "SyncNote" in ls:
        return ("SyncNote", p.get("kind"), p.get("source_table"), p.get("field"), p.get("value"))
    if "SyncCursor" in ls:
        return ("SyncCursor", p.get("name"))
    if "user_id" in p:
        return ("Users", p["user_id"])
    if "uid" in p:
        return (ls[0], p["uid"])
    if "content_id" in p:
        return ("Content", p.get("content_type"), p["content_id"])
    return (tuple(ls), tuple(sorted(p.items())))


def export_graph(s: Settings, *, cursors: bool = False) -> Graph:
    """Every node and relationship as {identity: properties}; CONNECTED is keyed by its unordered pair.

    Duplicate identities (two nodes for one key, two relationships for one pair) fail here.
    """
    out: Graph = {}

    def put(k: Key, v: dict[str, Any]) -> None:
        assert k not in out, f"duplicate {k}"
        out[k] = v

    for r in cypher(s, "MATCH (n) RETURN labels(n) AS l, properties(n) AS p"):
        if "SyncCursor" in r["l"] and not cursors:
            continue
        put(("node", *node_key(r["l"], r["p"])), {k: v for k, v in r["p"].items() if k not in VOLATILE})
    for r in cypher(s, "MATCH (a)-[r]->(b) RETURN type(r) AS t, labels(a) AS al, properties(a) AS ap, "
                       "labels(b) AS bl, properties(b) AS bp, properties(r) AS p"):
        a, b = node_key(r["al"], r["ap"]), node_key(r["bl"], r["bp"])
        ends = tuple(sorted([a, b])) if r["t"] == "CONNECTED" else (a, b)
        put(("rel", r["t"], *ends), dict(r["p"]))
    return out


def close(a: Any, b: Any, rel: float) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(
            a, b, rel_tol=rel, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def graph_diff(a: Graph, b: Graph, rel: float = 1e-9, limit: int = 12) -> list[str]:
    """Human-readable differences (empty when the graphs are equal up to `rel` on floats)."""
    out: list[str] = []
    for k in sorted(set(a) | set(b), key=repr):
        if k not in a or k not in b:
            out.append(f"{k}: only in {'first' if k in a else 'second'}")
            continue
        pa, pb = a[k], b[k]
        for p in sorted(set(pa) | set(pb)):
            if not close(pa.get(p), pb.get(p), rel):
                out.append(f"{k}.{p}: {pa.get(p)!r} != {pb.get(p)!r}")
        if len(out) >= limit:
            break
    return out[:limit]


def assert_same_graph(a: Graph, b: Graph, rel: float = 1e-9) -> None:
    diff = graph_diff(a, b, rel)
    assert not diff, "graphs differ:\n  " + "\n  ".join(diff)


def table_count(s: Settings, table: str, where: str = "TRUE") -> int:
    with psycopg.connect(pg_url(s)) as c:
        row = c.execute(sql.SQL("SELECT count(*) FROM {} WHERE " + where).format(sql.Identifier(table))).fetchone()
    assert row is not None
    return int(row[0])


def quarantined_ids(s: Settings) -> dict[tuple[str, int], str]:
    with psycopg.connect(pg_url(s)) as c:
        return {(str(t), int(i)): str(r) for t, i, r in
                c.execute("SELECT source_table, source_id, reason FROM activity_graph_quarantine")}


def uid32(rng: random.Random) -> str:
    return "".join(rng.choice(HEX) for _ in range(32))


def ensure_users(conn: psycopg.Connection[Any], ids: Iterable[int]) -> None:
    for i in ids:
        conn.execute(
            "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined) VALUES (%s, '', false, %s, '', '', '', false, true, now())"
            " ON CONFLICT DO NOTHING", (i, f"u{i}"))


def insert_content_rows(conn: psycopg.Connection[Any], rows: list[dict[str, Any]]) -> list[int]:
    """content_interaction rows (defaults filled in); returns their ids in insertion order."""
    ids = []
    for r in rows:
        at = r.get("timestamp") or datetime.fromisoformat("2025-10-01T12:00:00+00:00")
        rec = conn.execute(
            "INSERT INTO content_interaction (uid, created_at, updated_at, timestamp, metadata, content_type,"
            " content_id, interaction_type, duration_seconds, scroll_depth_percentage, user_id)"
            " VALUES (gen_random_uuid(), now(), %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (r.get("updated_at", at), at, Jsonb(r.get("metadata", {})), r.get("content_type", "post"),
             r["content_id"], r.get("interaction_type", "like"), r.get("duration_seconds"),
             r.get("scroll_depth_percentage"), r["user_id"]),
        ).fetchone()
        assert rec is not None
        ids.append(int(rec[0]))
    return ids


def decayed_sum(contribs: list[tuple[float, datetime]]) -> tuple[float, datetime, datetime]:
    """sum c_i 2^(-(T - t_i)/hl) as of T = max t_i; and (first, last)."""
    last = max(t for _, t in contribs)
    first = min(t for _, t in contribs)
    w = math.fsum(c * 2.0 ** (-(last - t).total_seconds() / HALF_LIFE_S) for c, t in contribs)
    return w, first, last


def to_py(dt: Any) -> datetime:
    return dt.to_native() if hasattr(dt, "to_native") else dt  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------- 1. every table mapped
