"""Asset `accounts`: every account of the API key."""

import dagster as dg
import polars as pl

from aitoearn_assets.clock import utc_now
from aitoearn_assets.defs.assets.start import key_refusal_is_final, start_api_asset
from aitoearn_assets.defs.metadata import markdown_preview, table_schema
from aitoearn_assets.defs.policies import DAILY_FRESHNESS, INGEST_RETRY_POLICY, WRITER_POOL
from aitoearn_assets.defs.resources.aitoearn import AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.fetch.account_analytics import fetch_account_counters
from aitoearn_assets.fetch.account_rows import account_snapshots_frame, accounts_frame
from aitoearn_assets.warehouse.columns import ACCOUNTS_COLUMNS
from aitoearn_assets.warehouse.writes import replace_accounts


@dg.asset(
    group_name="ingest",
    pool=WRITER_POOL,
    kinds={"duckdb"},
    retry_policy=INGEST_RETRY_POLICY,
    freshness_policy=DAILY_FRESHNESS,
    description=(
        "Every account of the API key (table `accounts`), replaced as a whole at each run, and today's "
        "`account_snapshots` (live counters from account analytics, else the cached ones), in one transaction."
    ),
    metadata={"dagster/column_schema": table_schema(ACCOUNTS_COLUMNS), "dagster/table_name": "accounts"},
)
def accounts(
    context: dg.AssetExecutionContext, aitoearn: AiToEarnResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    start_api_asset(context, aitoearn, warehouse)
    now = utc_now()
    with aitoearn.client(context.log) as client, key_refusal_is_final():
        listed = client.list_accounts()
        counters = fetch_account_counters(
            client, [a for a in listed if a.is_active], max_concurrency=aitoearn.max_concurrency, log=context.log
        )
        stats = client.stats
    frame = accounts_frame(listed, now)
    snapshots = account_snapshots_frame(counters, now)
    with warehouse.writer() as con:  # fetch first, then take the file lock
        replace_accounts(con, frame, snapshots)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frame.height,
            "mode": aitoearn.mode,
            "requests": stats.requests,
            "retries": stats.retries,
            "offline_accounts": frame.filter(pl.col("status") == 0).height,
            "live_counters": sum(c.source == "analytics" for c in counters),
            "cached_counters": {c.account_id: c.reason or "" for c in counters if c.source == "accounts"},
            "preview": markdown_preview(frame),
        }
    )
