"""Asset `raw_works`: one partition per platform; a run may carry any range of them.

With a single-run backfill policy, "Materialize all", `--partition-range` and the daily schedule
fetch every platform in one run: the accounts of all platforms share one client (one set of
politeness limits), and each platform is written, in its own transaction, as soon as it is
complete. A platform that fails keeps its earlier rows; the others land; the run then fails
naming the failed platforms, so the UI shows it red, and a retry fetches only those.
"""

import logging
import tempfile
import time
from collections.abc import Iterator

import dagster as dg
import duckdb
import polars as pl
from pydantic import Field

from aitoearn_assets.clock import utc_now
from aitoearn_assets.defs.assets.platform_runs import landed_platforms, pace_figures, platform_events
from aitoearn_assets.defs.assets.run_writer import RunWriter
from aitoearn_assets.defs.assets.start import RunStart, final_api_errors, start_api_asset
from aitoearn_assets.defs.checks.raw_works_checks import evaluate_raw_works_checks, raw_works_check_specs
from aitoearn_assets.defs.metadata import asset_metadata, markdown_preview
from aitoearn_assets.defs.partitions import platform_partitions
from aitoearn_assets.defs.policies import DAILY_FRESHNESS, INGEST_RETRY_POLICY, WRITER_POOL
from aitoearn_assets.defs.resources.aitoearn import AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.fetch.platform_works import FetchProgress, PlatformFailure, PlatformWorks, fetch_platforms
from aitoearn_assets.fetch.work_rows import rejected_frame
from aitoearn_assets.tables import RAW_WORKS_COLUMNS
from aitoearn_assets.warehouse.transactions import RETRIED
from aitoearn_assets.warehouse.writes import IncomingWorks, record_ingest_run, replace_account_works

#: One line per platform as it lands (the refresh command prints these).
progress_log = logging.getLogger("aitoearn_assets.progress")
PROGRESS_EVERY_SECONDS = 10.0


class RawWorksConfig(dg.Config):
    allow_shrink: bool = Field(
        default=False,
        description=(
            "Accept a complete listing that returns no works, or fewer than half of an account's stored works. "
            "Off: such an account keeps its stored rows and is flagged (a listing glitch must not wipe it)."
        ),
    )


@dg.asset(
    group_name="ingest",
    partitions_def=platform_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WRITER_POOL,
    kinds={"duckdb"},
    retry_policy=INGEST_RETRY_POLICY,
    freshness_policy=DAILY_FRESHNESS,
    description=(
        "Every work of every account of one platform, with its metrics (table `raw_works`). "
        "Key (platform, account_id, platform_work_id). Each run replaces the rows of the accounts it "
        "listed completely, in one transaction per platform; a listing cut short adds and updates works but "
        "deletes none, a work set aside keeps its row, and skipped and failed accounts keep their earlier rows."
    ),
    metadata=asset_metadata("raw_works", RAW_WORKS_COLUMNS),
    check_specs=raw_works_check_specs(),
)
def raw_works(
    context: dg.AssetExecutionContext, config: RawWorksConfig, aitoearn: AiToEarnResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult | dg.AssetMaterialization | dg.AssetObservation | dg.AssetCheckResult]:
    platforms = list(context.partition_keys)
    start = start_api_asset(context, aitoearn, warehouse)
    with warehouse.get_connection() as con:
        landed = landed_platforms(con, "ingest_runs", start.continues, platforms)
    outcomes: dict[str, dict] = {p: {**figures, "mode": aitoearn.mode} for p, figures in landed.items()}
    report = _ProgressReport(context.log)
    for platform in landed:
        report.platform_done(platform, outcomes[platform])
    to_fetch = [p for p in platforms if p not in landed]
    run_figures: dict[str, object] = {}
    try:
        with (
            tempfile.TemporaryDirectory(prefix="aitoearn-works-") as stage_dir,
            aitoearn.client(context.log) as client,
            final_api_errors(),
            RunWriter(warehouse, context.log) as writer,
        ):
            fetch_started = time.monotonic()
            for fetched in fetch_platforms(
                client,
                to_fetch,
                stage_dir,
                max_concurrency=aitoearn.max_concurrency,
                log=context.log,
                on_progress=report.progress,
            ):
                outcomes[fetched.platform] = _write_or_record(context, config, aitoearn, start, writer, fetched)
                if isinstance(fetched, PlatformWorks):
                    fetched.stage.close()  # its memory goes back to the platforms still being fetched
                report.platform_done(fetched.platform, outcomes[fetched.platform])
                writer.platform_written(len(outcomes), len(platforms), report.share_fetched)
            run_figures = pace_figures(client, time.monotonic() - fetch_started)
    except dg.Failure as stop:  # a refused key or a capped listing: what landed stays, the rest fails, not retried
        for platform in to_fetch:
            outcomes.setdefault(
                platform, {"mode": aitoearn.mode, "status": "failed", "error": stop.description, "transient": False}
            )
    with warehouse.get_connection() as con:  # after the writer let go of the file; on the failure path too
        checks = evaluate_raw_works_checks(con)
    yield from platform_events(context, {p: outcomes[p] for p in platforms}, checks, "raw_works", run_figures)


def _write_or_record(
    context: dg.AssetExecutionContext,
    config: RawWorksConfig,
    aitoearn: AiToEarnResource,
    start: RunStart,
    writer: RunWriter,
    fetched: PlatformWorks | PlatformFailure,
) -> dict:
    """`_write`; when writing fails (the warehouse refused it, a full disk), the platform fails instead, with
    that reason recorded when the warehouse still takes it, and the other platforms go on."""
    try:
        return _write(context, config, aitoearn, start, writer.connection(), fetched)
    except (duckdb.Error, OSError) as err:
        reason = f"writing to the warehouse failed: {type(err).__name__}: {err}"
        failure = PlatformFailure(
            fetched.platform, reason, transient=True, stats=fetched.stats, seconds=fetched.seconds
        )
        try:
            return _write(context, config, aitoearn, start, writer.connection(), failure)
        except (duckdb.Error, OSError):
            context.log.error("raw_works[%s] failed: %s (not recorded either)", fetched.platform, reason)
            return {"mode": aitoearn.mode, "status": "failed", "error": reason, "transient": True}


def _write(
    context: dg.AssetExecutionContext,
    config: RawWorksConfig,
    aitoearn: AiToEarnResource,
    start: RunStart,
    con: duckdb.DuckDBPyConnection,
    fetched: PlatformWorks | PlatformFailure,
) -> dict:
    """Write one platform's outcome (works, or the failure) in one transaction; return its metadata."""
    stats = fetched.stats
    run_facts = {
        "run_id": context.run.run_id,
        "root_run_id": start.root_run_id,
        "requests": stats.requests,
        "retries": stats.retries,
        "seconds": round(fetched.seconds, 3),
    }
    common = {
        "mode": aitoearn.mode,
        "requests": stats.requests,
        "retries": stats.retries,
        "wait_seconds": round(stats.wait_seconds, 3),
        "rate_limited": stats.rate_limited,
        "seconds": round(fetched.seconds, 3),
    }
    if isinstance(fetched, PlatformFailure):
        record_ingest_run(
            con,
            {
                **run_facts,
                "platform": fetched.platform,
                "fetched_at": utc_now(),
                "status": "failed",
                "error": fetched.reason,
            },
        )
        context.log.error("raw_works[%s] failed: %s", fetched.platform, fetched.reason)
        return {**common, "status": "failed", "error": fetched.reason, "transient": fetched.transient}

    ids = fetched.fetched_account_ids
    partial = frozenset(issue.account_id for issue in fetched.partial)
    incoming = IncomingWorks(ids, fetched.stage.in_memory(ids), fetched.stage.spilled(ids), partial)
    rejected = rejected_frame(fetched.platform, fetched.rejected, fetched.fetched_at)
    retried_before = RETRIED["replace_account_works"]
    written = replace_account_works(
        con,
        fetched.platform,
        incoming,
        rejected,
        {
            **run_facts,
            "fetched_at": fetched.fetched_at,
            "accounts_listed": [a.id for a in fetched.accounts],
            "accounts_skipped": [{"account_id": s.account_id, "reason": s.reason} for s in fetched.skipped],
            "accounts_failed": [{"account_id": f.account_id, "reason": f.reason} for f in fetched.failed],
            "accounts_partial": [{"account_id": p.account_id, "reason": p.reason} for p in fetched.partial],
            "cannot_list_reason": fetched.cannot_list_reason,
            "source": fetched.source,
        },
        run_date=start.run_date,
        allow_shrink=config.allow_shrink,
    )
    preview = con.sql(
        "SELECT * FROM raw_works WHERE platform = $platform ORDER BY published_at DESC LIMIT 5",
        params={"platform": fetched.platform},
    ).pl()
    for held in written.accounts_held:
        context.log.warning("%s account %s held: %s", fetched.platform, held["account_id"], held["reason"])
    return {
        **common,
        "status": "ok",
        "dagster/row_count": written.works_written,
        "accounts_fetched": written.accounts_written,
        "accounts_skipped": {s.account_id: s.reason for s in fetched.skipped},
        "accounts_failed": {f.account_id: f.reason for f in fetched.failed},
        "accounts_held": {h["account_id"]: h["reason"] for h in written.accounts_held},
        "accounts_partial": {p.account_id: p.reason for p in fetched.partial},
        "cannot_list_reason": fetched.cannot_list_reason or "",
        "source": fetched.source,
        "works_from_publish_records": written.works_written if fetched.source == "publish_record" else 0,
        "publish_records_not_works": dict(fetched.records_not_works),
        "items_set_aside": rejected.filter(pl.col("account_id").is_in(written.accounts_written)).height,
        "duplicates_dropped": fetched.stage.rows(written.accounts_written) - written.works_written,
        "metrics_reported": written.metrics_reported,
        "commit_retries": RETRIED["replace_account_works"] - retried_before,  # lake: met a concurrent commit
        "paging_warnings": fetched.warnings,
        "pages": stats.pages,
        "preview": markdown_preview(preview),
    }


class _ProgressReport:
    """Progress in the run log (at most every PROGRESS_EVERY_SECONDS) and one line per landed platform."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self.last = time.monotonic()
        self.share_fetched = 0.0

    def progress(self, p: FetchProgress) -> None:
        self.share_fetched = p.accounts_done / p.accounts_total if p.accounts_total else 0.0
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_SECONDS:
            self.last = now
            self.log.info(
                "raw_works: %d of %d accounts fetched; %d of %d platforms done",
                p.accounts_done,
                p.accounts_total,
                p.platforms_done,
                p.platforms_total,
            )

    def platform_done(self, platform: str, outcome: dict) -> None:
        if "landed_in_run" in outcome:
            line = f"raw_works[{platform}]: landed earlier in this chain of retries (run {outcome['landed_in_run']})"
        elif outcome["status"] == "failed":
            line = f"raw_works[{platform}]: FAILED after {outcome['seconds']} s: {outcome['error']}"
        elif outcome["source"] == "publish_record":
            line = (
                f"raw_works[{platform}]: {outcome['dagster/row_count']} works from the publish records of "
                f"{len(outcome['accounts_fetched'])} account(s), {outcome['requests']} requests, {outcome['seconds']} s "
                f"(no works list: {outcome['cannot_list_reason']})"
            )
        else:
            line = (
                f"raw_works[{platform}]: {outcome['dagster/row_count']} works from "
                f"{len(outcome['accounts_fetched'])} account(s), {len(outcome['accounts_skipped'])} skipped, "
                f"{len(outcome['accounts_failed'])} failed, {outcome['requests']} requests, {outcome['seconds']} s"
            )
        self.log.info(line)
        progress_log.info(line)
