"""The feed's Celery tasks (aggregates, viewer snapshots) are registered on the project's app and scheduled often
enough to keep snapshots fresh."""

from __future__ import annotations

from activity_graph.celery_app import app
from graph.feed import tasks
from graph.feed.weights import feed_weights


def test_feed_tasks_and_beat_entries_are_registered() -> None:
    assert {tasks.TASK_AGGREGATES, tasks.TASK_VIEWERS} <= set(app.tasks)
    schedule = app.conf.beat_schedule
    by_task = {spec["task"]: spec for spec in schedule.values()}
    assert by_task[tasks.TASK_AGGREGATES]["schedule"] == 300.0
    snapshots = by_task[tasks.TASK_VIEWERS]
    # refreshed at least three times per max age, so an active viewer's snapshot is fresh when the feed asks
    assert snapshots["schedule"] * 3 <= max(180.0, feed_weights().snapshot_max_age_s)
    assert app.tasks[tasks.TASK_VIEWERS].acks_late
