"""Run lifecycle: `:GraphJobRun` metadata, results under the run's id, the atomic switch readers follow.

Replacement scheme (docs/algorithms.md):
  1. A run gets an id that sorts by start time and a `GraphJobRun {outcome: 'running'}`.
  2. `SIMILAR_TO` edges are written in batches, each carrying `run_id`. Readers match only edges whose
     `run_id` equals their job's `(:GraphResultSet {name: job}).run_id`, so the half-written run is invisible.
  3. Publish: one transaction points the result set at the run (only if no newer run published first).
     Node properties (community, influence, embedding) are written in that same transaction, so readers see
     every old value or every new one.
  4. Then the edges of every older run of the job are deleted in batches; readers never saw them anyway.
  A failed run deletes its own edges; a run overtaken by a newer one ('superseded') deletes its own too.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar, cast

import neo4j
from graphdatascience import GraphDataScience

from algorithms.client import gds_client
from algorithms.config import AlgorithmConfig, algorithm_config
from algorithms.cypher_text import statement
from algorithms.params import JobParams
from algorithms.progress import NoProgress, ProgressSink, watching_gds_task
from algorithms.projection import GDS_MEMORY_GUARD, InsufficientMemory, MemoryEstimate, Projection, graph_name
from graph.connection import get_driver
from graph.settings import Settings, get_settings

log = logging.getLogger(__name__)

P = TypeVar("P", bound=JobParams)
R = TypeVar("R")

OUTCOMES = ("running", "succeeded", "superseded", "failed")


def new_run_id(job: str, started_at: datetime) -> str:
    """`20250101T120000123456Z-user_similarity-a1b2c3`: sorts by start time, unique, readable."""
    at = started_at.astimezone(timezone.utc)
    return f"{at:%Y%m%dT%H%M%S%f}Z-{job}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class NodeWrite:
    """A node-property write-back (a `cypher/algorithms/write_*` file) done inside the publish transaction."""

    query: str
    parameters: dict[str, Any]


@dataclass
class RunContext:
    """What a job's body gets: its run, the client and driver, settings, progress, and what it records."""

    job: str
    run_id: str
    started_at: datetime
    settings: Settings
    config: AlgorithmConfig
    gds: GraphDataScience
    driver: neo4j.Driver
    progress: ProgressSink = field(default_factory=NoProgress)
    node_count: int = 0
    relationship_count: int = 0
    estimate: MemoryEstimate | None = None
    results_written: int = 0
    switched: bool | None = None

    @property
    def database(self) -> str:
        return self.settings.neo4j_database

    def step(self, description: str) -> None:
        self.progress.step(self.job, description)

    def graph_name(self, purpose: str) -> str:
        return graph_name(self.job, purpose, self.run_id)

    def gds_job_id(self, what: str) -> str:
        """A job id for a GDS procedure, so its progress can be polled (`gds.listProgress`)."""
        return f"{self.run_id}-{what}"

    @contextmanager
    def watching(self, gds_job_id: str) -> Iterator[None]:
        with watching_gds_task(self.driver, self.database, gds_job_id, self.progress, self.job):
            yield

    def record_estimate(self, estimate: MemoryEstimate) -> None:
        self.estimate = estimate

    def record_projection(self, projection: Projection) -> None:
        self.node_count += projection.node_count
        self.relationship_count += projection.relationship_count
        self.estimate = projection.estimate

    def run_auto_commit(self, query_name: str, parameters: dict[str, Any]) -> neo4j.ResultSummary:
        """A `CALL ... IN TRANSACTIONS` statement: needs an implicit (auto-commit) transaction."""
        with self.driver.session(database=self.database) as session:
            return session.run(statement(query_name, self.settings), parameters).consume()

    def publish(self, node_writes: Sequence[NodeWrite] = ()) -> bool:
        """Switch the job's result set to this run and write `node_writes`, all in one transaction.

        Returns False (and writes nothing) when a newer run has already published.
        """
        if self.switched is not None:
            raise RuntimeError(f"run {self.run_id} already published")
        self.step("publish (switch result set)")

        def work(tx: neo4j.ManagedTransaction) -> tuple[bool, int]:
            row = tx.run(
                statement("switch_result_set", self.settings),
                job=self.job,
                run_id=self.run_id,
                switched_at=datetime.now(timezone.utc),
            ).single(strict=True)
            if not row["switched"]:
                return False, 0
            written = 0
            for write in node_writes:
                rec = tx.run(statement(write.query, self.settings), write.parameters).single(strict=True)
                written += int(rec["nodes_written"])
            return True, written

        with self.driver.session(database=self.database) as session:
            switched, written = session.execute_write(work)
        self.switched = switched
        self.results_written += written
        return switched


@dataclass(frozen=True)
class JobSpec(Generic[P, R]):
    """One job: its name, parameter type, and body (`run(ctx, params) -> result`)."""

    name: str
    description: str
    params_type: type[P]
    run: Callable[[RunContext, P], R]

    def parse(self, params: P | dict[str, Any] | None) -> P:
        """Validate loose parameters (CLI, Celery JSON) into the job's type."""
        if params is None:
            return self.params_type()
        if isinstance(params, self.params_type):
            return params
        if isinstance(params, JobParams):
            raise TypeError(f"{self.name} takes {self.params_type.__name__}, got {type(params).__name__}")
        return self.params_type.model_validate(params)


@dataclass(frozen=True)
class RunOutcome(Generic[R]):
    """How a run ended, with the job's own result when it produced one."""

    run_id: str
    job: str
    outcome: str
    started_at: datetime
    finished_at: datetime
    seconds: float
    node_count: int
    relationship_count: int
    results_written: int
    memory_estimate: str | None
    result: R | None
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        """JSON-safe (Celery results, `--json` output)."""
        return cast(
            dict[str, Any],
            json.loads(
                json.dumps(
                    {
                        "run_id": self.run_id,
                        "job": self.job,
                        "outcome": self.outcome,
                        "started_at": self.started_at.isoformat(),
                        "finished_at": self.finished_at.isoformat(),
                        "seconds": round(self.seconds, 3),
                        "node_count": self.node_count,
                        "relationship_count": self.relationship_count,
                        "results_written": self.results_written,
                        "memory_estimate": self.memory_estimate,
                        "result": _jsonable(self.result),
                        "error": self.error,
                    },
                    default=str,
                )
            ),
        )


def _jsonable(value: object) -> object:
    if value is None:
        return None
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


def _stats_json(result: object) -> str:
    return json.dumps(_jsonable(result), default=str, sort_keys=True)


def _run(driver: neo4j.Driver, settings: Settings, name: str, **parameters: Any) -> list[neo4j.Record]:
    records, _, _ = driver.execute_query(statement(name, settings), parameters, database_=settings.neo4j_database)
    return records


def delete_results_of(ctx: RunContext, run_ids: Sequence[str]) -> None:
    """Delete the `SIMILAR_TO` edges of `run_ids` in batches and mark those runs cleared."""
    if not run_ids:
        return
    ctx.run_auto_commit("delete_run_results", {"run_ids": list(run_ids), "batch_size": ctx.config.write_batch_size})
    _run(ctx.driver, ctx.settings, "mark_results_cleared", run_ids=list(run_ids))


def _finish(ctx: RunContext, outcome: str, result: object, error: str | None) -> datetime:
    finished = datetime.now(timezone.utc)
    est = ctx.estimate
    _run(
        ctx.driver,
        ctx.settings,
        "finish_run",
        run_id=ctx.run_id,
        finished_at=finished,
        seconds=(finished - ctx.started_at).total_seconds(),
        node_count=ctx.node_count,
        relationship_count=ctx.relationship_count,
        memory_estimate=est.required_memory if est else None,
        memory_estimate_bytes=est.bytes_max if est else None,
        available_heap_bytes=est.available_heap_bytes if est else None,
        results_written=ctx.results_written,
        stats=_stats_json(result),
        outcome=outcome,
        error=error,
    )
    return finished


def _translate(exc: BaseException, ctx: RunContext) -> BaseException:
    """GDS's own memory guard (a run's estimate above free heap at run time) as `InsufficientMemory`."""
    if isinstance(exc, neo4j.exceptions.Neo4jError) and GDS_MEMORY_GUARD in str(exc):
        translated = InsufficientMemory(f"{ctx.job} ({ctx.run_id})", ctx.estimate, detail=str(exc))
        translated.__cause__ = exc
        return translated
    return exc


def _outcome(
    ctx: RunContext, outcome: str, finished: datetime, seconds: float, result: R | None, error: str | None
) -> RunOutcome[R]:
    return RunOutcome(
        run_id=ctx.run_id,
        job=ctx.job,
        outcome=outcome,
        started_at=ctx.started_at,
        finished_at=finished,
        seconds=seconds,
        node_count=ctx.node_count,
        relationship_count=ctx.relationship_count,
        results_written=ctx.results_written,
        memory_estimate=ctx.estimate.required_memory if ctx.estimate else None,
        result=result,
        error=error,
    )


def execute(
    job: JobSpec[P, R],
    params: P | dict[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    progress: ProgressSink | None = None,
    gds: GraphDataScience | None = None,
    reraise: bool = True,
) -> RunOutcome[R]:
    """Run `job` with the whole lifecycle. A failure is recorded and cleaned up, then raised (or, with
    `reraise=False`, returned as a 'failed' outcome)."""
    s = settings or get_settings()
    config = algorithm_config(s)
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    run_id = new_run_id(job.name, started)
    resolved = job.parse(params).resolved(config, started)
    client = gds or gds_client(s)
    driver = get_driver(s)
    ctx = RunContext(
        job=job.name,
        run_id=run_id,
        started_at=started,
        settings=s,
        config=config,
        gds=client,
        driver=driver,
        progress=progress or NoProgress(),
    )
    try:
        _run(
            driver,
            s,
            "create_run",
            run_id=run_id,
            job=job.name,
            parameters=resolved.model_dump_json(),
            started_at=started,
        )
        try:
            result = job.run(ctx, resolved)
            if ctx.switched is None:
                ctx.publish()
        except BaseException as exc:
            error = _translate(exc, ctx)
            message = f"{type(error).__name__}: {error}"
            finished = _finish(ctx, "failed", None, message)
            ctx.step("clean up after failure")
            try:
                delete_results_of(ctx, [run_id])
            except Exception:  # the job's own error is the one to raise; the next run cleans up
                log.exception("could not delete the results of failed run %s", run_id)
            if not reraise and isinstance(exc, Exception):
                log.error("job %s run %s failed: %s", job.name, run_id, message)
                return _outcome(ctx, "failed", finished, time.perf_counter() - t0, None, message)
            if error is exc:
                raise
            raise error from exc
        if ctx.switched:
            ctx.step("delete previous results")
            older = _run(driver, s, "older_runs", job=job.name, run_id=run_id)[0]["run_ids"]
            delete_results_of(ctx, older)
            outcome = "succeeded"
            finished = _finish(ctx, outcome, result, None)
        else:
            # A newer run published while this one ran: its results win, this run's are dropped.
            outcome = "superseded"
            finished = _finish(ctx, outcome, result, None)
            ctx.step("superseded: delete own results")
            delete_results_of(ctx, [run_id])
        ctx.step("done")
        return _outcome(ctx, outcome, finished, time.perf_counter() - t0, result, None)
    finally:
        if gds is None:
            client.close()
