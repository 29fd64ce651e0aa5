"""Helpers to materialize the project's assets against a sandbox and read the warehouse back."""

from __future__ import annotations

import dagster as dg
import duckdb

from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.defs.assets.engagement import account_engagement, top_works
from aitoearn_assets.defs.assets.raw_works import raw_works
from aitoearn_assets.defs.resources.aitoearn import AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START


def resources(aitoearn: AiToEarnResource, db_path: str) -> dict:
    return {"aitoearn": aitoearn, "warehouse": WarehouseResource(database=db_path)}


def materialize_platform(
    aitoearn: AiToEarnResource,
    db_path: str,
    platform: str,
    instance: dg.DagsterInstance | None = None,
    run_config: dict | None = None,
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_works],
        partition_key=platform,
        resources=resources(aitoearn, db_path),
        instance=instance,
        run_config=run_config,
        raise_on_error=False,
    )


def materialize_platforms(
    aitoearn: AiToEarnResource, db_path: str, first: str, last: str, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """One run over the partition range first...last, as the schedule and "Materialize all" launch it."""
    return dg.materialize(
        [raw_works],
        tags={PARTITION_RANGE_START: first, PARTITION_RANGE_END: last},
        resources=resources(aitoearn, db_path),
        instance=instance,
        raise_on_error=False,
    )


def materialize_analytics(aitoearn: AiToEarnResource, db_path: str, **kwargs: object) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [accounts, raw_works, account_engagement, top_works],
        selection=dg.AssetSelection.assets(accounts, account_engagement, top_works),
        resources=resources(aitoearn, db_path),
        **kwargs,  # type: ignore[arg-type]
    )


def table(db_path: str, sql: str) -> list[tuple]:
    with duckdb.connect(db_path, read_only=True) as con:
        return con.execute(sql).fetchall()


def works_snapshot(db_path: str) -> list[tuple]:
    return table(db_path, "SELECT * FROM raw_works ORDER BY platform, account_id, platform_work_id")


def materialization_metadata(result: dg.ExecuteInProcessResult, node: str = "raw_works") -> dict:
    """The metadata of a one-partition run's materialization."""
    (event,) = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in event.metadata.items()}


def partition_events(result: dg.ExecuteInProcessResult, event_type: str) -> dict[str, dict]:
    """{partition: metadata} of a run's ASSET_MATERIALIZATION or ASSET_OBSERVATION events."""
    out = {}
    for event in result.all_events:
        if event.event_type_value != event_type:
            continue
        data = event.event_specific_data
        record = data.materialization if event_type == "ASSET_MATERIALIZATION" else data.asset_observation
        out[record.partition] = {k: v.value for k, v in record.metadata.items()}
    return out


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {c.check_name: c for c in result.get_asset_check_evaluations()}
