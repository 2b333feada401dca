"""One settings object, read from the environment, defaulting to the services `make services` starts."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVICES_DIR = REPO_ROOT / ".services"


class Settings(BaseSettings):
    """Connection settings and every tunable weight; all overridable by environment variables."""

    # `.services/env` is written by `make services` (generated passwords); the real environment wins.
    model_config = SettingsConfigDict(env_file=SERVICES_DIR / "env", extra="ignore", case_sensitive=False)

    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    neo4j_pool_size: int = 50
    neo4j_acquire_timeout_s: float = 5.0

    database_url: SecretStr = SecretStr("postgresql://activity_admin@127.0.0.1:5433/activity")
    # The sync reads with a read-only role; the admin URL above creates schemas and loads data.
    sync_database_url: SecretStr | None = None

    celery_broker_url: str = "redis://127.0.0.1:6380/0"
    celery_result_backend: str = "redis://127.0.0.1:6380/1"

    # Sync: how long a gap in the id sequence waits before its horizon is taken (see sync/cursor.py).
    sync_gap_grace_s: float = 1.0
    sync_batch_size: int = 5000
    sync_backfill_batch_size: int = 50000
    # False: match the platform's existing nodes only, quarantining rows whose node is absent.
    sync_create_missing: bool = True
    # Partitions (user_id % N) the beat fans each table out to; one Celery task per (table, partition).
    sync_partitions: int = 1

    # GDS jobs (algorithms/): see docs/algorithms.md.
    gds_community_algorithm: Literal["louvain", "leiden"] = "louvain"
    gds_influence_algorithm: Literal["pagerank", "articlerank"] = "pagerank"
    gds_similarity_metric: Literal["JACCARD", "OVERLAP", "COSINE"] = "JACCARD"
    gds_user_top_k: int = 10
    gds_content_top_k: int = 20
    gds_cold_start_min_engagements: int = 3
    # user_similarity leaves out content engaged by more than this share of the engaged users (hub content,
    # e.g. the app's screens); 1 keeps all. Content with at most 100 engagers is always kept.
    gds_similarity_max_content_share: float = 0.05
    # How the similarity jobs compute: "sharing" compares only nodes that share an item (exact, numpy,
    # linear in the sharing pairs); "gds" runs gds.nodeSimilarity (every pair, n^2). Same scores.
    gds_similarity_engine: Literal["sharing", "gds"] = "sharing"
    gds_memory_headroom: float = 0.9
    gds_write_batch_size: int = 10_000

    # Graph model: the platform's labels and keys (settings, so another deployment can differ).
    user_label: str = "Users"
    user_key: str = "user_id"
    content_labels: dict[str, str] = Field(
        default_factory=lambda: {
            "post": "Post",
            "story": "Story",
            "comment": "Comment",
            "community": "Community",
            "community_post": "CommunityPost",
        }
    )
    content_key: str = "uid"
    generic_content_label: str = "Content"

    def safe_dict(self) -> dict[str, object]:
        """Settings for display: secrets masked, passwords stripped from URLs."""
        out: dict[str, object] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                out[name] = redact_url(value.get_secret_value()) if "url" in name else "********"
            else:
                out[name] = value
        return out


def redact_url(url: str) -> str:
    """postgresql://user:secret@host/db -> postgresql://user:***@host/db."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    if ":" in creds:
        creds = creds.split(":", 1)[0] + ":***"
    return f"{scheme}://{creds}@{host}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing the env."""
    return Settings()
