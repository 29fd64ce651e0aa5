"""Helpers to materialize the project's assets against a sandbox and read the warehouse back."""

from __future__ import annotations

import dagster as dg
import duckdb

from aitoearn_assets.defs.assets.analytics import account_engagement, top_works
from aitoearn_assets.defs.assets.ingest import accounts, raw_works
from aitoearn_assets.defs.checks import analytics_checks, raw_works_checks
from aitoearn_assets.defs.resources import AiToEarnResource
from aitoearn_assets.defs.warehouse import WarehouseResource

RAW_WORKS_CHECKS = dg.load_asset_checks_from_modules([raw_works_checks])
ANALYTICS_CHECKS = dg.load_asset_checks_from_modules([analytics_checks])


def resources(aitoearn: AiToEarnResource, db_path: str) -> dict:
    return {"aitoearn": aitoearn, "warehouse": WarehouseResource(database=db_path)}


def materialize_platform(
    aitoearn: AiToEarnResource, db_path: str, platform: str, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_works, *RAW_WORKS_CHECKS],
        partition_key=platform,
        resources=resources(aitoearn, db_path),
        instance=instance,
        raise_on_error=False,
    )


def materialize_analytics(aitoearn: AiToEarnResource, db_path: str, **kwargs: object) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [accounts, raw_works, account_engagement, top_works, *ANALYTICS_CHECKS],
        selection=dg.AssetSelection.assets(accounts, account_engagement, top_works),
        resources=resources(aitoearn, db_path),
        **kwargs,  # type: ignore[arg-type]
    )


def table(db_path: str, sql: str) -> list[tuple]:
    with duckdb.connect(db_path, read_only=True) as con:
        return con.execute(sql).fetchall()


def works_snapshot(db_path: str) -> list[tuple]:
    return table(db_path, "SELECT * FROM raw_works ORDER BY platform, account_id, platform_work_id")


def materialization_metadata(result: dg.ExecuteInProcessResult) -> dict:
    (event,) = result.asset_materializations_for_node("raw_works")
    return {k: v.value for k, v in event.metadata.items()}
