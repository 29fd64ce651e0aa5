"""The six insight tables, computed together: one read of the works serves the slices and the hashtags."""

from __future__ import annotations

import duckdb
import polars as pl

from aitoearn_assets.warehouse.benchmarks import compute_account_benchmarks
from aitoearn_assets.warehouse.breakouts import compute_work_breakouts
from aitoearn_assets.warehouse.hashtags import compute_hashtag_engagement
from aitoearn_assets.warehouse.slices import compute_content_type_engagement, compute_posting_times, read_works
from aitoearn_assets.warehouse.work_age import compute_work_age_metrics


def build_insights(con: duckdb.DuckDBPyConnection, timezone: str) -> dict[str, pl.DataFrame]:
    """{table: frame} of posting_times (in `timezone`), content_type_engagement, hashtag_engagement,
    work_age_metrics, work_breakouts and account_benchmarks (account_engagement must be built)."""
    works = read_works(con)
    work_age = compute_work_age_metrics(con)
    return {
        "posting_times": compute_posting_times(works, timezone),
        "content_type_engagement": compute_content_type_engagement(works),
        "hashtag_engagement": compute_hashtag_engagement(works),
        "work_age_metrics": work_age,
        "work_breakouts": compute_work_breakouts(con, work_age),
        "account_benchmarks": compute_account_benchmarks(con),
    }
