"""The HTML report over the warehouse (no Dagster)."""
