"""Resolve what a row names indirectly (vibe targets by uid, connection peers) against the graph.

One read query per kind per batch; rows whose reference resolves to nothing are quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import neo4j
import psycopg

from graph.cypher import render
from graph.schema import ident
from sync.aggregate import ResolvedConnection
from sync.changes import (
    Authorship,
    Change,
    ConnectionEvent,
    EdgeContribution,
    Impression,
    NodeRef,
    Quarantine,
    VibeTarget,
)
from sync.mapping import MappingConfig


@dataclass(frozen=True)
class Lookups:
    """What the graph says about the uids a batch mentions."""

    uid_to_user: dict[str, str]
    community_uids: set[str]
    connection_users: dict[str, list[str]]
    # Vibe targets given as Django user ids that name an `auth_user` row (None: not checked).
    django_users: frozenset[str] | None = None


def lookups(session: neo4j.Session, changes: list[Change], config: MappingConfig) -> Lookups:
    uids: set[str] = set()
    conn_uids: set[str] = set()
    for c in changes:
        if isinstance(c, EdgeContribution) and isinstance(c.dst, VibeTarget) and c.dst.form == "uid":
            uids.add(c.dst.key)
        elif isinstance(c, ConnectionEvent):
            uids.update(c.peer_uids)
            if c.peer_user_id is None and not c.peer_uids and c.connection_uid:
                conn_uids.add(c.connection_uid)
    uid_to_user: dict[str, str] = {}
    communities: set[str] = set()
    if uids:
        q = render("sync/resolve_uids", user_label=ident(config.user_label), user_key=ident(config.user_key),
                   community_label=ident(config.content_labels.get("community", "Community")))
        for rec in session.run(q, uids=sorted(uids)):
            if rec["user_id"] is not None:
                uid_to_user[rec["uid"]] = str(rec["user_id"])
            elif rec["is_community"]:
                communities.add(rec["uid"])
    connection_users: dict[str, list[str]] = {}
    if conn_uids:
        q = render("sync/resolve_connection_users", user_label=ident(config.user_label),
                   user_key=ident(config.user_key))
        for rec in session.run(q, uids=sorted(conn_uids)):
            connection_users[rec["uid"]] = [str(u) for u in rec["user_ids"]]
    return Lookups(uid_to_user, communities, connection_users)


def resolve_change(
    change: Change, table: str, row_id: int, found: Lookups, config: MappingConfig
) -> Change | ResolvedConnection | Quarantine:
    """The change with its indirect reference made concrete, or the reason it cannot be."""
    if isinstance(change, EdgeContribution) and isinstance(change.dst, VibeTarget):
        t = change.dst
        if t.form == "user_id":
            if t.key == change.src:
                return Quarantine(table, row_id, f"vibe_self_target: user {t.key} vibed themselves")
            if found.django_users is not None and t.key not in found.django_users:
                return Quarantine(table, row_id, f"vibe_target_unresolved: {t.raw!r} is no Django user id")
            return replace(change, dst=config.user(t.key))
        if t.key in found.uid_to_user:
            user_id = found.uid_to_user[t.key]
            if user_id == change.src:
                return Quarantine(table, row_id, f"vibe_self_target: uid {t.key} is the sender")
            return replace(change, dst=config.user(user_id))
        if t.key in found.community_uids:
            label = config.content_labels.get("community", "Community")
            return replace(change, dst=NodeRef(label, ((config.content_key, t.key),), "community"))
        return Quarantine(table, row_id, f"vibe_target_unresolved: {t.raw!r} names no Users or Community node")
    if isinstance(change, ConnectionEvent):
        peer = change.peer_user_id
        if peer is None:
            for uid in change.peer_uids:
                resolved = found.uid_to_user.get(uid)
                if resolved is not None and resolved != change.user:
                    peer = resolved
                    break
        if peer is None and change.connection_uid:
            others = [u for u in found.connection_users.get(change.connection_uid, []) if u != change.user]
            peer = others[0] if len(others) == 1 else None
        if peer is None:
            return Quarantine(table, row_id, "connection_peer_unresolved: no second user could be found")
        if change.actor_role == "receiver":
            return ResolvedConnection(peer, change.user, change.state, change.at, change.interaction_type)
        return ResolvedConnection(change.user, peer, change.state, change.at, change.interaction_type)
    return change


def vibe_user_ids(changes: list[Change]) -> set[str]:
    """The Django user ids vibe targets name (`target_user_id` is text, without a foreign key)."""
    return {c.dst.key for c in changes
            if isinstance(c, EdgeContribution) and isinstance(c.dst, VibeTarget) and c.dst.form == "user_id"}


def existing_django_users(conn: psycopg.Connection[Any], user_ids: set[str]) -> frozenset[str] | None:
    """Which of `user_ids` are `auth_user` rows; None if the sync's role may not read auth_user."""
    ids = [int(u) for u in user_ids if int(u) < 2**31]  # auth_user.id is an integer: larger ones name nobody
    if not ids:
        return frozenset()
    try:
        rows = conn.execute("SELECT id::text FROM auth_user WHERE id = ANY(%s::bigint[])", (ids,)).fetchall()
    except psycopg.Error:
        return None
    return frozenset(str(r[0]) for r in rows)


def nodes_named(change: Change | ResolvedConnection, config: MappingConfig) -> list[NodeRef]:
    """Every node a resolved change would MERGE (match-only mode checks they all exist)."""
    if isinstance(change, ResolvedConnection):
        return [config.user(change.requester), config.user(change.receiver)]
    if isinstance(change, EdgeContribution):
        assert isinstance(change.dst, NodeRef)
        return [config.user(change.src), change.dst]
    if isinstance(change, (Impression, Authorship)):
        return [config.user(change.user), change.content]
    return [config.user(change.user)]


def missing_nodes(session: neo4j.Session, refs: set[NodeRef]) -> set[NodeRef]:
    """Which of `refs` are absent from the graph: one query per (label, key shape)."""
    groups: dict[tuple[str, tuple[str, ...]], list[NodeRef]] = {}
    for ref in refs:
        groups.setdefault((ref.label, tuple(k for k, _ in ref.keys)), []).append(ref)
    missing: set[NodeRef] = set()
    for (label, keys), group in groups.items():
        match = ", ".join(f"{ident(k)}: k.{ident(k)}" for k in keys)
        q = render("sync/find_existing_nodes", label=ident(label), match=match)
        found = {tuple(sorted(r["key"].items())) for r in session.run(q, keys=[g.key_map for g in group]) if r["found"]}
        missing.update(g for g in group if tuple(sorted(g.key_map.items())) not in found)
    return missing
