"""The write-up's analytics over the activity tables: aggregation, quality, patterns, profiles, feed metrics, A/B."""
