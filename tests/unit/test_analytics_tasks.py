"""The analytics' Celery tasks are registered on the project's app, with their beat entries."""

from __future__ import annotations

from activity_graph.celery_app import app
from analytics import tasks


def test_tasks_and_beat_entries_are_registered() -> None:
    names = {tasks.TASK_AGGREGATE, tasks.TASK_AGGREGATE_RECENT, tasks.TASK_QUALITY, tasks.TASK_PATTERNS}
    assert names <= set(app.tasks)
    for entry, spec in tasks.BEAT_SCHEDULE.items():
        assert app.conf.beat_schedule[entry] == spec
        assert spec["task"] in names
    assert app.tasks[tasks.TASK_AGGREGATE].acks_late
