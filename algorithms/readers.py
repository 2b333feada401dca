"""Reading the jobs' current results the way every reader should: through the result-set pointer."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import neo4j

from algorithms.cypher_text import statement
from algorithms.scoring import adjusted_rand_index, normalized_mutual_info
from graph.connection import get_driver
from graph.settings import Settings, get_settings

# Which job's result set holds each `SIMILAR_TO.source`.
JOB_OF_SOURCE = {"engagement": "user_similarity", "social": "social_similarity", "embedding": "embeddings"}


@dataclass(frozen=True)
class Neighbour:
    """One similar node and its score."""

    key: str
    score: float


def _read(name: str, settings: Settings | None, **parameters: object) -> list[neo4j.Record]:
    s = settings or get_settings()
    records, _, _ = get_driver(s).execute_query(
        statement(name, s), parameters, database_=s.neo4j_database, routing_=neo4j.RoutingControl.READ
    )
    return records


def similar_users(
    user_id: str, source: str = "engagement", limit: int = 10, settings: Settings | None = None
) -> list[Neighbour]:
    """A user's most similar users from the current run of the job behind `source`."""
    if source not in JOB_OF_SOURCE:
        raise ValueError(f"source must be one of {', '.join(JOB_OF_SOURCE)}, got {source!r}")
    records = _read("read_similar_users", settings, job=JOB_OF_SOURCE[source], user_id=user_id, limit=limit)
    return [Neighbour(str(r["user_id"]), float(r["score"])) for r in records]


def similar_content(element_id: str, limit: int = 20, settings: Settings | None = None) -> list[Neighbour]:
    """A content node's most similar content (by element id) from the current content-similarity run."""
    records = _read("read_similar_content", settings, element_id=element_id, limit=limit)
    return [Neighbour(str(r["element_id"]), float(r["score"])) for r in records]


def communities(settings: Settings | None = None) -> dict[str, int]:
    """user key -> current community id."""
    return {str(r["user_id"]): int(r["community"]) for r in _read("read_communities", settings)}


@dataclass(frozen=True)
class Recovery:
    """How well the detected communities recover planted ones, over the users in both."""

    users: int
    planted_communities: int
    detected_communities: int
    adjusted_rand_index: float
    normalized_mutual_info: float


def community_recovery(planted: Mapping[str, Hashable], settings: Settings | None = None) -> Recovery:
    """Compare `planted` (user key -> planted community, e.g. the generator's) with `community`."""
    detected = communities(settings)
    users = sorted(set(planted) & set(detected))
    truth = [planted[u] for u in users]
    found = [detected[u] for u in users]
    return Recovery(
        users=len(users),
        planted_communities=len(set(truth)),
        detected_communities=len(set(found)),
        adjusted_rand_index=adjusted_rand_index(truth, found),
        normalized_mutual_info=normalized_mutual_info(truth, found),
    )
