"""Activity tracking for the platform: validate, buffer and batch-write activity rows off the request path."""
