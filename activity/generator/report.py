"""What a generation run reports (rows per table, time, rate) and what its progress callback receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class GenerationProgress:
    """Sent to the progress callback after each simulated day has been handed to the writers."""

    day: int  # days done, 1..days
    days: int
    rows: int  # activity rows generated so far
    seconds: float  # since the start of the run

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class GenerationReport:
    """The outcome of `generate`: counts per table, the bad rows planted, and the loading rate."""

    users: int
    days: int
    seed: int
    end: datetime
    communities: int
    #: rows written per activity table (the eight tables; auth_user is counted apart)
    rows: dict[str, int]
    #: deliberately bad rows per "table:kind"
    bad_rows: dict[str, int]
    auth_users_inserted: int
    #: wall time of the whole run: set-up, generation, COPY, index rebuild if any, commit, ground truth
    seconds: float
    index_mode: str
    workers: int
    phases: dict[str, float] = field(default_factory=dict)
    #: CPU time of this process (generation + encoding); the rest of `seconds` is the server's share
    python_cpu_seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total_bad_rows(self) -> int:
        return sum(self.bad_rows.values())

    @property
    def rows_per_second(self) -> float:
        """Activity rows per second of wall time, end to end (the number the benchmark reports)."""
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        lines = [
            f"generated {self.total_rows:,} activity rows for {self.users:,} users x {self.days} days "
            f"(seed {self.seed}, {self.communities} planted communities) in {self.seconds:.1f} s: "
            f"{self.rows_per_second:,.0f} rows/s [{self.index_mode}, {self.workers} writer(s)]",
        ]
        for table, n in self.rows.items():
            share = n / self.total_rows if self.total_rows else 0.0
            lines.append(f"  {table:<22} {n:>12,}  {share:6.1%}")
        lines.append(
            f"  bad rows (planted)     {self.total_bad_rows:>12,}  "
            f"{(self.total_bad_rows / self.total_rows if self.total_rows else 0.0):6.2%}"
        )
        if self.phases:
            lines.append("  phases: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.phases.items()))
        if self.python_cpu_seconds:
            lines.append(
                f"  generator CPU {self.python_cpu_seconds:.1f}s "
                f"({self.total_rows / self.python_cpu_seconds:,.0f} rows per CPU-second of Python)"
            )
        return "\n".join(lines)
