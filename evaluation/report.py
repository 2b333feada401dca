"""The evaluation's result as a rich table (terminal), markdown and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from evaluation.harness import EvaluationResult
from evaluation.metrics import MetricRow

HEADERS = ("method", "NDCG@10", "Recall@10", "Recall@50", "coverage@10", "users")


def _cells(row: MetricRow) -> tuple[str, ...]:
    return (row.method, f"{row.ndcg_10:.4f}", f"{row.recall_10:.4f}", f"{row.recall_50:.4f}",
            f"{row.coverage_10:.4f}", str(row.users))


def markdown_table(rows: Sequence[MetricRow]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join(["---"] + ["---:"] * (len(HEADERS) - 1)) + "|"]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def markdown(result: EvaluationResult) -> str:
    st = result.stats
    parts = [
        f"## {result.dataset}",
        "",
        f"{st['interactions']} interactions by {st['users']} users on {st['items']} items "
        f"({st['first'][:10]} to {st['last'][:10]}); {st['test_users']} test users, {st['evaluated_users']} "
        f"evaluated, {st['holdout']} item(s) held out each.",
        "",
        f"Candidates: {result.protocol}.",
        "",
        markdown_table(result.catalogue_rows),
        "",
        "Retrieval from the full catalogue (graph candidates: `graph_feed_candidates`, limit 50):",
        "",
        markdown_table(result.retrieval_rows),
    ]
    if result.notes:
        parts += ["", *(f"* {n}" for n in result.notes)]
    return "\n".join(parts) + "\n"


def rich_tables(result: EvaluationResult) -> list[Table]:
    out = []
    for title, rows in ((f"{result.dataset}: {result.protocol}", result.catalogue_rows),
                        (f"{result.dataset}: retrieval from the full catalogue", result.retrieval_rows)):
        table = Table(title=title, title_justify="left")
        for n, h in enumerate(HEADERS):
            table.add_column(h, justify="left" if n == 0 else "right")
        for r in rows:
            table.add_row(*_cells(r))
        out.append(table)
    return out


def print_result(result: EvaluationResult, console: Console | None = None) -> None:
    c = console or Console()
    for t in rich_tables(result):
        c.print(t)
    for note in result.notes:
        c.print(f"[yellow]note:[/yellow] {note}")


def write_result(result: EvaluationResult, directory: Path | str, stem: str = "evaluation") -> tuple[Path, Path]:
    """``<stem>.json`` and ``<stem>.md`` in `directory`; returns both paths."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    js, md = d / f"{stem}.json", d / f"{stem}.md"
    js.write_text(json.dumps(result.as_dict(), indent=2, default=str) + "\n")
    md.write_text(markdown(result))
    return js, md
