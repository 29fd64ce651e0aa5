"""Engagement assets: `account_engagement` and `top_works`, computed in DuckDB."""

import dagster as dg
from pydantic import Field

from aitoearn_assets.clock import utc_now
from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.defs.assets.raw_works import raw_works
from aitoearn_assets.defs.assets.work_metrics import work_metrics
from aitoearn_assets.defs.metadata import asset_metadata, markdown_preview
from aitoearn_assets.defs.policies import DAILY_AFTER_INGEST, WRITER_POOL
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.tables import ACCOUNT_ENGAGEMENT_COLUMNS, TOP_WORKS_COLUMNS
from aitoearn_assets.warehouse import quality
from aitoearn_assets.warehouse.engagement import DEFAULT_TOP_N, build_account_engagement, build_top_works

ONE_ROW_PER_ACCOUNT = dg.AssetCheckSpec(
    "account_engagement_one_row_per_account",
    asset="account_engagement",
    description="Exactly one row per account the key lists that has works in raw_works.",
)
RATES_NON_NEGATIVE = dg.AssetCheckSpec(
    "account_engagement_rates_non_negative", asset="account_engagement", description="No rate is negative."
)


class TopWorksConfig(dg.Config):
    n: int = Field(default=DEFAULT_TOP_N, ge=1, le=10_000, description="Works kept per account.")


@dg.asset(
    group_name="analytics",
    deps=[raw_works, work_metrics, accounts],
    pool=WRITER_POOL,
    kinds={"duckdb", "polars"},
    automation_condition=DAILY_AFTER_INGEST,
    check_specs=[ONE_ROW_PER_ACCOUNT, RATES_NON_NEGATIVE],
    description=(
        "Per-account engagement (table `account_engagement`), one row per platform and account with works, of the "
        "accounts the key lists. engagement_rate = sum of interactions over rated works / sum of their exposure; "
        "followers: the latest live count, else the cached one (followers_source). README: every definition."
    ),
    metadata=asset_metadata("account_engagement", ACCOUNT_ENGAGEMENT_COLUMNS),
)
def account_engagement(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        rows = build_account_engagement(con, utc_now())
        preview = con.sql("SELECT * FROM account_engagement ORDER BY engagement_rate DESC NULLS LAST LIMIT 5").pl()
        mismatch = quality.engagement_row_mismatch(con)
        negative = quality.negative_rates(con)
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, "preview": markdown_preview(preview)},
        check_results=[
            dg.AssetCheckResult(check_name=ONE_ROW_PER_ACCOUNT.name, passed=not any(mismatch.values()),
                                metadata=mismatch),
            dg.AssetCheckResult(check_name=RATES_NON_NEGATIVE.name, passed=negative == 0,
                                metadata={"rows_with_negative_rate": negative}),
        ],
    )  # fmt: skip


@dg.asset(
    group_name="analytics",
    deps=[raw_works, work_metrics],
    pool=WRITER_POOL,
    kinds={"duckdb", "polars"},
    automation_condition=DAILY_AFTER_INGEST,
    description=(
        "The top N works of each account by interactions (table `top_works`; N from run config, default 10), "
        "among works with interactions."
    ),
    metadata=asset_metadata("top_works", TOP_WORKS_COLUMNS),
)
def top_works(
    context: dg.AssetExecutionContext, config: TopWorksConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.writer() as con:
        rows = build_top_works(con, config.n)
        preview = con.sql("SELECT * FROM top_works WHERE rank = 1 ORDER BY interactions DESC LIMIT 5").pl()
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, "n": config.n, "preview": markdown_preview(preview)}
    )
