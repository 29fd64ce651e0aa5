"""`work_growth` and `account_growth`: what was gained over 1, 7 and 28 days, computed in polars.

DuckDB selects only what the gains need (each work's latest snapshot and its baseline snapshots, the
daily-series sums, the account counters); polars computes the definitions (README, "Definitions")
on Arrow from DuckDB; each table is replaced in one transaction.

gain_Nd = value at the latest snapshot - value at the baseline, the latest snapshot dated between
(latest - 2N days) and (latest - N days), both included. NULL when there is no baseline or either
value is NULL, or when the baseline measured with another metric; a work published after
(latest - N days) has baseline 0. For a daily series (pinterest, `work_metrics_daily`) gain_Nd is
the sum of the daily values of the N days ending at the latest date. Gains are never clamped.
"""

from __future__ import annotations

import duckdb
import polars as pl

from aitoearn_assets.warehouse.writes import transaction

DAYS = (1, 7, 28)
DAILY_SERIES_PLATFORMS = ("pinterest",)
_PARTS = ["like_count", "comment_count", "share_count", "collect_count", "save_count"]
_EXPOSURE = ["view_count", "impression_count", "reach_count", "play_count"]

_KEY = "platform, account_id, platform_work_id"
_ROW_COLUMNS = f"{', '.join(f's.{c}' for c in _PARTS + _EXPOSURE)}, s.engagement_count"
_BASES = ", ".join(f"base_{n}" for n in DAYS)

# Works whose latest snapshot is the latest date L of the table (nearly all: a run observes every work it
# lists): their baseline windows are the same dates for all, so one grouped scan of the last 2 x 28 days
# finds them and the rows are fetched from a handful of dates (DuckDB skips the others by zone map).
_CURRENT_BASELINES = f"""
CREATE OR REPLACE TEMP TABLE growth_baselines AS
SELECT {_KEY}, {", ".join(f"max(CASE WHEN snapshot_date BETWEEN $L - {2 * n} AND $L - {n} THEN snapshot_date END) AS base_{n}" for n in DAYS)}
FROM work_snapshots WHERE snapshot_date >= $L - {2 * max(DAYS)} AND snapshot_date < $L
GROUP BY ALL
"""
_CURRENT_ROWS = f"""
SELECT s.platform, s.account_id, s.platform_work_id, l.latest, {", ".join(f"b.base_{n}" for n in DAYS)},
       s.snapshot_date, {_ROW_COLUMNS}
FROM work_snapshots AS s
JOIN growth_latest AS l USING ({_KEY})
LEFT JOIN growth_baselines AS b USING ({_KEY})
WHERE l.latest = $L AND s.snapshot_date IN ({{dates}})
  AND (s.snapshot_date = l.latest OR {" OR ".join(f"s.snapshot_date = b.base_{n}" for n in DAYS)})
"""
# Works last seen before L (deleted, or no longer listed): the general form, for those works only.
_STALE_ROWS = f"""
WITH stale AS (SELECT {_KEY}, latest FROM growth_latest WHERE latest < $L),
windows AS (
    SELECT s.platform, s.account_id, s.platform_work_id, l.latest,
           {", ".join(f"max(CASE WHEN s.snapshot_date BETWEEN l.latest - {2 * n} AND l.latest - {n} THEN s.snapshot_date END) AS base_{n}" for n in DAYS)}
    FROM work_snapshots AS s JOIN stale AS l USING ({_KEY})
    WHERE s.snapshot_date >= l.latest - {2 * max(DAYS)}
    GROUP BY ALL
)
SELECT s.platform, s.account_id, s.platform_work_id, w.latest, {", ".join(f"w.base_{n}" for n in DAYS)},
       s.snapshot_date, {_ROW_COLUMNS}
FROM windows AS w
JOIN work_snapshots AS s
  ON s.platform = w.platform AND s.account_id = w.account_id AND s.platform_work_id = w.platform_work_id
 AND s.snapshot_date IN (w.latest, {", ".join(f"w.base_{n}" for n in DAYS)})
"""


def latest_and_baseline_rows(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Each work's latest snapshot and its 1/7/28-day baseline snapshots (the rows the gains need), with
    `latest`, `base_N` and the work's `published_at`."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE growth_latest AS SELECT {_KEY}, max(snapshot_date) AS latest "
                "FROM work_snapshots GROUP BY ALL")  # fmt: skip
    try:
        (last,) = con.execute("SELECT max(latest) FROM growth_latest").fetchone()  # type: ignore[misc]
        if last is None:
            return (
                con.sql(_STALE_ROWS, params={"L": None}).pl().with_columns(published_at=pl.lit(None, pl.Datetime("us")))
            )
        con.execute(_CURRENT_BASELINES, {"L": last})
        dates = [last] + [
            d for (d,) in con.execute(
                " UNION ".join(f"SELECT DISTINCT base_{n} FROM growth_baselines" for n in DAYS)
            ).fetchall() if d is not None
        ]  # fmt: skip
        literal_dates = ", ".join(
            f"DATE '{d.isoformat()}'" for d in dates
        )  # dates from DuckDB: literals so zone maps apply
        current = con.sql(_CURRENT_ROWS.replace("{dates}", literal_dates), params={"L": last}).pl()
        stale = con.sql(_STALE_ROWS, params={"L": last}).pl()
        rows = pl.concat([current, stale], how="vertical_relaxed")
        published = con.sql(
            f"SELECT {_KEY}, published_at FROM raw_works WHERE (platform, account_id, platform_work_id) IN "
            f"(SELECT {_KEY} FROM growth_latest)"
        ).pl()
        return rows.join(published, on=["platform", "account_id", "platform_work_id"], how="left")
    finally:
        con.execute("DROP TABLE IF EXISTS growth_latest")
        con.execute("DROP TABLE IF EXISTS growth_baselines")


_DAILY_SUMS = f"""
WITH latest AS (
    SELECT platform, account_id, platform_work_id, max(snapshot_date) AS latest
    FROM work_snapshots WHERE platform IN ({", ".join(f"'{p}'" for p in DAILY_SERIES_PLATFORMS)}) GROUP BY ALL
)
SELECT d.platform, d.account_id, d.platform_work_id, d.day, l.latest,
       {", ".join(f"d.{c}" for c in _PARTS + _EXPOSURE)}, d.engagement_count
FROM work_metrics_daily AS d JOIN latest AS l USING (platform, account_id, platform_work_id)
WHERE d.day > l.latest - {max(DAYS)} AND d.day <= l.latest
"""


def interactions_expr(prefix: str = "") -> tuple[pl.Expr, pl.Expr]:
    """(interactions, interactions_metric) per the definitions, over columns named `prefix + column`."""
    parts = [pl.col(prefix + c) for c in _PARTS]
    any_part = pl.any_horizontal([p.is_not_null() for p in parts])
    value = pl.when(any_part).then(pl.sum_horizontal(parts)).otherwise(pl.col(prefix + "engagement_count"))
    metric = (
        pl.when(any_part)
        .then(pl.lit("sum_of_parts"))
        .when(pl.col(prefix + "engagement_count").is_not_null())
        .then(pl.lit("engagement_count"))
    )
    return value.cast(pl.Int64), metric


def exposure_expr(prefix: str = "") -> tuple[pl.Expr, pl.Expr]:
    """(exposure, exposure_metric): the first reported of views, impressions, reach, plays."""
    value = pl.coalesce([pl.col(prefix + c) for c in _EXPOSURE])
    metric = pl.lit(None, pl.String)
    for c in reversed(_EXPOSURE):
        metric = pl.when(pl.col(prefix + c).is_not_null()).then(pl.lit(c)).otherwise(metric)
    return value.cast(pl.Int64), metric


def compute_work_growth(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per work with at least one snapshot (columns: warehouse/columns.py WORK_GROWTH_COLUMNS)."""
    key = ["platform", "account_id", "platform_work_id"]
    rows = latest_and_baseline_rows(con).lazy()
    exposure, exposure_metric = exposure_expr()
    interactions, interactions_metric = interactions_expr()
    measured = rows.with_columns(
        exposure=exposure, exposure_metric=exposure_metric, interactions=interactions, interactions_metric=interactions_metric
    ).select(*key, "latest", *(f"base_{n}" for n in DAYS), "published_at", "snapshot_date", "exposure",
             "exposure_metric", "interactions", "interactions_metric")  # fmt: skip
    latest = measured.filter(pl.col("snapshot_date") == pl.col("latest"))
    out = latest.select(*key, pl.col("latest").alias("snapshot_date"), "published_at", "exposure", "exposure_metric",
                        "interactions", "interactions_metric", *(f"base_{n}" for n in DAYS))  # fmt: skip
    for n in DAYS:
        base = measured.select(
            *key,
            pl.col("snapshot_date").alias(f"base_{n}"),
            pl.col("exposure").alias("b_exposure"),
            pl.col("exposure_metric").alias("b_exposure_metric"),
            pl.col("interactions").alias("b_interactions"),
            pl.col("interactions_metric").alias("b_interactions_metric"),
        ).unique()
        out = out.join(base, on=[*key, f"base_{n}"], how="left")
        fresh = pl.col("published_at").dt.date() > (pl.col("snapshot_date") - pl.duration(days=n))
        for m in ("exposure", "interactions"):
            gain = (
                pl.when(fresh)
                .then(pl.col(m))
                .when(pl.col(f"b_{m}_metric") == pl.col(f"{m}_metric"))
                .then(pl.col(m) - pl.col(f"b_{m}"))
            )
            out = out.with_columns(gain.cast(pl.Int64).alias(f"{m}_gain_{n}d"))
        out = out.drop("b_exposure", "b_exposure_metric", "b_interactions", "b_interactions_metric")
    out = _with_daily_series_gains(con, out, key)
    columns = [*key, "snapshot_date", "exposure", "interactions"]
    columns += [f"{m}_gain_{n}d" for m in ("exposure", "interactions") for n in DAYS]
    return out.select(columns).sort(key).collect()


def _with_daily_series_gains(con: duckdb.DuckDBPyConnection, out: pl.LazyFrame, key: list[str]) -> pl.LazyFrame:
    """Replace the gains of daily-series works by the sums of their daily values."""
    daily = con.sql(_DAILY_SUMS).pl().lazy()
    exposure, _ = exposure_expr()
    interactions, _ = interactions_expr()
    daily = daily.with_columns(d_exposure=exposure, d_interactions=interactions)
    sums = daily.group_by(key).agg(
        *(
            pl.when(pl.col(f"d_{m}").filter(pl.col("day") > pl.col("latest") - pl.duration(days=n)).count() > 0)
            .then(pl.col(f"d_{m}").filter(pl.col("day") > pl.col("latest") - pl.duration(days=n)).sum())
            .cast(pl.Int64)
            .alias(f"s_{m}_{n}")
            for m in ("exposure", "interactions")
            for n in DAYS
        ),
        pl.lit(True).alias("is_daily"),
    )
    out = out.join(sums, on=key, how="left")
    return out.with_columns(
        pl.when(pl.col("is_daily"))
        .then(pl.col(f"s_{m}_{n}"))
        .otherwise(pl.col(f"{m}_gain_{n}d"))
        .alias(f"{m}_gain_{n}d")
        for m in ("exposure", "interactions")
        for n in DAYS
    )


_ACCOUNT_FOLLOWERS = f"""
WITH latest AS (SELECT platform, account_id, max(snapshot_date) AS latest FROM account_snapshots GROUP BY ALL),
windows AS (
    SELECT s.platform, s.account_id, l.latest,
           {", ".join(f"max(CASE WHEN s.snapshot_date BETWEEN l.latest - {2 * n} AND l.latest - {n} THEN s.snapshot_date END) AS base_{n}" for n in (7, 28))}
    FROM account_snapshots AS s JOIN latest AS l USING (platform, account_id)
    GROUP BY ALL
)
SELECT w.platform, w.account_id, w.latest AS snapshot_date, now.followers,
       now.followers - b7.followers AS followers_gain_7d, now.followers - b28.followers AS followers_gain_28d
FROM windows AS w
JOIN account_snapshots AS now ON now.platform = w.platform AND now.account_id = w.account_id AND now.snapshot_date = w.latest
LEFT JOIN account_snapshots AS b7 ON b7.platform = w.platform AND b7.account_id = w.account_id AND b7.snapshot_date = w.base_7
LEFT JOIN account_snapshots AS b28 ON b28.platform = w.platform AND b28.account_id = w.account_id AND b28.snapshot_date = w.base_28
"""

_PUBLISHED_DAYS = """
SELECT platform, account_id, published_at::DATE AS published_day FROM raw_works WHERE published_at IS NOT NULL
"""


def compute_account_growth(con: duckdb.DuckDBPyConnection, work_growth: pl.DataFrame) -> pl.DataFrame:
    """One row per account with snapshots (columns: ACCOUNT_GROWTH_COLUMNS)."""
    key = ["platform", "account_id"]
    followers = con.sql(_ACCOUNT_FOLLOWERS).pl().lazy()
    works = work_growth.lazy()
    work_latest = works.group_by(key).agg(pl.col("snapshot_date").max().alias("works_latest"))
    accounts = (
        followers.join(work_latest, on=key, how="full", coalesce=True)
        .with_columns(pl.max_horizontal("snapshot_date", "works_latest").alias("snapshot_date"))
        .drop("works_latest")
    )
    on_latest = works.join(accounts.select(*key, pl.col("snapshot_date").alias("account_latest")), on=key).filter(
        pl.col("snapshot_date") == pl.col("account_latest")
    )
    both = pl.col("interactions_gain_7d").is_not_null() & pl.col("exposure_gain_7d").is_not_null()
    gains = on_latest.group_by(key).agg(
        pl.when(pl.col("interactions_gain_7d").count() > 0)
        .then(pl.col("interactions_gain_7d").sum())
        .alias("interactions_gain_7d"),
        pl.when(pl.col("exposure_gain_7d").count() > 0)
        .then(pl.col("exposure_gain_7d").sum())
        .alias("exposure_gain_7d"),
        pl.col("interactions_gain_7d").filter(both).sum().alias("rated_interactions"),
        pl.col("exposure_gain_7d").filter(both).sum().alias("rated_exposure"),
    )
    published = con.sql(_PUBLISHED_DAYS).pl().lazy().join(accounts.select(*key, "snapshot_date"), on=key)
    cadence = published.group_by(key).agg(
        *(
            ((pl.col("published_day") <= pl.col("snapshot_date"))
             & (pl.col("published_day") > pl.col("snapshot_date") - pl.duration(days=n))).sum().cast(pl.Int64)
            .alias(f"works_published_{n}d")
            for n in (7, 28)
        )
    )  # fmt: skip
    out = (
        accounts.join(gains, on=key, how="left")
        .join(cadence, on=key, how="left")
        .with_columns(
            pl.when(pl.col("rated_exposure") > 0)
            .then(pl.col("rated_interactions") / pl.col("rated_exposure"))
            .alias("engagement_rate_7d"),
            *(pl.col(f"works_published_{n}d").fill_null(0) for n in (7, 28)),
        )
    )
    columns = ["platform", "account_id", "snapshot_date", "followers", "followers_gain_7d", "followers_gain_28d",
               "interactions_gain_7d", "exposure_gain_7d", "engagement_rate_7d", "works_published_7d", "works_published_28d"]  # fmt: skip
    return (
        out.select(columns)
        .with_columns(
            *(
                pl.col(c).cast(pl.Int64)
                for c in columns
                if c not in ("platform", "account_id", "snapshot_date", "engagement_rate_7d")
            )
        )
        .sort(key)
        .collect()
    )


def replace_table_from_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Replace `table` with `frame` in one transaction; returns its row count."""
    if not table.isidentifier():
        raise ValueError(f"not a table name: {table!r}")
    with transaction(con):
        con.register("incoming_frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM incoming_frame")
        con.unregister("incoming_frame")
    return frame.height


def negative_gains(work_growth: pl.DataFrame) -> pl.DataFrame:
    """The works with any negative gain (a platform lowered a count)."""
    gains = [c for c in work_growth.columns if "_gain_" in c]
    return work_growth.filter(pl.any_horizontal([pl.col(c) < 0 for c in gains]))
