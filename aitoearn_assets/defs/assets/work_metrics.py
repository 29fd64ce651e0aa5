"""Asset `work_metrics`: per-work analytics for the works whose list row lacks exposure or interactions."""

from collections.abc import Iterator

import dagster as dg
from pydantic import Field

from aitoearn_assets.api.errors import AiToEarnError
from aitoearn_assets.clock import utc_now
from aitoearn_assets.defs.assets.start import key_refusal_is_final, start_api_asset
from aitoearn_assets.defs.metadata import table_schema
from aitoearn_assets.defs.partitions import platform_partitions
from aitoearn_assets.defs.policies import INGEST_RETRY_POLICY, WRITER_POOL
from aitoearn_assets.defs.resources.aitoearn import AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.fetch.platform_works import describe_error
from aitoearn_assets.fetch.work_analytics import PlatformAnalytics, WorkToEnrich, fetch_work_analytics
from aitoearn_assets.warehouse.columns import WORK_METRICS_COLUMNS
from aitoearn_assets.warehouse.work_metrics import (
    AnalyticsSchedule,
    daily_frame,
    due_works,
    metrics_frame,
    write_work_metrics,
)


class WorkMetricsConfig(dg.Config):
    recent_days: int = Field(
        default=30, ge=0, description="Works published this many days before the run are 'recent'."
    )
    min_age_hours: float = Field(default=20, ge=0, description="A recent work is asked again after this many hours.")
    stale_days: int = Field(default=7, ge=0, description="An older work is asked again after this many days.")
    max_requests: int = Field(default=2000, ge=0, description="Analytics requests per platform per run, at most.")


@dg.asset(
    group_name="ingest",
    partitions_def=platform_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=["raw_works"],
    pool=WRITER_POOL,
    kinds={"duckdb"},
    retry_policy=INGEST_RETRY_POLICY,
    description=(
        "Per-work analytics (table `work_metrics`, key platform/account_id/platform_work_id) for works whose list "
        "row lacks an exposure metric or every interaction metric, on platforms whose /platforms capabilities say "
        "analytics.work. Never-asked works first, then recent ones, then stale ones, within max_requests per "
        "platform per run; pinterest's daily series also goes to `work_metrics_daily`."
    ),
    metadata={"dagster/column_schema": table_schema(WORK_METRICS_COLUMNS), "dagster/table_name": "work_metrics"},
)
def work_metrics(
    context: dg.AssetExecutionContext,
    config: WorkMetricsConfig,
    aitoearn: AiToEarnResource,
    warehouse: WarehouseResource,
) -> Iterator[dg.MaterializeResult | dg.AssetMaterialization | dg.AssetObservation]:
    platforms = list(context.partition_keys)
    start_api_asset(context, aitoearn, warehouse)
    schedule = AnalyticsSchedule(config.recent_days, config.min_age_hours, config.stale_days, config.max_requests)
    now = utc_now()
    outcomes: dict[str, dict] = {}
    with aitoearn.client(context.log) as client, key_refusal_is_final():
        capabilities = client.capabilities()
        for platform in platforms:
            if not capabilities[platform].work_analytics:
                outcomes[platform] = {"status": "ok", "works_asked": 0, "not_asked_reason":
                                      f"/platforms does not say analytics.work for {platform}"}  # fmt: skip
                continue
            with warehouse.get_connection() as con:
                due = due_works(con, platform, now, schedule)
            asked = [WorkToEnrich(a, w, p) for a, w, p in due[: schedule.max_requests]]
            try:
                fetched = fetch_work_analytics(
                    client, platform, asked, now.date(), max_concurrency=aitoearn.max_concurrency, log=context.log
                )
            except AiToEarnError as err:  # a 401 is re-raised by key_refusal_is_final
                if getattr(err, "code", None) == 401:
                    raise
                outcomes[platform] = {"status": "failed", "error": describe_error(err)}
                continue
            with warehouse.writer() as con:
                write_work_metrics(con, platform, *_frames(fetched))
            outcomes[platform] = _metadata(fetched, len(asked), len(due) - len(asked))
            context.log.info("work_metrics[%s]: %s", platform, _line(outcomes[platform]))

    failed = [p for p in platforms if outcomes[p]["status"] == "failed"]
    if not failed:
        if len(platforms) == 1:
            yield dg.MaterializeResult(metadata={"mode": aitoearn.mode, **outcomes[platforms[0]]})
            return
        for platform in platforms:
            yield dg.AssetObservation(context.asset_key, partition=platform, metadata=outcomes[platform])
        yield dg.MaterializeResult(metadata={"mode": aitoearn.mode, **_totals(outcomes)})
        return
    for platform in platforms:
        event = dg.AssetObservation if platform in failed else dg.AssetMaterialization
        yield event(context.asset_key, partition=platform, metadata=outcomes[platform])
    raise dg.Failure(
        description=f"work_metrics failed for {', '.join(failed)}: "
        + "; ".join(f"{p}: {outcomes[p]['error']}" for p in failed),
        metadata={"failed_platforms": failed},
    )


def _frames(fetched: PlatformAnalytics) -> tuple:
    rows, daily = [], []
    for row in fetched.rows:
        rows.append({"account_id": row.account_id, "platform_work_id": row.platform_work_id, **row.metrics,
                     "status": row.status, "reason": row.reason, "period_start_at": row.period_start_at,
                     "period_end_at": row.period_end_at, "fetched_at": fetched.fetched_at, "extra": row.extra})  # fmt: skip
        for day, metrics in row.daily:
            daily.append({"account_id": row.account_id, "platform_work_id": row.platform_work_id, "day": day,
                          **metrics, "fetched_at": fetched.fetched_at})  # fmt: skip
    return metrics_frame(rows), daily_frame(daily)


def _metadata(fetched: PlatformAnalytics, asked: int, over_budget: int) -> dict:
    by_status = {s: sum(1 for r in fetched.rows if r.status == s) for s in ("ok", "not_supported", "error")}
    return {
        "status": "ok",
        "works_asked": asked,
        "works_with_data": by_status["ok"],
        "works_not_supported": by_status["not_supported"],
        "works_with_error": by_status["error"],
        "works_not_asked": fetched.not_asked,
        "transient_failures": fetched.transient_failures,
        "skipped_by_budget": over_budget,
        "backlog_left": over_budget + fetched.not_asked + fetched.transient_failures,
        "not_supported_reason": fetched.not_supported_reason or "",
        "accounts_skipped": {a.account_id: a.reason for a in fetched.skipped_accounts},
        "requests": fetched.stats.requests,
        "retries": fetched.stats.retries,
    }


def _totals(outcomes: dict[str, dict]) -> dict:
    keys = ("works_asked", "works_with_data", "works_not_supported", "works_with_error", "skipped_by_budget",
            "backlog_left", "requests", "retries")  # fmt: skip
    return {key: sum(o.get(key, 0) for o in outcomes.values()) for key in keys} | {"platforms": list(outcomes)}


def _line(outcome: dict) -> str:
    return (
        f"{outcome['works_asked']} asked, {outcome['works_with_data']} with data, "
        f"{outcome['works_not_supported']} not supported, {outcome['works_with_error']} errors, "
        f"{outcome['backlog_left']} left for later runs"
    )
