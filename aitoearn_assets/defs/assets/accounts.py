"""Asset `accounts`: every account of the API key, and the accounts it no longer lists."""

import dagster as dg
import polars as pl
from pydantic import Field

from aitoearn_assets.clock import utc_now
from aitoearn_assets.defs.assets.start import final_api_errors, start_api_asset
from aitoearn_assets.defs.metadata import asset_metadata, markdown_preview
from aitoearn_assets.defs.policies import DAILY_FRESHNESS, INGEST_RETRY_POLICY, WRITER_POOL
from aitoearn_assets.defs.resources.aitoearn import AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.fetch.account_analytics import fetch_account_counters
from aitoearn_assets.fetch.account_rows import account_snapshots_frame, accounts_frame
from aitoearn_assets.tables import ACCOUNTS_COLUMNS
from aitoearn_assets.warehouse.writes import update_accounts

LISTING_CHECK = dg.AssetCheckSpec(
    "accounts_listing_taken",
    asset="accounts",
    description=(
        "The latest account listing was taken (WARN): one that came back empty, or with fewer than half the "
        "stored accounts, is held and the stored accounts are kept (run config allow_shrink accepts it)."
    ),
)


class AccountsConfig(dg.Config):
    allow_shrink: bool = Field(
        default=False,
        description=(
            "Accept an account listing that is empty, or holds fewer than half the stored accounts. Off: such a "
            "listing is held (nothing changes, the check warns); a glitch must not mark every account removed."
        ),
    )


@dg.asset(
    group_name="ingest",
    pool=WRITER_POOL,
    kinds={"duckdb"},
    retry_policy=INGEST_RETRY_POLICY,
    freshness_policy=DAILY_FRESHNESS,
    check_specs=[LISTING_CHECK],
    description=(
        "Every account of the API key (table `accounts`) from one unfiltered listing, and today's "
        "`account_snapshots` (live counters from account analytics, else the cached ones), in one transaction. "
        "An account the key no longer lists keeps its row with `removed_at` set; the analytics leave it out."
    ),
    metadata=asset_metadata("accounts", ACCOUNTS_COLUMNS),
)
def accounts(
    context: dg.AssetExecutionContext, config: AccountsConfig, aitoearn: AiToEarnResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    start = start_api_asset(context, aitoearn, warehouse)
    now = utc_now()
    with aitoearn.client(context.log) as client, final_api_errors():
        listed = client.list_accounts().accounts
        counters = fetch_account_counters(
            client, [a for a in listed if a.is_active], max_concurrency=aitoearn.max_concurrency, log=context.log
        )
        stats = client.stats
    frame = accounts_frame(listed, now)
    snapshots = account_snapshots_frame(counters, start.run_date, now)
    with warehouse.writer() as con:  # fetch first, then take the file lock
        written = update_accounts(con, frame, snapshots, now, allow_shrink=config.allow_shrink)
    if written.held:
        context.log.warning("accounts: %s", written.held)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frame.height,
            "mode": aitoearn.mode,
            "requests": stats.requests,
            "retries": stats.retries,
            "offline_accounts": frame.filter(pl.col("status") == 0).height,
            "removed_accounts": written.removed,
            "listing_held": written.held or "",
            "live_counters": sum(c.source == "analytics" for c in counters),
            "cached_counters": {c.account_id: c.reason or "" for c in counters if c.source == "accounts"},
            "preview": markdown_preview(frame),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=LISTING_CHECK.name,
                passed=written.held is None,
                severity=dg.AssetCheckSeverity.WARN,
                description=written.held,
                metadata={"listed": frame.height, "removed_now": written.removed},
            )
        ],
    )
