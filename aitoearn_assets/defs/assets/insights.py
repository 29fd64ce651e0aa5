"""Insight assets: when to post, what to post, hashtags, works at equal age, breakouts and benchmarks.

One step builds the six tables (one read of the works serves the slices and the hashtags) and
replaces them in one transaction; each is its own asset, with its columns and figures.
"""

from collections.abc import Iterator

import dagster as dg

from aitoearn_assets.defs.metadata import asset_metadata, markdown_preview
from aitoearn_assets.defs.policies import DAILY_AFTER_INGEST, WRITER_POOL
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.defs.schedules import report_timezone
from aitoearn_assets.tables import (
    ACCOUNT_BENCHMARKS_COLUMNS,
    CONTENT_TYPE_ENGAGEMENT_COLUMNS,
    HASHTAG_ENGAGEMENT_COLUMNS,
    POSTING_TIMES_COLUMNS,
    WORK_AGE_METRICS_COLUMNS,
    WORK_BREAKOUTS_COLUMNS,
)
from aitoearn_assets.warehouse.breakouts import new_breakouts
from aitoearn_assets.warehouse.insights import build_insights
from aitoearn_assets.warehouse.writes import rebuild_tables

INGESTED = ["raw_works", "work_metrics", "accounts"]
#: The check names at most this many new breakouts (the table holds them all).
NAMED_BREAKOUTS = 20

NEW_BREAKOUTS_CHECK = dg.AssetCheckSpec(
    "work_breakouts_none_new",
    asset="work_breakouts",
    description="WARN when works were first found breaking out on the latest run date; names them, with links.",
)


def _spec(table: str, columns: dict, description: str, deps: list[str]) -> dg.AssetSpec:
    return dg.AssetSpec(
        table, group_name="insights", deps=deps, kinds={"duckdb", "polars"}, description=description,
        metadata=asset_metadata(table, columns), automation_condition=DAILY_AFTER_INGEST,
    )  # fmt: skip


def _specs() -> list[dg.AssetSpec]:
    return [
        _spec("posting_times", POSTING_TIMES_COLUMNS,
              "Per account, weekday and hour of publication in the reporting timezone (AITOEARN_REPORT_TIMEZONE): "
              "works, rated works, pooled and median engagement rate, median interactions.", INGESTED),
        _spec("content_type_engagement", CONTENT_TYPE_ENGAGEMENT_COLUMNS,
              "Per account and content mode (video, article, article2): the same figures as posting_times.", INGESTED),
        _spec("hashtag_engagement", HASHTAG_ENGAGEMENT_COLUMNS,
              "Per platform and hashtag on at least 3 works: works, accounts, rated works, pooled rate, median "
              "interactions.", INGESTED),
        _spec("work_age_metrics", WORK_AGE_METRICS_COLUMNS,
              "Per work: exposure and interactions observed at 1, 7 and 28 days old (its snapshot dated its publish "
              "date + N).", INGESTED),
        _spec("work_breakouts", WORK_BREAKOUTS_COLUMNS,
              "Works whose exposure at 1 or 7 days old is at least 3x the median of their account's other works at "
              "that age (5 or more), with the run date each was first found.", ["work_age_metrics"]),
        _spec("account_benchmarks", ACCOUNT_BENCHMARKS_COLUMNS,
              "Per account: its engagement rate's percentile among its platform's accounts with 5+ rated works, and "
              "their median.", ["account_engagement"]),
    ]  # fmt: skip


@dg.multi_asset(specs=_specs(), check_specs=[NEW_BREAKOUTS_CHECK], pool=WRITER_POOL, name="insights")
def insights(warehouse: WarehouseResource) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    timezone = report_timezone()
    with warehouse.writer() as con:
        built = rebuild_tables(con, lambda c: build_insights(c, timezone), keep_order=False)
        fresh = new_breakouts(built["work_breakouts"], con)
    previews = {
        "posting_times": built["posting_times"].sort("engagement_rate", descending=True, nulls_last=True),
        "hashtag_engagement": built["hashtag_engagement"].sort("works", descending=True),
        "account_benchmarks": built["account_benchmarks"].sort("percentile", descending=True, nulls_last=True),
    }
    for table, frame in built.items():
        metadata = {"dagster/row_count": frame.height, "preview": markdown_preview(previews.get(table, frame))}
        if table == "posting_times":
            metadata["timezone"] = timezone
        yield dg.MaterializeResult(asset_key=table, metadata=metadata)
    links = [f"{r['platform']}/{r['account_id']}/{r['platform_work_id']} at {r['age_days']}d: {r['url'] or '(no link)'}"
             for r in fresh.head(NAMED_BREAKOUTS).iter_rows(named=True)]  # fmt: skip
    yield dg.AssetCheckResult(
        check_name=NEW_BREAKOUTS_CHECK.name,
        asset_key="work_breakouts",
        passed=fresh.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        description=None
        if fresh.is_empty()
        else f"{fresh.height} breakout(s) (a work at 1 and at 7 days counts twice) first found on the latest run "
        f"date; the first {NAMED_BREAKOUTS} named in metadata `works`.",
        metadata={"count": fresh.height, "works": links},
    )
