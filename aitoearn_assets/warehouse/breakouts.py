"""`work_breakouts`: works taking off, measured at equal age (README, "Definitions").

A work is a breakout at age N (metrics.BREAKOUT_AGES: 1 or 7 days) when its exposure at that age
(`work_age_metrics`) is at least BREAKOUT_RATIO (3) times the median exposure at that age of the same
account's *other* works measured at that age, at least BREAKOUT_MIN_PEERS (5) of them, and that
median is above 0. `detected_on` is the first run date it was found on: the first date R (from the
date it was measured at that age) on which the rule held over the works measured by R. A value at an
age is fixed once its day has passed, so the date follows from the snapshots alone, whatever the
table held before (a rebuild or a lost table gives the same dates).

The median of the others is read off the account's sorted values with the work's own position
skipped: one sort per account and age, no pairing of works.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from datetime import date
from typing import Any

import duckdb
import polars as pl

from aitoearn_assets.metrics import BREAKOUT_AGES, BREAKOUT_MIN_PEERS, BREAKOUT_RATIO
from aitoearn_assets.tables import WORK_BREAKOUTS_COLUMNS

WORK = ["platform", "account_id", "platform_work_id"]
GROUP = ["platform", "account_id", "age_days"]
KEY = [*WORK, "age_days"]


def measured_at_age(work_age: pl.DataFrame) -> pl.DataFrame:
    """(platform, account_id, platform_work_id, age_days, exposure_at_age, measured_on): every measurement at a
    breakout age, and the day it was measured on (its publish date, UTC, + the age)."""
    return pl.concat(
        [
            work_age.select(*WORK, pl.lit(n, pl.Int32).alias("age_days"), pl.col(f"exposure_at_{n}d").alias("exposure_at_age"),
                            (pl.col("published_at").dt.date() + pl.duration(days=n)).alias("measured_on"))
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


def compute_work_breakouts(con: duckdb.DuckDBPyConnection, work_age: pl.DataFrame) -> pl.DataFrame:
    """Every breakout as of the latest run date (columns: tables.WORK_BREAKOUTS_COLUMNS)."""
    measured = measured_at_age(work_age)
    found = with_median_of_others(measured).filter(
        is_breakout(pl.col("exposure_at_age"), pl.col("account_median_at_age"), pl.col("others"))
    )
    found = found.with_columns((pl.col("exposure_at_age") / pl.col("account_median_at_age")).alias("ratio"))
    links = con.sql("SELECT platform, account_id, platform_work_id, title, url FROM work_engagement").pl()
    return (
        found.join(first_found(measured, found), on=KEY, how="left")
        .join(links, on=WORK, how="left")
        .select(list(WORK_BREAKOUTS_COLUMNS))
        .sort("detected_on", "platform", "account_id", "platform_work_id", "age_days", descending=[True, False, False, False, False])
    )  # fmt: skip


def is_breakout(value: Any, median: Any, others: Any) -> Any:
    """The rule, on numbers or on polars expressions alike."""
    return (others >= BREAKOUT_MIN_PEERS) & (median > 0) & (value >= BREAKOUT_RATIO * median)


def first_found(measured: pl.DataFrame, found: pl.DataFrame) -> pl.DataFrame:
    """KEY + `detected_on` of each work in `found`: the first run date the rule held on.

    The account's values at that age are taken in the order of the days they were measured on (every such
    day is a run date: its snapshot exists); after each day's, the works still waiting are tried against
    the others measured so far. Only the accounts with a breakout are walked."""
    groups = (
        measured.join(found.select(GROUP).unique(), on=GROUP)
        .sort(*GROUP, "measured_on")
        .group_by(GROUP, maintain_order=True)
        .agg("measured_on", "exposure_at_age")
    )
    waiting: dict[tuple, dict[str, tuple[date, int]]] = {}
    for platform, account_id, work, age, measured_on, value in found.select(
        *KEY, "measured_on", "exposure_at_age"
    ).iter_rows():
        waiting.setdefault((platform, account_id, age), {})[work] = (measured_on, value)
    rows = []
    for platform, account_id, age, days, values in groups.iter_rows():
        pending, sorted_values = waiting[(platform, account_id, age)], []
        for n, day in enumerate(days):
            insort(sorted_values, values[n])
            others = len(sorted_values) - 1
            if (n + 1 < len(days) and days[n + 1] == day) or others < BREAKOUT_MIN_PEERS:
                continue  # the rest of this day's values first; too few others yet
            for work, (measured_on, value) in list(pending.items()):
                if measured_on <= day and is_breakout(value, median_without(sorted_values, value), others):
                    rows.append((platform, account_id, work, age, day))
                    del pending[work]
    schema = {"platform": pl.String(), "account_id": pl.String(), "platform_work_id": pl.String(),
              "age_days": pl.Int32(), "detected_on": pl.Date()}  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def median_without(sorted_values: list[int], own: int) -> float:
    """The median of `sorted_values` (two or more) with one occurrence of `own` left out."""
    others = len(sorted_values) - 1
    position = bisect_left(sorted_values, own)

    def skipping_own(k: int) -> int:
        return k if k < position else k + 1

    return (sorted_values[skipping_own((others - 1) // 2)] + sorted_values[skipping_own(others // 2)]) / 2


def new_breakouts(breakouts: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The breakouts first found on the latest run date."""
    (run_date,) = con.execute("SELECT max(snapshot_date) FROM work_snapshots").fetchone()  # type: ignore[misc]
    return breakouts.filter(pl.col("detected_on") == run_date)
