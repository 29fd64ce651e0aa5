"""Build the analytics tables from raw_works and accounts, each replaced atomically."""

from __future__ import annotations

from datetime import datetime

import duckdb

from aitoearn_assets.warehouse.schema import read_sql
from aitoearn_assets.warehouse.writes import replace_table_as

DEFAULT_TOP_N = 10


def build_account_engagement(con: duckdb.DuckDBPyConnection, computed_at: datetime) -> int:
    """Replace `account_engagement` (definitions in account_engagement.sql); returns its row count."""
    return replace_table_as(con, "account_engagement", read_sql("account_engagement"), [computed_at])


def build_top_works(con: duckdb.DuckDBPyConnection, n: int = DEFAULT_TOP_N) -> int:
    """Replace `top_works` with the top `n` works of each account; returns its row count."""
    if type(n) is not int or n < 1:
        raise ValueError(f"top_works n must be a whole number of at least 1, not {n!r}")
    return replace_table_as(
        con, "top_works", read_sql("top_works"), {"n": n}, staged={"top_works_cutoff": read_sql("top_works_cutoff")}
    )
