"""`activity-graph algorithms ...`: run the GDS jobs with a progress bar, and list recent runs."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from algorithms.jobs import JOBS, TARGETS, run_target
from algorithms.runs import RunOutcome, execute
from algorithms.status import current_run_ids, recent_runs

app = typer.Typer(no_args_is_help=True, help="Graph Data Science jobs: similarity, embeddings, communities, influence.")
console = Console()


class RichProgress:
    """One line per job: its current step and, while GDS reports it, the step's progress."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    def _task(self, job: str) -> TaskID:
        if job not in self._tasks:
            self._tasks[job] = self._progress.add_task("starting", total=100, job=job)
        return self._tasks[job]

    def step(self, job: str, description: str) -> None:
        task = self._task(job)
        done = description == "done"
        self._progress.update(task, description=description, completed=100 if done else 0)

    def fraction(self, job: str, done: float) -> None:
        self._progress.update(self._task(job), completed=round(done * 100, 1))


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs; a value that parses as JSON is taken as JSON (numbers, true, null, lists)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"expected key=value, got {pair!r}", param_hint="--set")
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


def _headline(outcome: RunOutcome[Any]) -> str:
    result = outcome.result
    if result is None:
        return (outcome.error or "")[:120]
    for field, label in (
        ("modularity", "modularity"),
        ("relationships_written", "SIMILAR_TO"),
        ("nodes_written", "nodes"),
    ):
        value = getattr(result, field, None)
        if value is not None:
            return f"{label} {value:.4f}" if isinstance(value, float) else f"{label} {value:,}"
    return ""


@app.command("run")
def run(
    target: Annotated[str, typer.Argument(help=f"One of: {', '.join(TARGETS)} (or a single job: {', '.join(JOBS)}).")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override for every job with that parameter, e.g. --set similarity_metric=COSINE."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON.")] = False,
) -> None:
    """Run GDS jobs: estimate, project, compute, write back, switch the result set, drop the projection."""
    overrides = parse_overrides(set_ or [])
    if target not in TARGETS and target not in JOBS:
        raise typer.BadParameter(f"unknown target {target!r}", param_hint="TARGET")
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[job]:<20}"),
        TextColumn("{task.description:<48}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, disable=as_json) as bar:
        sink = RichProgress(bar)
        if target in TARGETS:
            outcomes = run_target(target, overrides, progress=sink)
        else:
            outcomes = run_target_single(target, overrides, sink)
    if as_json:
        console.print_json(json.dumps([o.summary() for o in outcomes]))
    else:
        table = Table("job", "outcome", "seconds", "nodes", "rels", "written", "memory", "result")
        for o in outcomes:
            colour = "green" if o.outcome == "succeeded" else "yellow" if o.outcome == "superseded" else "red"
            table.add_row(
                o.job,
                f"[{colour}]{o.outcome}[/{colour}]",
                f"{o.seconds:.1f}",
                f"{o.node_count:,}",
                f"{o.relationship_count:,}",
                f"{o.results_written:,}",
                o.memory_estimate or "",
                _headline(o),
            )
        console.print(table)
    if any(o.outcome == "failed" for o in outcomes):
        raise typer.Exit(1)


def run_target_single(name: str, overrides: dict[str, Any], sink: RichProgress) -> list[RunOutcome[Any]]:
    """One job by name, failures recorded rather than raised (like a target)."""
    spec = JOBS[name]
    params = {k: v for k, v in overrides.items() if k in spec.params_type.model_fields}
    return [execute(spec, params, progress=sink, reraise=False)]


@app.command("status")
def status(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs to list.")] = 20,
) -> None:
    """Recent runs (newest first) and which run each job's readers see."""
    table = Table("run_id", "job", "outcome", "current", "seconds", "nodes", "rels", "written", "memory", "error")
    for r in recent_runs(limit):
        colour = {"succeeded": "green", "superseded": "yellow", "running": "cyan"}.get(r.outcome, "red")
        table.add_row(
            r.run_id,
            r.job,
            f"[{colour}]{r.outcome}[/{colour}]",
            "*" if r.current else "",
            f"{r.seconds:.1f}" if r.seconds is not None else "",
            f"{r.node_count:,}" if r.node_count is not None else "",
            f"{r.relationship_count:,}" if r.relationship_count is not None else "",
            f"{r.results_written:,}" if r.results_written is not None else "",
            r.memory_estimate or "",
            (r.error or "")[:80],
        )
    console.print(table)
    current = current_run_ids()
    if current:
        console.print("readers see: " + ", ".join(f"{job} -> {run_id}" for job, run_id in current.items()))
