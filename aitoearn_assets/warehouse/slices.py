"""Slices of each account's works: `posting_times` (weekday and hour) and `content_type_engagement` (format).

Every slice shows the same figures (README, "Definitions"; columns: tables.SLICE_FIGURES_COLUMNS), over
the works work_engagement shows (so not those of accounts the key no longer lists): `works`,
`works_rated`, `exposure` (over the rated works), the pooled `engagement_rate` (their interactions /
their exposure), `median_engagement_rate` (over the rated works) and `median_interactions` (over the
works with interactions). Computed in polars from one read of work_engagement.
"""

from __future__ import annotations

import duckdb
import polars as pl

from aitoearn_assets.tables import CONTENT_TYPE_ENGAGEMENT_COLUMNS, POSTING_TIMES_COLUMNS

ACCOUNT = ["platform", "account_id"]
#: What the slices (and the hashtags) read of each work.
WORK_COLUMNS = (
    "platform", "account_id", "platform_work_id", "content_mode", "title", "description", "published_at",
    "interactions", "exposure", "engagement_rate",
)  # fmt: skip


def read_works(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The works the slices are made of: work_engagement's, with what the slices read."""
    return con.sql(f"SELECT {', '.join(WORK_COLUMNS)} FROM work_engagement").pl()


def slice_figures() -> list[pl.Expr]:
    """The figures of one slice of works, as aggregations (the one definition of each)."""
    rated = pl.col("engagement_rate").is_not_null()
    return [
        pl.len().cast(pl.Int64).alias("works"),
        rated.sum().cast(pl.Int64).alias("works_rated"),
        pl.when(rated.any()).then(pl.col("exposure").filter(rated).sum()).cast(pl.Int64).alias("exposure"),
        pl.when(rated.any())
        .then(pl.col("interactions").filter(rated).sum() / pl.col("exposure").filter(rated).sum())
        .alias("engagement_rate"),
        pl.col("engagement_rate").median().alias("median_engagement_rate"),
        pl.col("interactions").median().cast(pl.Float64).alias("median_interactions"),
    ]


def local_time(timezone: str) -> pl.Expr:
    """published_at (naive UTC) as the wall-clock time of `timezone`."""
    return pl.col("published_at").dt.replace_time_zone("UTC").dt.convert_time_zone(timezone)


def compute_posting_times(works: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """One row per account, weekday and hour of publication in `timezone` with works (those without a
    published_at are left out)."""
    local = local_time(timezone)
    return (
        works.lazy()
        .filter(pl.col("published_at").is_not_null())
        .with_columns(local.dt.weekday().cast(pl.Int32).alias("weekday"), local.dt.hour().cast(pl.Int32).alias("hour"))
        .group_by(*ACCOUNT, "weekday", "hour")
        .agg(slice_figures())
        .with_columns(pl.lit(timezone).alias("timezone"))
        .select(list(POSTING_TIMES_COLUMNS))
        .sort(*ACCOUNT, "weekday", "hour")
        .collect()
    )


def compute_content_type_engagement(works: pl.DataFrame) -> pl.DataFrame:
    """One row per account and content_mode (NULL: not reported) with works."""
    return (
        works.lazy()
        .group_by(*ACCOUNT, "content_mode")
        .agg(slice_figures())
        .select(list(CONTENT_TYPE_ENGAGEMENT_COLUMNS))
        .sort(*ACCOUNT, "content_mode", nulls_last=True)
        .collect()
    )
