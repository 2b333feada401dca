"""Graph Data Science jobs: user and content similarity, embeddings, communities, influence, written back.

Entry points: `run_job(name, params)`, `run_target(target)`, `run_all()`, `recent_runs(limit)`;
the CLI in `algorithms.cli`, Celery tasks in `algorithms.tasks`. See docs/algorithms.md.
"""

from __future__ import annotations

from algorithms.jobs import JOBS, TARGETS, UnknownJob, run_all, run_job, run_target
from algorithms.projection import InsufficientMemory
from algorithms.runs import RunOutcome
from algorithms.status import RunRecord, current_run_ids, recent_runs

__all__ = [
    "JOBS",
    "TARGETS",
    "InsufficientMemory",
    "RunOutcome",
    "RunRecord",
    "UnknownJob",
    "current_run_ids",
    "recent_runs",
    "run_all",
    "run_job",
    "run_target",
]
