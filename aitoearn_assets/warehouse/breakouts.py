"""`work_breakouts`: works taking off, measured at equal age (README, "Definitions").

A work is a breakout at age N (metrics.BREAKOUT_AGES: 1 or 7 days) when its exposure at that age
(`work_age_metrics`) is at least BREAKOUT_RATIO (3) times the median exposure at that age of the same
account's *other* works measured at that age, at least BREAKOUT_MIN_PEERS (5) of them, and that
median is above 0. `detected_on` is the run date (the latest snapshot_date) it was first found, kept
from the table's previous rows while the work stays a breakout.

The median of the others is read off the account's sorted values with the work's own position
skipped: one sort per account and age, no pairing of works.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from aitoearn_assets.metrics import BREAKOUT_AGES, BREAKOUT_MIN_PEERS, BREAKOUT_RATIO
from aitoearn_assets.tables import WORK_BREAKOUTS_COLUMNS

WORK = ["platform", "account_id", "platform_work_id"]
GROUP = ["platform", "account_id", "age_days"]
KEY = [*WORK, "age_days"]


def measured_at_age(work_age: pl.DataFrame) -> pl.DataFrame:
    """(platform, account_id, platform_work_id, age_days, exposure_at_age): every measurement at a breakout age."""
    return pl.concat(
        [
            work_age.select(*WORK, pl.lit(n, pl.Int32).alias("age_days"), pl.col(f"exposure_at_{n}d").alias("exposure_at_age"))
            .filter(pl.col("exposure_at_age").is_not_null())
            for n in BREAKOUT_AGES
        ]
    )  # fmt: skip


def with_median_of_others(measured: pl.DataFrame) -> pl.DataFrame:
    """Adds `others` (the account's other works measured at that age) and `account_median_at_age` (their median)."""
    ranked = measured.sort(*GROUP, "exposure_at_age").with_columns(
        pl.int_range(pl.len()).over(GROUP).alias("position"), (pl.len().over(GROUP) - 1).alias("others")
    )
    values = ranked.select(*GROUP, "position", pl.col("exposure_at_age").alias("value"))

    def skipping_own(k: pl.Expr) -> pl.Expr:  # position k of the others' sorted values, in the account's order
        return pl.when(k < pl.col("position")).then(k).otherwise(k + 1)

    middle = ranked.with_columns(
        skipping_own((pl.col("others") - 1) // 2).alias("low"), skipping_own(pl.col("others") // 2).alias("high")
    )
    for end in ("low", "high"):
        middle = middle.join(values.rename({"position": end, "value": f"{end}_value"}), on=[*GROUP, end], how="left")
    median = (pl.col("low_value") + pl.col("high_value")) / 2
    return middle.with_columns(median.cast(pl.Float64).alias("account_median_at_age")).drop(
        "position", "low", "high", "low_value", "high_value"
    )


def compute_work_breakouts(
    con: duckdb.DuckDBPyConnection, work_age: pl.DataFrame, previous: pl.DataFrame | None
) -> pl.DataFrame:
    """Every breakout (columns: tables.WORK_BREAKOUTS_COLUMNS); `previous`: the table's rows before this run."""
    (run_date,) = con.execute("SELECT max(snapshot_date) FROM work_snapshots").fetchone()  # type: ignore[misc]
    found = with_median_of_others(measured_at_age(work_age)).filter(
        (pl.col("others") >= BREAKOUT_MIN_PEERS)
        & (pl.col("account_median_at_age") > 0)
        & (pl.col("exposure_at_age") >= BREAKOUT_RATIO * pl.col("account_median_at_age"))
    )
    found = found.with_columns((pl.col("exposure_at_age") / pl.col("account_median_at_age")).alias("ratio"))
    first_found = _first_found(previous, run_date)
    links = con.sql("SELECT platform, account_id, platform_work_id, title, url FROM work_engagement").pl()
    return (
        found.join(first_found, on=KEY, how="left")
        .with_columns(pl.coalesce("detected_on", pl.lit(run_date, pl.Date)).alias("detected_on"))
        .join(links, on=WORK, how="left")
        .select(list(WORK_BREAKOUTS_COLUMNS))
        .sort("detected_on", "platform", "account_id", "platform_work_id", "age_days", descending=[True, False, False, False, False])
    )  # fmt: skip


def _first_found(previous: pl.DataFrame | None, run_date: date | None) -> pl.DataFrame:
    schema = {"platform": pl.String(), "account_id": pl.String(), "platform_work_id": pl.String(),
              "age_days": pl.Int32(), "detected_on": pl.Date()}  # fmt: skip
    if previous is None or previous.is_empty():
        return pl.DataFrame(schema=schema)
    kept = previous.select(list(schema)).cast(schema)  # type: ignore[arg-type]
    if run_date is not None:  # a rebuild of an earlier date's warehouse never dates a find in its future
        kept = kept.filter(pl.col("detected_on") <= run_date)
    return kept


def read_previous(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """The rows work_breakouts holds now (None before its first build)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'work_breakouts' AND database_name = current_database()"
    ).fetchone()
    return con.sql("SELECT * FROM work_breakouts").pl() if exists and exists[0] else None


def new_breakouts(breakouts: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The breakouts first found on the latest run date."""
    (run_date,) = con.execute("SELECT max(snapshot_date) FROM work_snapshots").fetchone()  # type: ignore[misc]
    return breakouts.filter(pl.col("detected_on") == run_date)
