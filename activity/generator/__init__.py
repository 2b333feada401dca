"""Generated activity for the eight platform tables: deterministic, realistic, fast (binary COPY).

Public API:
- `generate(conn_or_url, users, days, seed, *, end=None, progress=None, ...) -> GenerationReport`
- `user_uid(user_id, seed)` and `iter_user_uids(users, seed)`: the Users.uid of each generated user
- `iter_communities(users, seed)`: the platform Community nodes (uid, planted community, founder)
- `iter_days(config)`: the rows as binary COPY tuples per table, without a database (tests)

See `simulate.py` for the behaviour model and `badrows.py` for the deliberately bad rows.
"""

from __future__ import annotations

from collections.abc import Iterator

from .config import DEFAULT_END, GenerationConfig, default_communities
from .core import IndexMode, ProgressCallback, generate, iter_days
from .ids import community_uid, iter_user_uids, user_uid
from .population import Population
from .report import GenerationProgress, GenerationReport


def iter_communities(users: int, seed: int, *, communities: int | None = None) -> Iterator[tuple[str, int, int, str]]:
    """(Community.uid, planted community, founder's Django user id, name) of every platform community.

    Vibe rows may name one of these uids as their target; the sync resolves them against Community nodes.
    """
    pop = Population(GenerationConfig(users=users, days=1, seed=seed, communities=communities))
    for g in pop.groups:
        yield g.uid, g.planted, pop.user_id(g.founder), g.name


__all__ = [
    "DEFAULT_END",
    "GenerationConfig",
    "GenerationProgress",
    "GenerationReport",
    "IndexMode",
    "ProgressCallback",
    "community_uid",
    "default_communities",
    "generate",
    "iter_communities",
    "iter_days",
    "iter_user_uids",
    "user_uid",
]
