"""The part of activity-graph the platform imports: settings, the graph model, feed scores."""
