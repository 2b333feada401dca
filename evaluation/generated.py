"""The generator's data (read back from the activity tables it filled) -> the evaluation format.

Read from a database the generator wrote (`activity-graph generate`, or `activity.generator.generate`):

* `content_interaction` rows of a feed type (`post`, `community_post`) whose interaction is `view`, `like`,
  `comment`, `share`, `save` or `create`: that kind; item = the `content_id` (the content's uid). A `view` with
  `metadata.source = 'feed_view'` is left out: a feed impression, not an engagement (the sync gives it no
  weight either).
* `social_interaction` `profile_visit` with a target: ``visit``.
* `social_interaction` `connection_accept` (written by the receiver): ``connection`` requester -> receiver,
  at the accept.
* `vibe_activity` `vibe_send` with `success`, the target a Django id or a generated `Users.uid`: ``vibe``,
  value = `vibe_score`.

Left out: every other table and type (media, sessions, messages, `unlike`/`unsave`/... undo rows, community
joins, vibes to communities), and the rows the generator planted as deliberately bad
(`activity_graph_planted_bad_row`). User ids are the Django ids, as text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from evaluation.dataset import INTERACTION_KINDS, Interaction, SocialEdge, write_dataset

DEFAULT_CONTENT_TYPES: tuple[str, ...] = ("post", "community_post")


@dataclass(frozen=True)
class ExportReport:
    interactions: int
    social: int


def _has_table(conn: psycopg.Connection[Any], name: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()
    return bool(row and row[0])


def _not_bad(conn: psycopg.Connection[Any], table: str, alias: str) -> str:
    """A WHERE fragment leaving out the generator's planted bad rows of `table` (when it recorded them)."""
    if not _has_table(conn, "activity_graph_planted_bad_row"):
        return "TRUE"
    return (f"NOT EXISTS (SELECT 1 FROM activity_graph_planted_bad_row b "
            f"WHERE b.source_table = '{table}' AND b.source_id = {alias}.id)")


def iter_interactions(conn: psycopg.Connection[Any],
                      content_types: Sequence[str] = DEFAULT_CONTENT_TYPES) -> Iterator[Interaction]:
    query = f"""
        SELECT c.user_id, c.content_id, lower(c.interaction_type), c."timestamp"
          FROM content_interaction c
         WHERE lower(c.content_type) = ANY(%s) AND lower(c.interaction_type) = ANY(%s)
           AND NOT (lower(c.interaction_type) = 'view' AND coalesce(c.metadata->>'source', '') = 'feed_view')
           AND {_not_bad(conn, "content_interaction", "c")}
         ORDER BY c."timestamp", c.id
    """
    with conn.cursor(name="export_interactions") as cur:
        cur.execute(query, (list(content_types), list(INTERACTION_KINDS)))
        for user_id, content_id, kind, ts in cur:
            yield Interaction(str(user_id), str(content_id).strip().lower(), str(kind), ts)


def iter_social(conn: psycopg.Connection[Any]) -> Iterator[SocialEdge]:
    """Visits, accepted connections and vibes to users, merged in time order."""
    uid_to_user: dict[str, str] = {}
    if _has_table(conn, "activity_graph_planted_community"):
        for user_id, uid in conn.execute("SELECT user_id, user_uid FROM activity_graph_planted_community"):
            uid_to_user[str(uid).strip().lower()] = str(user_id)
    edges: list[tuple[Any, int, SocialEdge]] = []
    rows = conn.execute(f"""
        SELECT s.id, s.user_id, s.target_user_id, lower(s.interaction_type), s."timestamp"
          FROM social_interaction s
         WHERE lower(s.interaction_type) IN ('profile_visit', 'connection_accept')
           AND s.target_user_id IS NOT NULL AND s.target_user_id <> s.user_id
           AND {_not_bad(conn, "social_interaction", "s")}
    """).fetchall()
    for row_id, user_id, target, itype, ts in rows:
        if itype == "profile_visit":
            edges.append((ts, row_id, SocialEdge(str(user_id), str(target), "visit", ts)))
        else:  # the receiver accepts: the requester (target) asked
            edges.append((ts, row_id, SocialEdge(str(target), str(user_id), "connection", ts)))
    vibes = conn.execute(f"""
        SELECT v.id, v.user_id, trim(v.target_user_id), v.vibe_score, v."timestamp"
          FROM vibe_activity v
         WHERE lower(v.activity_type) = 'vibe_send' AND v.success AND v.target_user_id IS NOT NULL
           AND {_not_bad(conn, "vibe_activity", "v")}
    """).fetchall()
    for row_id, user_id, target, score, ts in vibes:
        text = str(target)
        other = str(int(text)) if text.isdigit() else uid_to_user.get(text.lower())
        if other is None or other == str(user_id):
            continue
        value = None if score is None else float(score)
        edges.append((ts, 1 << 62 | int(row_id), SocialEdge(str(user_id), other, "vibe", ts, value)))
    edges.sort(key=lambda e: (e[0], e[1]))
    for _, _, edge in edges:
        yield edge


def export_generated(url: str, out: Path | str, *,
                     content_types: Sequence[str] = DEFAULT_CONTENT_TYPES) -> ExportReport:
    """Write ``interactions.csv`` and ``social.csv`` of the activity tables at `url` into `out`."""
    with psycopg.connect(url) as conn:
        social = list(iter_social(conn))
        n_inter, n_social = write_dataset(out, iter_interactions(conn, content_types), social)
    return ExportReport(n_inter, n_social)
