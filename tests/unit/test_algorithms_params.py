"""Pure parts of the GDS jobs: run ids, parameter resolution, settings fallbacks, memory checks, CLI parsing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from algorithms.cli import parse_overrides
from algorithms.communities import CommunityParams
from algorithms.config import algorithm_config
from algorithms.embeddings import EmbeddingParams
from algorithms.jobs import JOBS, TARGETS, job_spec
from algorithms.progress import parse_percent
from algorithms.projection import InsufficientMemory, MemoryEstimate, ProjectionSpec, graph_name
from algorithms.runs import new_run_id
from algorithms.user_similarity import EngagementSimilarityParams, UserSimilarityParams
from graph.settings import Settings

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_run_ids_sort_by_start_time_across_jobs() -> None:
    ids = [new_run_id(job, T0 + timedelta(microseconds=i)) for i, job in enumerate(["z_job", "a_job", "m_job"])]
    assert sorted(ids) == ids
    assert len({new_run_id("x", T0) for _ in range(50)}) == 50
    assert graph_name("user_similarity", "user_content", ids[0]).startswith("ag_user_similarity_user_content_")


def test_parameters_resolve_from_settings() -> None:
    config = algorithm_config(Settings.model_construct())
    params = UserSimilarityParams().resolved(config, T0)
    assert params.now == T0
    assert params.half_life_days == config.half_life_days
    assert params.similarity_metric == "JACCARD"
    assert params.top_k == 10
    assert params.decay_parameters() == {"now": T0, "half_life_seconds": config.half_life_days * 86400.0}
    explicit = UserSimilarityParams(similarity_metric="COSINE", top_k=3, half_life_days=7).resolved(config, T0)
    assert (explicit.similarity_metric, explicit.top_k, explicit.half_life_seconds) == ("COSINE", 3, 7 * 86400.0)
    assert CommunityParams().resolved(config, T0).algorithm == "louvain"
    assert EmbeddingParams().resolved(config, T0).cold_start_min_engagements == 3
    assert EmbeddingParams(cold_start_min_engagements=0).resolved(config, T0).cold_start_min_engagements == 0


def test_hub_cap_is_a_share_of_engaged_users_with_a_floor() -> None:
    config = algorithm_config(Settings.model_construct())
    assert config.max_content_share == 0.05
    params = EngagementSimilarityParams().resolved(config, T0)
    assert params.max_content_share == 0.05
    assert params.engager_cap(1_000) == 100  # 5% is 50: the floor keeps content with up to 100 engagers
    assert params.engager_cap(10_000) == 500
    assert params.engager_cap(100_001) == 5001  # rounded up
    assert EngagementSimilarityParams(max_content_share=1).resolved(config, T0).engager_cap(10_000) is None
    assert EngagementSimilarityParams(max_content_share=0.5, min_content_cap=3).resolved(config, T0).engager_cap(
        4
    ) == 3
    with pytest.raises(RuntimeError):
        EngagementSimilarityParams().engager_cap(10)
    with pytest.raises(ValidationError):
        EngagementSimilarityParams(max_content_share=0)
    with pytest.raises(ValueError, match="gds_similarity_max_content_share"):
        algorithm_config(Settings.model_construct(gds_similarity_max_content_share=1.5))


def test_settings_fields_override_defaults_when_present() -> None:
    class WithFields(Settings):
        gds_community_algorithm: str = "leiden"
        gds_similarity_metric: str = "cosine"
        half_life_days: float = 7.0

    config = algorithm_config(WithFields.model_construct())
    assert config.community_algorithm == "leiden"
    assert config.similarity_metric == "COSINE"
    assert config.half_life_seconds == 7 * 86400.0


def test_bad_settings_are_refused() -> None:
    class Bad(Settings):
        gds_community_algorithm: str = "girvan_newman"

    with pytest.raises(ValueError, match="gds_community_algorithm"):
        algorithm_config(Bad.model_construct())


def test_parameters_are_validated() -> None:
    with pytest.raises(ValidationError):
        UserSimilarityParams(top_k=0)
    with pytest.raises(ValidationError):
        UserSimilarityParams(similarity_metric="EUCLIDEAN")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        UserSimilarityParams(now=datetime(2025, 1, 1))  # naive
    with pytest.raises(ValidationError):
        UserSimilarityParams.model_validate({"unknown": 1})
    assert job_spec("user_similarity").parse({"top_k": "5"}).top_k == 5


def test_targets_name_registered_jobs() -> None:
    assert set(TARGETS["all"]) == set(JOBS)
    for names in TARGETS.values():
        assert set(names) <= set(JOBS)


def test_insufficient_memory_message_compares_estimate_and_heap() -> None:
    estimate = MemoryEstimate(
        node_count=100_000,
        relationship_count=2_000_000,
        bytes_min=60 * 2**20,
        bytes_max=80 * 2**20,
        required_memory="[60 MiB ... 80 MiB]",
        available_heap_bytes=50 * 2**20,
        headroom=0.9,
    )
    assert not estimate.fits
    text = str(InsufficientMemory("user_similarity", estimate))
    assert "[60 MiB ... 80 MiB]" in text and "80.0 MiB" in text and "50.0 MiB" in text and "45.0 MiB" in text
    assert "100,000 nodes" in text and "heap" in text


def test_fictitious_graph_for_estimates() -> None:
    spec = ProjectionSpec("p", "project_user_content", "count_user_content", undirected=True)
    config: dict[str, Any] = spec.fictitious(0, 5)
    assert config["nodeCount"] == 1 and config["relationshipCount"] == 5
    assert config["relationshipProjection"]["R"] == {"type": "*", "orientation": "UNDIRECTED", "properties": ["weight"]}


def test_parse_percent() -> None:
    assert parse_percent("42.5%") == pytest.approx(0.425)
    assert parse_percent("100%") == 1.0
    assert parse_percent("n/a") is None


def test_cli_overrides_parse_json_values() -> None:
    assert parse_overrides(
        ["top_k=5", "similarity_metric=COSINE", "random_seed=null", "include_co_engagement=false"]
    ) == {
        "top_k": 5,
        "similarity_metric": "COSINE",
        "random_seed": None,
        "include_co_engagement": False,
    }


def test_tasks_register_on_an_app_and_schedule_named_entries() -> None:
    from algorithms.tasks import BEAT_SCHEDULE, TASK_RUN_JOB, TASK_RUN_TARGET, register

    registered: dict[str, dict[str, Any]] = {}

    class FakeApp:
        def task(self, **options: Any) -> Any:
            def wrap(fn: Any) -> Any:
                registered[options["name"]] = options
                return fn

            return wrap

    tasks = register(FakeApp())
    assert set(tasks) == {TASK_RUN_JOB, TASK_RUN_TARGET}
    assert all(o["acks_late"] for o in registered.values())
    assert {e["task"] for e in BEAT_SCHEDULE.values()} == {TASK_RUN_TARGET}
    assert {e["args"][0] for e in BEAT_SCHEDULE.values()} == {"similarity", "embeddings", "communities", "influence"}


def test_similarity_engine_resolves_from_the_setting() -> None:
    from algorithms.content_similarity import ContentSimilarityParams

    config = algorithm_config(Settings.model_construct())
    assert config.similarity_engine == "sharing"
    assert EngagementSimilarityParams().resolved(config, T0).similarity_engine == "sharing"
    assert ContentSimilarityParams(similarity_engine="gds").resolved(config, T0).similarity_engine == "gds"
    assert "similarity_engine" not in UserSimilarityParams().resolved(config, T0).gds_config()

    class OnGds(Settings):
        gds_similarity_engine: str = "GDS"

    assert algorithm_config(OnGds.model_construct()).similarity_engine == "gds"

    class Bad(Settings):
        gds_similarity_engine: str = "faiss"

    with pytest.raises(ValueError, match="gds_similarity_engine"):
        algorithm_config(Bad.model_construct())
    with pytest.raises(ValidationError):
        UserSimilarityParams(similarity_engine="faiss")  # type: ignore[arg-type]


def test_similarity_cutoff_zero_needs_the_gds_engine() -> None:
    config = algorithm_config(Settings.model_construct())
    with pytest.raises(ValueError, match="similarity_cutoff 0 needs similarity_engine 'gds'"):
        UserSimilarityParams(similarity_cutoff=0).resolved(config, T0)
    on_gds = UserSimilarityParams(similarity_cutoff=0, similarity_engine="gds").resolved(config, T0)
    assert on_gds.similarity_cutoff == 0
