"""The operator's side of activity-graph: the CLI, the Celery app and the health check."""
