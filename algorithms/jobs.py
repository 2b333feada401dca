"""The job registry and the entry points the CLI, Celery and tests share: run one job, a target, or all."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from algorithms.communities import COMMUNITIES
from algorithms.content_similarity import CONTENT_SIMILARITY
from algorithms.embeddings import EMBEDDINGS
from algorithms.influence import INFLUENCE
from algorithms.params import JobParams
from algorithms.progress import ProgressSink
from algorithms.runs import JobSpec, RunOutcome, execute
from algorithms.user_similarity import SOCIAL_SIMILARITY, USER_SIMILARITY
from graph.settings import Settings

log = logging.getLogger(__name__)

JOBS: dict[str, JobSpec[Any, Any]] = {
    job.name: job
    for job in (USER_SIMILARITY, SOCIAL_SIMILARITY, CONTENT_SIMILARITY, EMBEDDINGS, COMMUNITIES, INFLUENCE)
}

# What `activity-graph algorithms run <target>` runs, in order.
TARGETS: dict[str, tuple[str, ...]] = {
    "similarity": ("user_similarity", "social_similarity", "content_similarity"),
    "embeddings": ("embeddings",),
    "communities": ("communities",),
    "influence": ("influence",),
    "all": (
        "user_similarity",
        "social_similarity",
        "content_similarity",
        "embeddings",
        "communities",
        "influence",
    ),
}


class UnknownJob(KeyError):
    """A job or target name that is not registered."""


def job_spec(name: str) -> JobSpec[Any, Any]:
    try:
        return JOBS[name]
    except KeyError:
        raise UnknownJob(f"unknown job {name!r}; jobs: {', '.join(JOBS)}") from None


def run_job(
    name: str,
    params: JobParams | Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    progress: ProgressSink | None = None,
) -> RunOutcome[Any]:
    """Run one job end to end (estimate, project, compute, write, publish, clean up); raises on failure."""
    spec = job_spec(name)
    loose = dict(params) if isinstance(params, Mapping) else params
    return execute(spec, loose, settings=settings, progress=progress)


def _overrides_for(spec: JobSpec[Any, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    fields = spec.params_type.model_fields
    return {k: v for k, v in overrides.items() if k in fields}


def run_target(
    target: str,
    overrides: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    progress: ProgressSink | None = None,
) -> list[RunOutcome[Any]]:
    """Run a target's jobs in order. A failing job is recorded and the next one still runs.

    `overrides` go to every job whose parameters have that field (e.g. `{"similarity_metric": "COSINE"}`).
    """
    if target not in TARGETS:
        raise UnknownJob(f"unknown target {target!r}; targets: {', '.join(TARGETS)}")
    outcomes: list[RunOutcome[Any]] = []
    for name in TARGETS[target]:
        spec = job_spec(name)
        params = _overrides_for(spec, overrides or {})
        outcomes.append(execute(spec, params, settings=settings, progress=progress, reraise=False))
    return outcomes


def run_all(
    overrides: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    progress: ProgressSink | None = None,
) -> list[RunOutcome[Any]]:
    """Every job, in dependency-free order: similarity, embeddings, communities, influence."""
    return run_target("all", overrides, settings=settings, progress=progress)
