"""Fetching and shaping API data into warehouse rows (no Dagster)."""
