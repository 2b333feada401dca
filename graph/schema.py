"""`graph init`: the constraints and indexes the layer relies on, created only where absent.

Labels and keys are settings, so the DDL is assembled from validated identifiers (schema
commands take no parameters); user values never reach it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.connection import get_driver
from graph.settings import Settings, get_settings

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# The layer's own nodes.
SYNC_CURSOR_LABEL = "SyncCursor"
JOB_RUN_LABEL = "GraphJobRun"


def ident(name: str) -> str:
    """A backticked Cypher identifier, refusing anything that is not a plain name."""
    if not _IDENT.match(name):
        raise ValueError(f"not a valid Neo4j identifier: {name!r}")
    return f"`{name}`"


@dataclass(frozen=True)
class Uniqueness:
    """A property uniqueness constraint: label and its key properties."""

    label: str
    properties: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"ag_{self.label.lower()}_{'_'.join(self.properties)}_unique"

    def ddl(self) -> str:
        props = ", ".join(f"n.{ident(p)}" for p in self.properties)
        return (
            f"CREATE CONSTRAINT {ident(self.name)} IF NOT EXISTS "
            f"FOR (n:{ident(self.label)}) REQUIRE ({props}) IS UNIQUE"
        )


@dataclass(frozen=True)
class RangeIndex:
    """A node range index where a lookup is not by a unique key."""

    label: str
    properties: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"ag_{self.label.lower()}_{'_'.join(self.properties)}_idx"

    def ddl(self) -> str:
        props = ", ".join(f"n.{ident(p)}" for p in self.properties)
        return f"CREATE INDEX {ident(self.name)} IF NOT EXISTS FOR (n:{ident(self.label)}) ON ({props})"


@dataclass(frozen=True)
class RelIndex:
    """A relationship property index, for readers that filter relationships by a property."""

    rel_type: str
    properties: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"ag_rel_{self.rel_type.lower()}_{'_'.join(self.properties)}_idx"

    def ddl(self) -> str:
        props = ", ".join(f"r.{ident(p)}" for p in self.properties)
        return f"CREATE INDEX {ident(self.name)} IF NOT EXISTS FOR ()-[r:{ident(self.rel_type)}]-() ON ({props})"


SchemaItem = Uniqueness | RangeIndex | RelIndex


# The feed's per-viewer snapshots (graph/feed/viewers.py, cypher/feed/refresh_viewers.cypher).
FEED_VIEWER_LABEL = "FeedViewer"


def schema_items(settings: Settings | None = None) -> list[SchemaItem]:
    """Everything `graph init` makes, derived from the label and key settings."""
    s = settings or get_settings()
    items: list[SchemaItem] = [Uniqueness(s.user_label, (s.user_key,)), RangeIndex(s.user_label, ("uid",))]
    items += [Uniqueness(label, (s.content_key,)) for label in sorted(set(s.content_labels.values()))]
    items += [
        Uniqueness(s.generic_content_label, ("content_type", "content_id")),
        Uniqueness(SYNC_CURSOR_LABEL, ("name",)),
        Uniqueness(JOB_RUN_LABEL, ("run_id",)),
        Uniqueness("GraphResultSet", ("name",)),
        Uniqueness(FEED_VIEWER_LABEL, ("user_key",)),
        RelIndex("SIMILAR_TO", ("run_id",)),
    ]
    return items


def _existing_schema(settings: Settings) -> set[tuple[str, tuple[str, ...]]]:
    """(label, properties) already covered by any index or constraint, whoever made it."""
    records, _, _ = get_driver(settings).execute_query(
        "SHOW INDEXES YIELD labelsOrTypes, properties WHERE labelsOrTypes IS NOT NULL "
        "RETURN labelsOrTypes, properties",
        database_=settings.neo4j_database,
    )
    return {(r["labelsOrTypes"][0], tuple(r["properties"])) for r in records if r["labelsOrTypes"]}


def init_graph_schema(settings: Settings | None = None) -> list[str]:
    """Create each item unless the platform (or a previous run) already covers that label and key."""
    s = settings or get_settings()
    existing = _existing_schema(s)
    driver = get_driver(s)
    report = []
    for item in schema_items(s):
        target = item.rel_type if isinstance(item, RelIndex) else item.label
        if (target, item.properties) in existing:
            report.append(f"exists   {item.name} ({target} {', '.join(item.properties)})")
            continue
        driver.execute_query(item.ddl(), database_=s.neo4j_database)
        report.append(f"created  {item.name} ({target} {', '.join(item.properties)})")
    driver.execute_query("CALL db.awaitIndexes(300)", database_=s.neo4j_database)
    return report


def graph_counts(settings: Settings | None = None) -> list[tuple[str, str, int]]:
    """Node counts by label and relationship counts by type, from the count store (cheap)."""
    s = settings or get_settings()
    driver = get_driver(s)
    out: list[tuple[str, str, int]] = []
    labels, _, _ = driver.execute_query("CALL db.labels() YIELD label RETURN label ORDER BY label",
                                        database_=s.neo4j_database)
    for rec in labels:
        n, _, _ = driver.execute_query(f"MATCH (n:{ident(rec['label'])}) RETURN count(n) AS n",
                                       database_=s.neo4j_database)
        out.append(("node", rec["label"], int(n[0]["n"])))
    types, _, _ = driver.execute_query(
        "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType ORDER BY relationshipType",
        database_=s.neo4j_database,
    )
    for rec in types:
        n, _, _ = driver.execute_query(
            f"MATCH ()-[r:{ident(rec['relationshipType'])}]->() RETURN count(r) AS n", database_=s.neo4j_database
        )
        out.append(("relationship", rec["relationshipType"], int(n[0]["n"])))
    return out
