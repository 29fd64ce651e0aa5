"""Turn `ChannelAccountVo` objects into `accounts` rows."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from aitoearn_assets.api.models import ACCOUNT_COUNTERS, Account
from aitoearn_assets.fetch.work_rows import UnreadableItem, read_count, read_text, read_timestamp

ACCOUNTS_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.String(),
    "platform": pl.String(),
    "uid": pl.String(),
    "account": pl.String(),
    "nickname": pl.String(),
    "status": pl.Int32(),
    **{col: pl.Int64() for col in ACCOUNT_COUNTERS.values()},
    "last_stats_time": pl.Datetime("us"),
    "fetched_at": pl.Datetime("us"),
}


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


def account_snapshots_frame(counters: list, fetched_at: datetime) -> pl.DataFrame:
    """Today's `account_snapshots` rows from `fetch_account_counters` (AccountCounters)."""
    columns = list(counters[0].counters) if counters else []
    schema = {
        "platform": pl.String(),
        "account_id": pl.String(),
        "snapshot_date": pl.Date(),
        **{c: pl.Int64() for c in columns},
        "source": pl.String(),
        "reason": pl.String(),
        "fetched_at": pl.Datetime("us"),
    }
    rows = [
        {"platform": c.platform, "account_id": c.account_id, "snapshot_date": fetched_at.date(), **c.counters,
         "source": c.source, "reason": c.reason, "fetched_at": fetched_at}
        for c in counters
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=schema)
