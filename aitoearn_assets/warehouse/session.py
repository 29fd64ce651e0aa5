"""What every connection the project opens is set to, whoever opens it (the resource, the lake, the CLI)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import duckdb


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Turn off DuckDB's progress bar, which it draws on stdout once a query runs past 2 s (on a busy
    machine a 600,000-row write does): into a step's captured output, between the CLI's progress lines,
    and into the pipe of whoever reads this process's output. A session setting (not a `config` one)."""
    con.execute("SET enable_progress_bar = false")
    return con


@contextmanager
def unordered(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB drop row order for the duration (`preserve_insertion_order = false`), then set it back: it then
    streams and spills big aggregations, and writes a table from a frame on every thread (the 1M rows of
    work_growth in 0.55 s, against 1.0 s in order). For tables whose readers sort: a table written so holds its
    rows in no particular order."""
    (order,) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()  # type: ignore[misc]
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        # after a failed statement in a transaction DuckDB refuses even a SET: the failure is what to raise (the
        # setting then stays until the connection closes; each step opens its own)
        with suppress(duckdb.TransactionException):
            con.execute(f"SET preserve_insertion_order = {bool(order)}")
