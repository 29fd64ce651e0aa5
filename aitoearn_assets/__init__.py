"""AiToEarn Open Platform data as Dagster assets in DuckDB."""
