"""`account_benchmarks`: where each account's engagement rate stands among its platform's (README, "Definitions").

The peers of a platform are its accounts in account_engagement with at least BENCHMARK_MIN_RATED (5)
rated works. `percentile` = the share of the peers with a strictly lower engagement_rate (0 to 1; the
account is one of the peers), NULL for an account below 5 rated works; `platform_median_rate` = the
peers' median rate. Every account of account_engagement has a row.
"""

from __future__ import annotations

import duckdb
import polars as pl

from aitoearn_assets.metrics import BENCHMARK_MIN_RATED
from aitoearn_assets.tables import ACCOUNT_BENCHMARKS_COLUMNS


def compute_account_benchmarks(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per account of account_engagement (columns: tables.ACCOUNT_BENCHMARKS_COLUMNS)."""
    accounts = con.sql(
        "SELECT platform, account_id, nickname, engagement_rate, works_rated FROM account_engagement"
    ).pl()
    peer = pl.col("works_rated") >= BENCHMARK_MIN_RATED
    peers = accounts.filter(peer)
    platforms = peers.group_by("platform").agg(
        pl.len().cast(pl.Int64).alias("platform_accounts"),
        pl.col("engagement_rate").median().alias("platform_median_rate"),
    )
    below = peers.select(
        "platform", "account_id", (pl.col("engagement_rate").rank("min").over("platform") - 1).alias("lower")
    )
    return (
        accounts.join(platforms, on="platform", how="left")
        .join(below, on=["platform", "account_id"], how="left")
        .with_columns(
            pl.col("platform_accounts").fill_null(0),
            (pl.col("lower") / pl.col("platform_accounts")).alias("percentile"),
        )
        .select(list(ACCOUNT_BENCHMARKS_COLUMNS))
        .sort("platform", "account_id")
    )
