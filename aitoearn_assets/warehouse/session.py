"""What every connection the project opens is set to, whoever opens it (the resource, the lake, the CLI)."""

from __future__ import annotations

import duckdb


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Turn off DuckDB's progress bar, which it draws on stdout once a query runs past 2 s (on a busy
    machine a 600,000-row write does): into a step's captured output, between the CLI's progress lines,
    and into the pipe of whoever reads this process's output. A session setting (not a `config` one)."""
    con.execute("SET enable_progress_bar = false")
    return con
