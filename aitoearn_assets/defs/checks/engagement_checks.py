"""Asset checks on the analytics tables."""

import dagster as dg

from aitoearn_assets.defs.assets.engagement import account_engagement
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.warehouse import quality


@dg.asset_check(asset=account_engagement, description="Exactly one row per account that has rows in raw_works.")
def account_engagement_one_row_per_account(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        mismatch = quality.engagement_row_mismatch(con)
    return dg.AssetCheckResult(passed=not any(mismatch.values()), metadata=mismatch)


@dg.asset_check(asset=account_engagement, description="No rate is negative.")
def account_engagement_rates_non_negative(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        negative = quality.negative_rates(con)
    return dg.AssetCheckResult(passed=negative == 0, metadata={"rows_with_negative_rate": negative})
