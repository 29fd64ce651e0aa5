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

DAYS = (1, 7, 28)
DAILY_SERIES_PLATFORMS = ("pinterest",)
_PARTS = ["like_count", "comment_count", "share_count", "collect_count", "save_count"]
_EXPOSURE = ["view_count", "impression_count", "reach_count", "play_count"]

_KEY = "platform, account_id, platform_work_id"
_METRICS = [*_PARTS, *_EXPOSURE, "engagement_count"]
_ROLES = {"c": "latest", **{f"b{n}": f"base_{n}" for n in DAYS}}
_BASE_WINDOWS = ", ".join(
    f"max(CASE WHEN s.snapshot_date BETWEEN {{latest}} - {2 * n} AND {{latest}} - {n} THEN s.snapshot_date END) AS base_{n}"
    for n in DAYS
)

# Each work gets an integer id, its latest snapshot date and its baseline dates (the latest snapshot in each
# window). Works last seen on the table's latest date L (nearly all: a run observes every work it lists) share
# their windows, so one grouped scan of the last 2 x 28 days finds their baselines; works seen last before L
# (deleted, no longer listed) take the general form.
_ROLES_TABLE = f"""
CREATE OR REPLACE TEMP TABLE growth_roles AS
WITH latest AS (SELECT {_KEY}, max(snapshot_date) AS latest FROM work_snapshots GROUP BY ALL),
current_bases AS (
    SELECT {_KEY}, {_BASE_WINDOWS.format(latest="$L")}
    FROM work_snapshots AS s WHERE s.snapshot_date >= $L - {2 * max(DAYS)} AND s.snapshot_date < $L
    GROUP BY ALL
),
stale_bases AS (
    SELECT s.platform, s.account_id, s.platform_work_id, {_BASE_WINDOWS.format(latest="l.latest")}
    FROM work_snapshots AS s JOIN latest AS l USING ({_KEY})
    WHERE l.latest < $L AND s.snapshot_date >= l.latest - {2 * max(DAYS)}
    GROUP BY ALL
)
SELECT row_number() OVER () AS wid, l.platform, l.account_id, l.platform_work_id, l.latest,
       {", ".join(f"coalesce(c.base_{n}, s.base_{n}) AS base_{n}" for n in DAYS)}, r.published_at
FROM latest AS l
LEFT JOIN current_bases AS c ON l.latest = $L AND c.platform = l.platform AND c.account_id = l.account_id
     AND c.platform_work_id = l.platform_work_id
LEFT JOIN stale_bases AS s ON s.platform = l.platform AND s.account_id = l.account_id
     AND s.platform_work_id = l.platform_work_id
LEFT JOIN raw_works AS r ON r.platform = l.platform AND r.account_id = l.account_id
     AND r.platform_work_id = l.platform_work_id
"""
_ROLES_TABLE = _ROLES_TABLE.replace("$L", "$L::DATE")  # typed even when the table is empty (L is NULL)

# One role's snapshot (the latest, or one baseline) of every work, keyed by the integer id: the text keys
# travel once, in growth_roles.
_ROLE_ROWS = f"""
SELECT r.wid, {", ".join(f"s.{c}" for c in _METRICS)}
FROM work_snapshots AS s JOIN growth_roles AS r USING ({_KEY})
WHERE ({{date_filter}}) AND s.snapshot_date = r.{{role_date}}
"""
_METRIC_NAMES = pl.Enum(
    ["view_count", "impression_count", "reach_count", "play_count", "sum_of_parts", "engagement_count"]
)


def measured_roles(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per work: keys, `latest`, `base_N`, `published_at`, and exposure / interactions (with the metric
    each used) at its latest snapshot (`c_*`) and at each baseline (`b<N>_*`).

    Only what the gains need leaves DuckDB, one role at a time (peak memory stays low at 1M works x 90 days).
    """
    con.execute("SET preserve_insertion_order = false")  # lets DuckDB stream and spill
    try:
        (last,) = con.execute("SELECT max(snapshot_date) FROM work_snapshots").fetchone()  # type: ignore[misc]
        con.execute(_ROLES_TABLE, {"L": last})
        wide = con.sql("SELECT * FROM growth_roles").pl()
        current_works = pl.col("latest") == pl.lit(last, pl.Date)  # `last` is None on an empty table
        has_stale = wide.filter(pl.col("latest") < pl.lit(last, pl.Date)).height > 0
        exposure, exposure_metric = exposure_expr()
        interactions, interactions_metric = interactions_expr()
        for role, date_column in _ROLES.items():
            dates = wide.filter(current_works)[date_column].drop_nulls().unique().sort().to_list()
            # literal dates, so zone maps skip every other day; works seen last before L scan it all (rare)
            current = " OR ".join(f"s.snapshot_date = DATE '{d.isoformat()}'" for d in dates) or "FALSE"
            date_filter = f"(r.latest = $L::DATE AND ({current}))" + (" OR r.latest < $L::DATE" if has_stale else "")
            sql = _ROLE_ROWS.replace("{date_filter}", date_filter).replace("{role_date}", date_column)
            rows = (
                con.sql(sql, params={"L": last})
                .pl()
                .select(
                    "wid",
                    exposure.alias(f"{role}_exposure"),
                    exposure_metric.cast(_METRIC_NAMES).alias(f"{role}_exposure_metric"),
                    interactions.alias(f"{role}_interactions"),
                    interactions_metric.cast(_METRIC_NAMES).alias(f"{role}_interactions_metric"),
                )
            )
            wide = wide.join(rows, on="wid", how="left")
    finally:
        con.execute("DROP TABLE IF EXISTS growth_roles")
        con.execute("RESET preserve_insertion_order")
    return wide.drop("wid")


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
    wide = measured_roles(con).lazy()
    gains = []
    for n in DAYS:
        fresh = pl.col("published_at").dt.date() > (pl.col("latest") - pl.duration(days=n))
        for m in ("exposure", "interactions"):
            gain = (
                pl.when(fresh)
                .then(pl.col(f"c_{m}"))
                .when(pl.col(f"b{n}_{m}_metric") == pl.col(f"c_{m}_metric"))
                .then(pl.col(f"c_{m}") - pl.col(f"b{n}_{m}"))
            )
            gains.append(gain.cast(pl.Int64).alias(f"{m}_gain_{n}d"))
    out = wide.select(*key, pl.col("latest").alias("snapshot_date"), pl.col("c_exposure").alias("exposure"),
                      pl.col("c_interactions").alias("interactions"), *gains)  # fmt: skip
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


def negative_gains(work_growth: pl.DataFrame) -> pl.DataFrame:
    """The works with any negative gain (a platform lowered a count)."""
    gains = [c for c in work_growth.columns if "_gain_" in c]
    return work_growth.filter(pl.any_horizontal([pl.col(c) < 0 for c in gains]))
