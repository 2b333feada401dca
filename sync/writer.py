"""The Neo4j end of the sync: apply one aggregated batch and move its cursor in one transaction.

The transaction opens by locking the cursor and checking its version, so two workers on the same
table serialize and the second one's batch rolls back instead of applying twice; it ends by writing
the cursor. A crash anywhere leaves both the writes and the cursor, or neither.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import neo4j

from graph.cypher import render
from graph.schema import ident
from sync.aggregate import BatchAggregate, edge_rows, wire_time
from sync.changes import NodeRef
from sync.cursor import SyncCursor
from sync.mapping import MappingConfig

CONNECTION_STATE_RANK = {"requested": 0, "declined": 1, "connected": 2, "removed": 3}


class CursorConflict(RuntimeError):
    """Another worker moved the cursor since this one read it: this batch must not apply."""


@dataclass(frozen=True)
class GraphNames:
    """Identifiers the templates need, validated once."""

    user_label: str
    user_key: str
    community_label: str
    create_missing: bool

    @classmethod
    def of(cls, config: MappingConfig, *, create_missing: bool) -> GraphNames:
        return cls(config.user_label, config.user_key, config.content_labels.get("community", "Community"),
                   create_missing)

    @property
    def node_op(self) -> str:
        return "MERGE" if self.create_missing else "MATCH"


def _match_map(keys: list[str], var: str) -> str:
    return ", ".join(f"{ident(k)}: {var}.dst.{ident(k)}" for k in keys)


def _target_parts(names: GraphNames, label: str, key_names: str) -> dict[str, str]:
    keys = key_names.split(",")
    on_create = "ON CREATE SET t.content_type = e.kind" if names.create_missing and label != names.user_label else ""
    return {
        "node_op": names.node_op,
        "src_label": ident(names.user_label),
        "src_key": ident(names.user_key),
        "dst_label": ident(label),
        "dst_match": _match_map(keys, "e"),
        "on_create_target": on_create,
    }


def _node_group(items: dict[tuple[str, NodeRef], Any]) -> dict[tuple[str, str], list[tuple[str, NodeRef, Any]]]:
    out: dict[tuple[str, str], list[tuple[str, NodeRef, Any]]] = defaultdict(list)
    for (user, node), value in items.items():
        out[(node.label, ",".join(k for k, _ in node.keys))].append((user, node, value))
    return out


def _profile_rows(agg: BatchAggregate) -> list[dict[str, object]]:
    rows = []
    for user, p in agg.profiles.items():
        adds: dict[str, float] = {k: float(v) for k, v in p.counts.items()}
        adds.update(p.vibe)
        rows.append({
            "user": user, "hours": p.hours, "sessions": p.sessions,
            "session_seconds_sum": p.session_seconds_sum, "session_seconds_max": p.session_seconds_max,
            "adds": adds,
        })
    return rows


def apply_batch(
    tx: neo4j.ManagedTransaction,
    agg: BatchAggregate,
    cursor_before: SyncCursor,
    cursor_after: SyncCursor,
    notes: list[dict[str, object]],
    names: GraphNames,
    worker: str,
    extra_cursors: Sequence[SyncCursor] = (),
) -> None:
    """Everything one batch writes; call inside `session.execute_write` (the driver retries transients).

    `extra_cursors` (the change log's cursor) are saved with `cursor_after`, under its lock.
    """
    locked = tx.run(render("sync/lock_cursor"), name=cursor_before.name, worker=worker,
                    expected_version=cursor_before.version).single()
    if locked is None:
        raise CursorConflict(f"cursor {cursor_before.name} moved past version {cursor_before.version}")

    for (rel, label, key_names), rows in edge_rows(agg).items():
        emptied = []
        for row in rows:
            row["adds"] = {**row.pop("counts"), **row.pop("sums")}  # type: ignore[dict-item]
            if row.pop("retracts"):
                emptied.append({"src": row["src"], "dst": row["dst"]})
        parts = _target_parts(names, label, key_names)
        tx.run(render("sync/merge_edges", rel=ident(rel), **parts), edges=rows,
               half_life_s=agg.half_life_seconds).consume()
        if emptied:  # rows taken out (sync.changes_log): an edge left with no row goes
            tx.run(render("sync/delete_empty_edges", rel=ident(rel), **parts), edges=emptied).consume()

    for (label, key_names), items in _node_group(agg.impressions).items():
        rows = [{"src": u, "dst": n.key_map, "kind": n.kind, "count": s.count,
                 "first_at": wire_time(s.first_at), "last_at": wire_time(s.last_at)} for u, n, s in items]
        parts = _target_parts(names, label, key_names)
        tx.run(render("sync/merge_impressions", **parts), impressions=rows).consume()
        emptied = [{"src": r["src"], "dst": r["dst"]} for r in rows if int(r["count"]) < 0]  # type: ignore[call-overload]
        if emptied:
            tx.run(render("sync/delete_empty_edges", rel=ident("IMPRESSED"), **parts), edges=emptied).consume()

    unauthors: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for a in agg.unauthors:
        unauthors[(a.content.label, ",".join(k for k, _ in a.content.keys))].append(
            {"src": a.user, "dst": a.content.key_map, "at": wire_time(a.at)})
    for (label, key_names), rows in unauthors.items():
        tx.run(render("sync/retract_authors", **_target_parts(names, label, key_names)), authors=rows).consume()

    by_label: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for (user, node), (n, at) in agg.authors.items():
        by_label[(node.label, ",".join(k for k, _ in node.keys))].append(
            {"src": user, "dst": node.key_map, "kind": node.kind, "count": n, "at": wire_time(at)})
    for (label, key_names), rows in by_label.items():
        tx.run(render("sync/merge_authors", **_target_parts(names, label, key_names)), authors=rows).consume()

    if agg.connections:
        events = [{"requester": c.requester, "receiver": c.receiver, "state": c.state, "at": wire_time(c.at),
                   "rank": CONNECTION_STATE_RANK.get(c.state or "", -1)}
                  for c in sorted(agg.connections, key=lambda c: c.at)]
        tx.run(render("sync/merge_connections", node_op=names.node_op, src_label=ident(names.user_label),
                      src_key=ident(names.user_key)), events=events).consume()

    if agg.unconnections:
        events = [{"requester": c.requester, "receiver": c.receiver} for c in agg.unconnections]
        tx.run(render("sync/retract_connections", src_label=ident(names.user_label),
                      src_key=ident(names.user_key)), events=events).consume()

    profiles = _profile_rows(agg)
    if profiles:
        tx.run(render("sync/merge_profiles", node_op=names.node_op, src_label=ident(names.user_label),
                      src_key=ident(names.user_key)), profiles=profiles).consume()

    if notes:
        tx.run(render("sync/count_notes"), notes=notes).consume()

    for c in (cursor_after, *extra_cursors):
        tx.run(render("sync/save_cursor"), name=c.name, props=c.to_props()).consume()
