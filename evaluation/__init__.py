"""Offline evaluation of the feed score against baselines, on generated data and CiaoDVD."""
