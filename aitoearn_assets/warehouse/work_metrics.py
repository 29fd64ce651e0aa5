"""`work_metrics` and `work_metrics_daily`: which works are due, and the atomic write of their answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from aitoearn_assets.warehouse.columns import METRIC_COLUMNS
from aitoearn_assets.warehouse.schema import read_sql
from aitoearn_assets.warehouse.writes import registered, snapshot_works, transaction


@dataclass(frozen=True)
class AnalyticsSchedule:
    """When a work's analytics are asked again (README, "work_metrics")."""

    recent_days: int = 30
    min_age_hours: float = 20
    stale_days: int = 7
    max_requests: int = 2000


def due_works(
    con: duckdb.DuckDBPyConnection, platform: str, now: datetime, schedule: AnalyticsSchedule
) -> list[tuple[str, str, datetime | None]]:
    """(account_id, platform_work_id, published_at) of every due work of `platform`, most wanted first."""
    return con.execute(
        read_sql("work_metrics_candidates"),
        {
            "platform": platform,
            "now": now,
            "recent_days": schedule.recent_days,
            "min_age_hours": schedule.min_age_hours,
            "stale_days": schedule.stale_days,
        },
    ).fetchall()


def write_work_metrics(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    rows: pl.DataFrame,
    daily: pl.DataFrame,
) -> None:
    """Replace the `work_metrics` rows of the works in `rows`, and the daily rows of the works in `daily`;
    every other row stays; today's `work_snapshots` of the works that answered follow. One transaction."""
    with transaction(con):
        if daily.height:
            with registered(con, "incoming_daily", daily):
                _replace_rows_of_works(con, "work_metrics_daily", platform, "incoming_daily")
        if rows.height:
            with registered(con, "incoming_metrics", rows):
                _replace_rows_of_works(con, "work_metrics", platform, "incoming_metrics")
                fetched_at = rows.get_column("fetched_at").max()
                snapshot_works(con, platform, "incoming_metrics", fetched_at.date(), fetched_at)  # type: ignore[union-attr]


def _replace_rows_of_works(con: duckdb.DuckDBPyConnection, table: str, platform: str, incoming: str) -> None:
    """Replace `table`'s rows of the works in the registered relation `incoming` with its rows."""
    con.execute(
        f"DELETE FROM {table} WHERE platform = ? AND (account_id, platform_work_id) IN "
        f"(SELECT account_id, platform_work_id FROM {incoming})",
        [platform],
    )
    con.execute(f"INSERT INTO {table} BY NAME SELECT ?::VARCHAR AS platform, * FROM {incoming}", [platform])


WORK_METRICS_FRAME_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.String(),
    "platform_work_id": pl.String(),
    **{c: pl.Int64() for c in METRIC_COLUMNS},
    "status": pl.String(),
    "reason": pl.String(),
    "period_start_at": pl.Datetime("us"),
    "period_end_at": pl.Datetime("us"),
    "fetched_at": pl.Datetime("us"),
    "extra": pl.String(),
}
DAILY_FRAME_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.String(),
    "platform_work_id": pl.String(),
    "day": pl.Date(),
    **{c: pl.Int64() for c in METRIC_COLUMNS},
    "fetched_at": pl.Datetime("us"),
}


def metrics_frame(records: Sequence[dict]) -> pl.DataFrame:
    return pl.DataFrame(list(records), schema=WORK_METRICS_FRAME_SCHEMA)


def daily_frame(records: Sequence[dict]) -> pl.DataFrame:
    return pl.DataFrame(list(records), schema=DAILY_FRAME_SCHEMA)
