"""Growth assets: `work_growth` and `account_growth`, computed with polars over the snapshots in DuckDB."""

import dagster as dg

from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.defs.assets.raw_works import raw_works
from aitoearn_assets.defs.assets.work_metrics import work_metrics
from aitoearn_assets.defs.metadata import asset_metadata, markdown_preview
from aitoearn_assets.defs.policies import DAILY_AFTER_INGEST, WRITER_POOL
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.tables import ACCOUNT_GROWTH_COLUMNS, WORK_GROWTH_COLUMNS
from aitoearn_assets.warehouse.growth import (
    compute_account_growth,
    compute_work_growth,
    negative_gains,
)
from aitoearn_assets.warehouse.writes import rebuild_table

NEGATIVE_GAINS_CHECK = dg.AssetCheckSpec(
    "work_growth_no_negative_gains",
    asset="work_growth",
    description="No work lost exposure or interactions (WARN; gains are never clamped, the check names the works).",
)


@dg.asset(
    group_name="analytics",
    deps=[raw_works, work_metrics],
    pool=WRITER_POOL,
    kinds={"duckdb", "polars"},
    automation_condition=DAILY_AFTER_INGEST,
    check_specs=[NEGATIVE_GAINS_CHECK],
    description=(
        "Per work (table `work_growth`): exposure and interactions at its latest snapshot and what it gained over "
        "1, 7 and 28 days between real observations (README, Definitions), from `work_snapshots` (pinterest: its "
        "daily series)."
    ),
    metadata=asset_metadata("work_growth", WORK_GROWTH_COLUMNS),
)
def work_growth(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        frame = rebuild_table(con, "work_growth", compute_work_growth, keep_order=False)
    rows = frame.height
    negative = negative_gains(frame)
    names = [
        f"{r['platform']}/{r['account_id']}/{r['platform_work_id']}" for r in negative.head(20).iter_rows(named=True)
    ]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "preview": markdown_preview(frame.sort("exposure_gain_7d", descending=True, nulls_last=True)),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=NEGATIVE_GAINS_CHECK.name,
                passed=negative.is_empty(),
                severity=dg.AssetCheckSeverity.WARN,
                description=None
                if negative.is_empty()
                else f"{negative.height} work(s) show a lower count than before.",
                metadata={"works": names, "count": negative.height},
            )
        ],
    )


@dg.asset(
    group_name="analytics",
    deps=[accounts, work_growth],
    pool=WRITER_POOL,
    kinds={"duckdb", "polars"},
    automation_condition=dg.AutomationCondition.eager(),
    description=(
        "Per account (table `account_growth`): followers (the figure account_engagement shows) and their 7/28-day "
        "gains, the 7-day interactions and exposure gained by its works, the 7-day engagement rate of those "
        "gains, and its posting cadence."
    ),
    metadata=asset_metadata("account_growth", ACCOUNT_GROWTH_COLUMNS),
)
def account_growth(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        frame = rebuild_table(
            con,
            "account_growth",
            lambda c: compute_account_growth(c, c.sql("SELECT * FROM work_growth").pl()),
            keep_order=False,
        )
    rows = frame.height
    top = frame.sort("followers_gain_7d", descending=True, nulls_last=True)
    return dg.MaterializeResult(metadata={"dagster/row_count": rows, "preview": markdown_preview(top)})
