"""Ingest assets: `accounts` and `raw_works` (one partition per platform)."""

import tempfile
from datetime import UTC, datetime

import dagster as dg
import polars as pl

from aitoearn_assets.defs.metadata import markdown_preview, table_schema
from aitoearn_assets.defs.partitions import platform_partitions
from aitoearn_assets.defs.resources import SANDBOX_NOTICE, AiToEarnResource
from aitoearn_assets.defs.warehouse import WarehouseResource
from aitoearn_assets.ingest.account_rows import accounts_frame
from aitoearn_assets.ingest.platform_works import PlatformWorks, fetch_platform_works
from aitoearn_assets.warehouse.columns import ACCOUNTS_COLUMNS, RAW_WORKS_COLUMNS
from aitoearn_assets.warehouse.schema import ensure_schema
from aitoearn_assets.warehouse.writes import replace_account_works, replace_accounts

WRITER_POOL = "duckdb_writer"


@dg.asset(
    group_name="ingest",
    pool=WRITER_POOL,
    kinds={"duckdb"},
    description="Every account of the API key (table `accounts`), replaced as a whole at each run.",
    metadata={"dagster/column_schema": table_schema(ACCOUNTS_COLUMNS), "dagster/table_name": "accounts"},
)
def accounts(
    context: dg.AssetExecutionContext, aitoearn: AiToEarnResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    _claim_warehouse(context, aitoearn, warehouse)
    with aitoearn.client(context.log) as client:
        listed = client.list_accounts()
        stats = client.stats
    frame = accounts_frame(listed, datetime.now(UTC).replace(tzinfo=None))
    with warehouse.writer() as con:  # fetch first, then take the file lock
        replace_accounts(con, frame)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frame.height,
            "mode": aitoearn.mode,
            "requests": stats.requests,
            "retries": stats.retries,
            "offline_accounts": frame.filter(pl.col("status") == 0).height,
            "preview": markdown_preview(frame),
        }
    )


@dg.asset(
    group_name="ingest",
    partitions_def=platform_partitions,
    pool=WRITER_POOL,
    kinds={"duckdb"},
    description=(
        "Every work of every account of one platform, with its metrics (table `raw_works`). "
        "Key (platform, account_id, platform_work_id). Each run replaces the rows of the accounts it "
        "fetched completely, in one transaction; skipped accounts keep their earlier rows."
    ),
    metadata={"dagster/column_schema": table_schema(RAW_WORKS_COLUMNS), "dagster/table_name": "raw_works"},
)
def raw_works(
    context: dg.AssetExecutionContext, aitoearn: AiToEarnResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    platform = context.partition_key
    _claim_warehouse(context, aitoearn, warehouse)
    with tempfile.TemporaryDirectory(prefix=f"aitoearn-{platform}-") as stage_dir:
        with aitoearn.client(context.log) as client:
            fetched = fetch_platform_works(
                client, platform, stage_dir, max_concurrency=aitoearn.max_concurrency, log=context.log
            )
            stats = client.stats
        if fetched.cannot_list_reason:
            context.log.info("%s: zero rows, %s", platform, fetched.cannot_list_reason)
        rejected = _rejected_frame(fetched)
        with warehouse.writer() as con:
            written = replace_account_works(
                con,
                platform,
                fetched.fetched_account_ids,
                fetched.staged_files,
                rejected,
                {
                    "run_id": context.run.run_id,
                    "fetched_at": fetched.fetched_at,
                    "accounts_listed": [a.id for a in fetched.accounts],
                    "accounts_skipped": [{"account_id": s.account_id, "reason": s.reason} for s in fetched.skipped],
                    "cannot_list_reason": fetched.cannot_list_reason,
                },
            )
            preview = con.sql(
                "SELECT * FROM raw_works WHERE platform = $platform ORDER BY published_at DESC LIMIT 5",
                params={"platform": platform},
            ).pl()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written.works_written,
            "mode": aitoearn.mode,
            "accounts_fetched": fetched.fetched_account_ids,
            "accounts_skipped": {s.account_id: s.reason for s in fetched.skipped},
            "cannot_list_reason": fetched.cannot_list_reason or "",
            "items_set_aside": rejected.height,
            "duplicates_dropped": fetched.staged_rows - written.works_written,
            "metrics_reported": written.metrics_reported,
            "paging_warnings": fetched.warnings,
            "pages": stats.pages,
            "requests": stats.requests,
            "retries": stats.retries,
            "wait_seconds": round(stats.wait_seconds, 3),
            "preview": markdown_preview(preview),
        }
    )


def _claim_warehouse(
    context: dg.AssetExecutionContext, aitoearn: AiToEarnResource, warehouse: WarehouseResource
) -> None:
    """Say so in sandbox mode; create the tables and refuse a file of the other mode before any API call."""
    if aitoearn.is_sandbox:
        context.log.warning(SANDBOX_NOTICE)
    with warehouse.get_connection() as con:
        ensure_schema(con, aitoearn.mode)


def _rejected_frame(fetched: PlatformWorks) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "platform": [fetched.platform] * len(fetched.rejected),
            "account_id": [r.account_id for r in fetched.rejected],
            "platform_work_id": [r.platform_work_id for r in fetched.rejected],
            "reason": [r.reason for r in fetched.rejected],
            "raw_json": [r.raw_json for r in fetched.rejected],
            "fetched_at": [fetched.fetched_at] * len(fetched.rejected),
        },
        schema={
            "platform": pl.String,
            "account_id": pl.String,
            "platform_work_id": pl.String,
            "reason": pl.String,
            "raw_json": pl.String,
            "fetched_at": pl.Datetime("us"),
        },
    )
