"""`work_metrics` and `work_metrics_daily`: which works are due, and the atomic write of their answers.

A work keeps its last `ok` values until a new `ok` answer replaces them; any other answer (no data
yet, not supported, an error) is recorded as its latest attempt beside them, never over them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from aitoearn_assets.tables import WORK_METRICS_COLUMNS, WORK_METRICS_DAILY_COLUMNS, polars_schema
from aitoearn_assets.warehouse import definitions
from aitoearn_assets.warehouse.schema import read_sql
from aitoearn_assets.warehouse.transactions import atomic, transaction
from aitoearn_assets.warehouse.write_marks import mark_write
from aitoearn_assets.warehouse.writes import record_run, registered, snapshot_works


@dataclass(frozen=True)
class AnalyticsSchedule:
    """When a work's analytics are asked again, and how many per platform per run (README, "work_metrics")."""

    recent_days: int = 30
    min_age_hours: float = 20
    stale_days: int = 7
    max_requests: int = 2000
    recent_share: float = 0.25  # of max_requests, kept for recent works that are due

    @property
    def reserved(self) -> int:
        return int(self.max_requests * self.recent_share)


@dataclass(frozen=True)
class DueWorks:
    """The works to ask this run (in order), and how many were due in all."""

    works: list[tuple[str, str, datetime | None]]  # (account_id, platform_work_id, published_at)
    due: int


def _candidates_sql() -> str:
    listed = lambda column: f"w.{column}"  # noqa: E731 - the list row's own values
    return read_sql("work_metrics_candidates").format(
        list_exposure=definitions.exposure(listed), list_interactions=definitions.interactions(listed)
    )


def due_works(con: duckdb.DuckDBPyConnection, platform: str, now: datetime, schedule: AnalyticsSchedule) -> DueWorks:
    """The due works of `platform` to ask within the budget, most wanted first (selected in SQL)."""
    rows = con.execute(
        _candidates_sql(),
        {
            "platform": platform,
            "now": now,
            "recent_days": schedule.recent_days,
            "min_age_hours": schedule.min_age_hours,
            "stale_days": schedule.stale_days,
            "max_requests": schedule.max_requests,
            "reserved": schedule.reserved,
        },
    ).fetchall()
    return DueWorks([(a, w, p) for a, w, p, _, picked in rows if picked], rows[0][3] if rows else 0)


@atomic
def write_work_metrics(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    rows: pl.DataFrame,
    daily: pl.DataFrame,
    run_date: date,
    run_record: Mapping[str, object],
) -> None:
    """Record the answers in `rows`: an `ok` one replaces the work's values (observed on `run_date`), any other
    one only its latest attempt (status, reason, time). The days of `daily` replace those days; other days stay.
    Today's `work_snapshots` of the works answered with data follow, and `run_record` goes to `analytics_runs`.
    One transaction."""
    ok = rows.filter(pl.col("status") == "ok")
    other = rows.filter(pl.col("status") != "ok")
    with transaction(con):
        mark_write(con, f"work_metrics:{platform}")
        if daily.height:
            with registered(con, "incoming_days", daily):
                con.execute(
                    "DELETE FROM work_metrics_daily WHERE platform = ? AND (account_id, platform_work_id, day) IN "
                    "(SELECT account_id, platform_work_id, day FROM incoming_days)",
                    [platform],
                )
                con.execute(
                    "INSERT INTO work_metrics_daily BY NAME SELECT ?::VARCHAR AS platform, * FROM incoming_days",
                    [platform],
                )
        if other.height:
            with registered(con, "incoming_attempts", other.select("account_id", "platform_work_id", "status",
                                                                     "reason", "fetched_at")):  # fmt: skip
                con.execute(
                    "UPDATE work_metrics AS w SET status = i.status, reason = i.reason, fetched_at = i.fetched_at "
                    "FROM incoming_attempts AS i WHERE w.platform = ? AND w.account_id = i.account_id "
                    "AND w.platform_work_id = i.platform_work_id",
                    [platform],
                )
                con.execute(
                    "INSERT INTO work_metrics BY NAME SELECT ?::VARCHAR AS platform, i.* FROM incoming_attempts AS i "
                    "ANTI JOIN (SELECT account_id, platform_work_id FROM work_metrics WHERE platform = ?) AS w "
                    "USING (account_id, platform_work_id)",
                    [platform, platform],
                )
        if ok.height:
            with registered(con, "incoming_metrics", ok):
                con.execute(
                    "DELETE FROM work_metrics WHERE platform = ? AND (account_id, platform_work_id) IN "
                    "(SELECT account_id, platform_work_id FROM incoming_metrics)",
                    [platform],
                )
                con.execute(
                    "INSERT INTO work_metrics BY NAME SELECT ?::VARCHAR AS platform, *, ?::DATE AS observed_on "
                    "FROM incoming_metrics",
                    [platform, run_date],
                )
                snapshot_works(con, platform, "incoming_metrics", run_date)
        record_run(con, "analytics_runs", {"platform": platform, **run_record})


#: The frames the analytics fetch builds (platform and observed_on are stamped by the writer).
WORK_METRICS_FRAME_SCHEMA: dict[str, pl.DataType] = polars_schema(
    {c: v for c, v in WORK_METRICS_COLUMNS.items() if c not in ("platform", "observed_on")}
)
DAILY_FRAME_SCHEMA: dict[str, pl.DataType] = polars_schema(
    {c: v for c, v in WORK_METRICS_DAILY_COLUMNS.items() if c != "platform"}
)


def metrics_frame(records: Sequence[dict]) -> pl.DataFrame:
    return pl.DataFrame(list(records), schema=WORK_METRICS_FRAME_SCHEMA)


def daily_frame(records: Sequence[dict]) -> pl.DataFrame:
    return pl.DataFrame(list(records), schema=DAILY_FRAME_SCHEMA)
