"""Turn `ChannelAccountVo` objects into `accounts` rows."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from aitoearn_assets.api.models import ACCOUNT_COUNTERS, Account
from aitoearn_assets.fetch.work_rows import UnreadableItem, read_count, read_text, read_timestamp
from aitoearn_assets.tables import ACCOUNT_SNAPSHOTS_COLUMNS, ACCOUNTS_COLUMNS, polars_schema

#: The rows of a listing (`removed_at` is the writer's: it compares the listing with the stored accounts).
ACCOUNTS_SCHEMA: dict[str, pl.DataType] = polars_schema(
    {c: v for c, v in ACCOUNTS_COLUMNS.items() if c != "removed_at"}
)
ACCOUNT_SNAPSHOTS_SCHEMA: dict[str, pl.DataType] = polars_schema(ACCOUNT_SNAPSHOTS_COLUMNS)


def _lenient(reader, value, name):  # noqa: ANN001
    """An unreadable account field becomes NULL: one odd counter must not hide the account."""
    try:
        return reader(value, name)
    except UnreadableItem:
        return None


def accounts_frame(accounts: list[Account], fetched_at: datetime) -> pl.DataFrame:
    rows = []
    for account in accounts:
        raw = account.raw
        rows.append(
            (
                account.id,
                account.platform,
                _lenient(read_text, raw.get("uid"), "uid"),
                _lenient(read_text, raw.get("account"), "account"),
                _lenient(read_text, raw.get("nickname"), "nickname"),
                account.status,
                *(_lenient(read_count, raw.get(key), key) for key in ACCOUNT_COUNTERS),
                _lenient(read_timestamp, raw.get("lastStatsTime"), "lastStatsTime"),
                fetched_at,
            )
        )
    return pl.DataFrame(rows, schema=ACCOUNTS_SCHEMA, orient="row")


def account_snapshots_frame(counters: list, run_date: date, fetched_at: datetime) -> pl.DataFrame:
    """The run's `account_snapshots` rows from `fetch_account_counters` (AccountCounters), dated `run_date`."""
    rows = [
        {"platform": c.platform, "account_id": c.account_id, "snapshot_date": run_date, **c.counters,
         "source": c.source, "reason": c.reason, "fetched_at": fetched_at,
         "observed_on": run_date if c.source == "analytics" else c.cached_on}
        for c in counters
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=ACCOUNT_SNAPSHOTS_SCHEMA)
