"""Asset `work_metrics`: per-work analytics for the works whose list row lacks exposure or interactions."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

import dagster as dg
from pydantic import Field

from aitoearn_assets.defs.assets.platform_runs import landed_platforms, pace_figures, platform_events
from aitoearn_assets.defs.assets.run_writer import RunWriter
from aitoearn_assets.defs.assets.start import RunStart, final_api_errors, start_api_asset
from aitoearn_assets.defs.metadata import asset_metadata
from aitoearn_assets.defs.partitions import platform_partitions
from aitoearn_assets.defs.policies import DAILY_AFTER_INGEST, INGEST_RETRY_POLICY, WRITER_POOL
from aitoearn_assets.defs.resources.aitoearn import AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.fetch.work_analytics import (
    PlatformAnalytics,
    WorkToEnrich,
    analytics_pool,
    fetch_work_analytics,
)
from aitoearn_assets.tables import WORK_METRICS_COLUMNS
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
    min_age_hours: float = Field(
        default=20, ge=0, description="A recent work (or one answered 'no data yet') is asked again after this long."
    )
    stale_days: int = Field(default=7, ge=0, description="An older work is asked again after this many days.")
    max_requests: int = Field(default=2000, ge=0, description="Analytics requests per platform per run, at most.")
    recent_share: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="Share of max_requests kept for recent works that are due, before never-asked ones.",
    )


@dg.asset(
    group_name="ingest",
    partitions_def=platform_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=["raw_works"],
    pool=WRITER_POOL,
    kinds={"duckdb"},
    retry_policy=INGEST_RETRY_POLICY,
    # its own run, after the platform's raw_works landed or failed: one platform's failed listing never costs
    # the others their analytics (in one run with raw_works, a failed raw_works step would skip this one)
    automation_condition=DAILY_AFTER_INGEST,
    description=(
        "Per-work analytics (table `work_metrics`, key platform/account_id/platform_work_id) for works whose list "
        "row lacks exposure or interactions, on platforms whose /platforms capabilities say analytics.work. "
        "A work keeps its last good values until a new good answer; any other answer is recorded as its latest "
        "attempt. Within max_requests per platform per run: never-asked works, then recent ones, then stale "
        "ones, a share kept for recent ones; pinterest's daily series also goes to `work_metrics_daily`."
    ),
    metadata=asset_metadata("work_metrics", WORK_METRICS_COLUMNS),
)
def work_metrics(
    context: dg.AssetExecutionContext,
    config: WorkMetricsConfig,
    aitoearn: AiToEarnResource,
    warehouse: WarehouseResource,
) -> Iterator[dg.MaterializeResult | dg.AssetMaterialization | dg.AssetObservation | dg.AssetCheckResult]:
    platforms = list(context.partition_keys)
    start = start_api_asset(context, aitoearn, warehouse)
    schedule = AnalyticsSchedule(
        config.recent_days, config.min_age_hours, config.stale_days, config.max_requests, config.recent_share
    )
    fetch_started = time.monotonic()
    with aitoearn.client(context.log) as client, final_api_errors(), RunWriter(warehouse, context.log) as writer:
        capabilities = client.capabilities()
        asked: dict[str, list[WorkToEnrich]] = {}
        due: dict[str, int] = {}
        # the platforms are asked at once on one pool of max_concurrency threads (a pool per platform kept 15
        # times as many threads waiting on the client's slots); each platform is asked as soon as its works
        # are chosen (the next platform's are chosen meanwhile), and written as soon as its answers are in:
        # no platform waits for another's last answers or its write
        requests = analytics_pool(aitoearn.max_concurrency)
        with requests, ThreadPoolExecutor(max(1, len(platforms)), "aitoearn-platform") as pool:
            futures = {}
            try:
                # one session for what a retry already landed and every platform's choice (opening it costs)
                with warehouse.get_connection() as con:
                    landed = landed_platforms(con, "analytics_runs", start.continues, platforms)
                    outcomes: dict[str, dict] = {p: {**figures, "mode": aitoearn.mode} for p, figures in landed.items()}
                    for platform in [p for p in platforms if p not in landed]:
                        if not capabilities[platform].work_analytics:
                            outcomes[platform] = {"status": "ok", "mode": aitoearn.mode, "works_asked": 0,
                                                  "not_asked_reason": f"/platforms does not say analytics.work for "
                                                                      f"{platform}"}  # fmt: skip
                            continue
                        chosen = due_works(con, platform, start.started_at, schedule)
                        asked[platform] = [WorkToEnrich(a, w, p) for a, w, p in chosen.works]
                        due[platform] = chosen.due
                        futures[pool.submit(fetch_work_analytics, client, platform, asked[platform], start.run_date,
                                            pool=requests, log=context.log)] = platform  # fmt: skip
                for written, future in enumerate(as_completed(futures), start=1):
                    platform, fetched = futures[future], future.result()
                    outcome = _metadata(fetched, len(asked[platform]), due[platform], aitoearn.mode)
                    record = _run_record(context, start, fetched, outcome)
                    write_work_metrics(writer.connection(), platform, *_frames(fetched), start.run_date, record)
                    outcomes[platform] = outcome
                    context.log.info("work_metrics[%s]: %s", platform, _line(outcome))
                    writer.platform_written(written, len(futures))
            except BaseException:
                client.cancel()  # the other platforms stop asking; what was written stays
                raise
        run_figures = pace_figures(client, time.monotonic() - fetch_started)
    yield from platform_events(context, {p: outcomes[p] for p in platforms}, [], "work_metrics", run_figures)


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


def _metadata(fetched: PlatformAnalytics, asked: int, due: int, mode: str) -> dict:
    # after "not supported" the platform's unasked works are no backlog: there is nothing to ask them for
    unasked = 0 if fetched.not_supported_reason else fetched.not_asked
    left = due - asked + unasked + fetched.transient_failures
    outcome = {
        "status": "failed" if fetched.failure else "ok",
        "mode": mode,
        "works_due": due,
        "works_asked": asked,
        "works_with_data": fetched.count("ok"),
        "works_no_data": fetched.count("no_data"),
        "works_not_supported": fetched.count("not_supported"),
        "works_with_error": fetched.count("error"),
        "works_not_asked": fetched.not_asked,
        "transient_failures": fetched.transient_failures,
        "skipped_by_budget": due - asked,
        "backlog_left": left,
        "not_supported_reason": fetched.not_supported_reason or "",
        "accounts_skipped": {a.account_id: a.reason for a in fetched.skipped_accounts},
        "requests": fetched.stats.requests,
        "retries": fetched.stats.retries,
        "rate_limited": fetched.stats.rate_limited,
    }
    if fetched.failure:
        outcome |= {"error": fetched.failure, "transient": fetched.failure_transient}
    return outcome


def _run_record(context: dg.AssetExecutionContext, start: RunStart, fetched: PlatformAnalytics, outcome: dict) -> dict:
    counted = ("works_due", "works_asked", "works_with_data", "works_no_data", "works_not_supported",
               "works_with_error", "works_not_asked", "backlog_left", "requests", "rate_limited")  # fmt: skip
    return {
        "run_id": context.run.run_id,
        "root_run_id": start.root_run_id,
        "fetched_at": fetched.fetched_at,
        "status": outcome["status"],
        "error": outcome.get("error"),
        **{key: outcome[key] for key in counted},
    }


def _line(outcome: dict) -> str:
    line = (
        f"{outcome['works_asked']} asked, {outcome['works_with_data']} with data, {outcome['works_no_data']} no "
        f"data yet, {outcome['works_not_supported']} not supported, {outcome['works_with_error']} errors, "
        f"{outcome['backlog_left']} left for later runs"
    )
    return f"FAILED: {outcome['error']} ({line})" if outcome["status"] == "failed" else line
