"""The DuckDB warehouse: schema, atomic writes and the analytics SQL (no Dagster)."""
