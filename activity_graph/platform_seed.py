"""Put the platform's own nodes (Users with uid, Community) in the graph for generated activity.

On the platform these exist already (its neomodel models write them); the demo, the tests and the
benchmarks need them so that vibe targets given as a `Users.uid` or `Community.uid` resolve.
"""

from __future__ import annotations

from itertools import islice

from activity.generator import iter_communities, iter_user_uids
from graph.connection import get_driver
from graph.cypher import render
from graph.schema import ident
from graph.settings import Settings, get_settings


def seed_platform_nodes(users: int, seed: int, settings: Settings | None = None, *, batch: int = 20000) -> int:
    """MERGE every generated user and community; returns how many nodes it touched."""
    s = settings or get_settings()
    driver = get_driver(s)
    q_users = render("demo/seed_platform_users", user_label=ident(s.user_label), user_key=ident(s.user_key))
    total = 0
    it = iter_user_uids(users, seed)
    while chunk := [{"user_id": str(uid), "uid": u} for uid, u in islice(it, batch)]:
        driver.execute_query(q_users, users=chunk, database_=s.neo4j_database)
        total += len(chunk)
    communities = [{"uid": uid, "name": name} for uid, _, _, name in iter_communities(users, seed)]
    q_comm = render("demo/seed_platform_communities",
                    community_label=ident(s.content_labels.get("community", "Community")))
    driver.execute_query(q_comm, communities=communities, database_=s.neo4j_database)
    return total + len(communities)
