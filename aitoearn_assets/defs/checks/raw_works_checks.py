"""Asset checks on `raw_works` (they look at the whole table, every platform)."""

import dagster as dg

from aitoearn_assets.defs.assets.ingest import raw_works
from aitoearn_assets.defs.warehouse import WarehouseResource
from aitoearn_assets.warehouse import quality


@dg.asset_check(asset=raw_works, blocking=True, description="(platform, account_id, platform_work_id) is unique.")
def raw_works_key_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        duplicates = quality.duplicate_work_keys(con)
    return dg.AssetCheckResult(
        passed=not duplicates,
        metadata={"duplicate_keys": [f"{p}/{a}/{w} x{n}" for p, a, w, n in duplicates]},
    )


@dg.asset_check(asset=raw_works, description="No metric is negative.")
def raw_works_no_negative_metrics(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        negatives = quality.negative_metrics(con)
    return dg.AssetCheckResult(passed=not negatives, metadata={"negative_rows_by_metric": negatives})


@dg.asset_check(asset=raw_works, description="Each platform's latest run fetched every listed account (WARN).")
def raw_works_all_accounts_fetched(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        skipped = quality.skipped_accounts(con)
    return dg.AssetCheckResult(
        passed=not skipped,
        severity=dg.AssetCheckSeverity.WARN,
        description=None if not skipped else f"{len(skipped)} account(s) skipped; their earlier rows were kept.",
        metadata={"skipped": [f"{p}/{a}: {why}" for p, a, why in skipped]},
    )


@dg.asset_check(
    asset=raw_works,
    description="No metric a platform reported in its previous run is missing from every work now (WARN).",
)
def raw_works_metrics_still_reported(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        retired = quality.retired_metrics(con)
    return dg.AssetCheckResult(
        passed=not retired,
        severity=dg.AssetCheckSeverity.WARN,
        description=None if not retired else "The platform may have retired these metrics.",
        metadata={"no_longer_reported": [f"{p}.{m}" for p, m in retired]},
    )
