"""`work_growth` and `account_growth`: what was gained over 1, 7 and 28 days, from real observations.

A snapshot may show a value carried over from an earlier answer (a work whose analytics are asked
weekly shows the same views all week): that is not a new observation. Each snapshot records when
its exposure and its interactions were observed, and a snapshot is an *observation* of a measure
when the run that wrote it observed it (`<measure>_observed_on = snapshot_date`). Then, per work
and measure (README, "Definitions"):

gain_Nd = the value at its latest observation L - the value at its latest observation dated in
[L - 2N, L - N]; NULL when there is none, or when that one measured with another metric. A work
published (UTC date) after L - N has baseline 0. For a daily series (pinterest, `work_metrics_daily`)
gain_Nd is the sum of the N daily values ending at the latest day stored, NULL unless all N days are
stored from the work's publication day on (days before it count as 0). Only works that
work_engagement shows have growth: not those of removed accounts, nor works gone from raw_works.
Gains are never clamped.

DuckDB selects what the gains need (each work's latest values, then its baselines: see _latest and
_baselines for the order they are looked for in); polars computes the gains; each table is replaced in
one transaction by the asset.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from aitoearn_assets.api.platforms import DAILY_SERIES_PLATFORMS
from aitoearn_assets.metrics import GAIN_DAYS
from aitoearn_assets.tables import ACCOUNT_GROWTH_COLUMNS, WORK_GROWTH_COLUMNS
from aitoearn_assets.warehouse import definitions
from aitoearn_assets.warehouse.session import unordered
from aitoearn_assets.warehouse.writes import registered

KEY = ["platform", "account_id", "platform_work_id"]
#: A work's number in growth_listed, growth_latest and the baselines' frames: one integer to group and join
#: on instead of the three strings of KEY (each polars join of 1M works 0.25 s, against 0.05 s).
WORK_ROW = "work_row"
MEASURES = ("exposure", "interactions")
_DAILY = ", ".join(f"'{p}'" for p in sorted(DAILY_SERIES_PLATFORMS))

#: Works whose latest values and baselines one aggregation meets. Snapshots are appended a day at a time, so
#: every chunk of rows meets every work: 1M works in one aggregation over 90 days ran out of DuckDB's 512 MB
#: (benchmarks/growth.py); a pass per share of the works (by a hash of the work id) stays within it.
WORKS_PER_PASS = 250_000

#: The days before the latest snapshot date where each work's latest observations are looked for first (a scan
#: that DuckDB's zone maps prune to those days); only the works with a measure not observed in them, or no
#: snapshot in them, are looked for over their whole history.
RECENT_DAYS = 7


def _observed_date(measure: str, alias: str = "", window: str = "") -> str:
    """The snapshot's date when it observed `measure` (and lies in `window`), else NULL.

    arg_max over it picks the latest observation: DuckDB skips the rows whose ordering value is NULL.
    This is 1.5-2x as fast as the same aggregate with a FILTER clause, on 90M snapshots."""
    condition = f"{alias}{measure} IS NOT NULL AND {alias}{measure}_observed_on = {alias}snapshot_date{window}"
    return f"CASE WHEN {condition} THEN {alias}snapshot_date END"


#: Every current work and its publication day (UTC).
_LISTED = """
SELECT platform, account_id, platform_work_id, published_at::DATE AS published_day FROM work_engagement
"""

#: Per work: its latest snapshot's (carried) values, for each measure its latest observation, and its
#: publication day (UTC). Only the works work_engagement shows (its definition of a current work: the temp
#: table growth_listed), joined after the aggregation, which then meets one row a work instead of every
#: snapshot. `{source}`: the snapshots looked at; `{part}`: the snapshots of this pass; `{share}`: its works.
_LATEST = f"""
SELECT * FROM (
    SELECT platform, account_id, platform_work_id,
           max(snapshot_date) AS snapshot_date,
           arg_max_null(exposure, snapshot_date) AS exposure,
           arg_max_null(interactions, snapshot_date) AS interactions,
           {
    ", ".join(
        f"max({_observed_date(m)}) AS {m}_observed_on, "
        f"arg_max({m}, {_observed_date(m)}) AS {m}_at_latest, "
        f"arg_max({m}_metric, {_observed_date(m)}) AS {m}_metric_at_latest"
        for m in MEASURES
    )
}
    FROM {{source}}
    WHERE {{part}} AND {{share}}
    GROUP BY platform, account_id, platform_work_id
)
JOIN (SELECT * FROM growth_listed WHERE {{share}}) USING (platform, account_id, platform_work_id)
"""


def _window(measure: str, n: int, newest_day: bool) -> str:
    """Baseline window n: [L - 2n, L - n] for the latest observation L, or its newest day only."""
    if newest_day:
        return f" AND s.snapshot_date = l.{measure}_observed_on - {n}"
    return f" AND s.snapshot_date BETWEEN l.{measure}_observed_on - {2 * n} AND l.{measure}_observed_on - {n}"


def _bases(days: tuple[int, ...], newest_day: bool = False) -> str:
    """Per work and window of `days`: each measure's value at its latest observation in the window
    (`<m>_base_<n>`), and whether that observation measured with the latest one's metric (`<m>_same_<n>`,
    compared here, so no metric name reaches polars). With `newest_day`, only an observation on the
    window's newest day counts (it is then the latest in the window). `{latest}`: the works (rows of
    growth_latest); `{part}`: the snapshots and works of this pass."""
    aggregates = ", ".join(
        f"arg_max(s.{m}, {_observed_date(m, 's.', _window(m, n, newest_day))}) AS {m}_base_{n}, "
        f"arg_max(s.{m}_metric = l.{m}_metric_at_latest, {_observed_date(m, 's.', _window(m, n, newest_day))}) "
        f"AS {m}_same_{n}"
        for m in MEASURES
        for n in days
    )
    return f"""
    SELECT l.{WORK_ROW}, {aggregates}
    FROM work_snapshots AS s
    JOIN {{latest}} AS l USING (platform, account_id, platform_work_id)
    WHERE s.snapshot_date >= least(l.exposure_observed_on, l.interactions_observed_on) - {2 * max(days)}
      AND s.snapshot_date <= greatest(l.exposure_observed_on, l.interactions_observed_on) - {min(days)}
      AND {{part}}
    GROUP BY l.{WORK_ROW}
    """


#: Per work of a daily-series platform: the sum of each measure's last N days, when every one of them from the
#: work's publication day on is stored (a day before it counts as 0 when absent, and as stored when present).
_DAILY_GAINS = f"""
WITH days AS (
    SELECT d.platform, d.account_id, d.platform_work_id, d.day, r.published_at::DATE AS published_day,
           {definitions.exposure(lambda c: f"d.{c}")} AS exposure,
           {definitions.interactions(lambda c: f"d.{c}")} AS interactions,
           max(d.day) OVER (PARTITION BY d.platform, d.account_id, d.platform_work_id) AS last_day
    FROM work_metrics_daily AS d
    LEFT JOIN raw_works AS r USING (platform, account_id, platform_work_id)
    WHERE d.platform IN ({_DAILY})
)
SELECT platform, account_id, platform_work_id,
       {
    ", ".join(
        f"CASE WHEN count(DISTINCT day) FILTER (WHERE day > last_day - {n} AND {m} IS NOT NULL "
        f"AND day >= coalesce(published_day, last_day - {n})) "
        f"= least({n}, any_value(last_day) - coalesce(any_value(published_day), any_value(last_day) - {n}) + 1) "
        f"THEN sum({m}) FILTER (WHERE day > last_day - {n}) END::BIGINT AS {m}_daily_{n}"
        for m in MEASURES
        for n in GAIN_DAYS
    )
}
FROM days
GROUP BY platform, account_id, platform_work_id
"""


_KEY = ", ".join(KEY)
_SAME_KEY = " AND ".join(f"t.{c} = o.{c}" for c in KEY)


def _passes(works: int, column: str = "platform_work_id") -> list[str]:
    """The works of each pass over `works` works (see WORKS_PER_PASS), as a condition on `column`."""
    n = -(-works // WORKS_PER_PASS)
    return [f"hash({column}) % {n} = {i}" for i in range(n)] if n > 1 else ["true"]


def _frame_in_passes(con: duckdb.DuckDBPyConnection, query: str, where: str, works: int) -> pl.DataFrame:
    """`query` (a `_bases` query with `{latest}` filled) over `works` works, `where` holding, pass by pass. The
    pass's share is asked of both sides of the join: DuckDB does not carry it over, and would otherwise build
    its hash table on every work of `{latest}` in every pass (0.7 s a pass at 1M works, against 0.5 s)."""
    shares = zip(_passes(works, "s.platform_work_id"), _passes(works, "l.platform_work_id"), strict=True)
    return pl.concat(
        [con.sql(query.replace("{part}", f"{where} AND {of_snapshots} AND {of_latest}")).pl()
         for of_snapshots, of_latest in shares]
    )  # fmt: skip


def _date(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def _fill_earlier_observation(con: duckdb.DuckDBPyConnection, measure: str, since: date) -> None:
    """For the works of growth_latest that did not observe `measure` in the recent days: its latest observation
    before them. Only the snapshots that observed it are grouped, and only for the platforms that ever reported
    it, so a measure a platform never reports costs one filtered scan, not an aggregation of whole histories."""
    observed_before = (
        f"{measure} IS NOT NULL AND {measure}_observed_on = snapshot_date AND snapshot_date < {_date(since)}"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE growth_unseen AS SELECT {_KEY} FROM growth_latest "
                f"WHERE {measure}_observed_on IS NULL")  # fmt: skip
    (unseen,) = con.execute("SELECT count(*) FROM growth_unseen").fetchone()  # type: ignore[misc]
    if unseen:  # a scan of the earlier snapshots (0.5 s at 1M works x 90 days): only when some work needs it
        con.execute(f"""
            DELETE FROM growth_unseen WHERE platform NOT IN (
                SELECT DISTINCT platform FROM work_snapshots
                WHERE platform IN (SELECT DISTINCT platform FROM growth_unseen) AND {observed_before})
        """)  # fmt: skip
        (unseen,) = con.execute("SELECT count(*) FROM growth_unseen").fetchone()  # type: ignore[misc]
    for part in _passes(unseen):
        con.execute(f"""
            UPDATE growth_latest AS t
            SET {measure}_observed_on = o.observed_on, {measure}_at_latest = o.at_latest,
                {measure}_metric_at_latest = o.metric_at_latest
            FROM (
                SELECT {_KEY}, max(snapshot_date) AS observed_on, arg_max({measure}, snapshot_date) AS at_latest,
                       arg_max({measure}_metric, snapshot_date) AS metric_at_latest
                FROM work_snapshots SEMI JOIN growth_unseen USING ({_KEY})
                WHERE {observed_before} AND {part}
                GROUP BY {_KEY}
            ) AS o
            WHERE {_SAME_KEY}
        """)  # fmt: skip
    con.execute("DROP TABLE growth_unseen")


def _latest(con: duckdb.DuckDBPyConnection, first_day: date | None, last_day: date | None) -> pl.DataFrame:
    """Fill the temp tables growth_listed and growth_latest (see _LATEST; the caller drops them); return
    growth_latest without the metric names."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE growth_listed AS SELECT *, row_number() OVER () AS {WORK_ROW} FROM ({_LISTED})"
    )
    (works,) = con.execute("SELECT count(*) FROM growth_listed").fetchone()  # type: ignore[misc]
    since = last_day - timedelta(days=RECENT_DAYS - 1) if last_day else None
    all_recent = since is None or first_day is None or first_day >= since  # the recent days are the whole history
    recent = "true" if all_recent else f"snapshot_date >= {_date(since)}"
    query = _LATEST.replace("{source}", "work_snapshots")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE growth_latest AS {query.replace('{part}', 'false').replace('{share}', 'false')}"
    )
    for part in _passes(works):
        con.execute(f"INSERT INTO growth_latest {query.replace('{part}', recent).replace('{share}', part)}")
    if not all_recent:
        for m in MEASURES:  # first, so the works filled from their whole history below are not looked at again
            _fill_earlier_observation(con, m, since)  # type: ignore[arg-type]
        # the works with no snapshot in those days: over their whole history
        con.execute(f"CREATE OR REPLACE TEMP TABLE growth_stale AS SELECT {_KEY} FROM growth_listed "
                    f"ANTI JOIN growth_latest USING ({_KEY})")  # fmt: skip
        (stale,) = con.execute("SELECT count(*) FROM growth_stale").fetchone()  # type: ignore[misc]
        if stale:
            query = _LATEST.replace("{source}", f"(SELECT * FROM work_snapshots SEMI JOIN growth_stale USING ({_KEY}))")
            for part in _passes(stale):
                con.execute(f"INSERT INTO growth_latest {query.replace('{part}', 'true').replace('{share}', part)}")
    return con.sql(f"SELECT * EXCLUDE ({', '.join(f'{m}_metric_at_latest' for m in MEASURES)}) FROM growth_latest").pl()


def _baselines(con: duckdb.DuckDBPyConnection, latest: pl.DataFrame, first_day: date | None) -> pl.DataFrame:
    """Each work's baselines (see _bases) for the works of `latest` (_latest's frame): first on each window's
    newest day alone, where a daily observation lies (a scan pruned to those days); then, for each window
    where that day held none, over the whole window."""
    newest = ", ".join(f"{m}_observed_on - {n}" for m in MEASURES for n in GAIN_DAYS)
    days = [d for (d,) in con.execute(f"SELECT DISTINCT unnest([{newest}]) AS d FROM growth_latest").fetchall() if d]
    on_days = f"s.snapshot_date IN ({', '.join(_date(d) for d in sorted(days))})" if days else "false"
    query = _bases(GAIN_DAYS, newest_day=True).replace("{latest}", "growth_latest")
    observed = latest.select(WORK_ROW, *(f"{m}_observed_on" for m in MEASURES))
    bases = observed.join(_frame_in_passes(con, query, on_days, latest.height), on=WORK_ROW, how="left")
    for n in GAIN_DAYS:
        open_ = bases.filter(
            pl.any_horizontal(
                pl.col(f"{m}_observed_on").is_not_null() & pl.col(f"{m}_base_{n}").is_null() for m in MEASURES
            )
        )
        if open_.is_empty() or first_day is None:
            continue
        low = open_.select(pl.min_horizontal(f"{m}_observed_on" for m in MEASURES).min()).item()
        high = open_.select(pl.max_horizontal(f"{m}_observed_on" for m in MEASURES).max()).item()
        if high - timedelta(days=n) < first_day:
            continue  # every open window ends before the first snapshot: none holds an observation
        in_window = (
            f"s.snapshot_date BETWEEN {_date(low - timedelta(days=2 * n))} AND {_date(high - timedelta(days=n))}"
        )
        query = _bases((n,)).replace(
            "{latest}", f"(SELECT * FROM growth_latest SEMI JOIN growth_open USING ({WORK_ROW}))"
        )
        with registered(con, "growth_open", open_.select(WORK_ROW)):
            whole = _frame_in_passes(con, query, in_window, open_.height)
        patched = [f"{m}_{kind}_{n}" for m in MEASURES for kind in ("base", "same")]
        bases = (
            bases.join(whole.rename({c: f"{c}_whole" for c in patched}), on=WORK_ROW, how="left")
            .with_columns(
                pl.when(pl.col(f"{m}_base_{n}").is_null()).then(pl.col(f"{c}_whole")).otherwise(pl.col(c)).alias(c)
                for m in MEASURES
                for c in (f"{m}_base_{n}", f"{m}_same_{n}")
            )
            .drop(f"{c}_whole" for c in patched)
        )
    return bases.drop(f"{m}_observed_on" for m in MEASURES)


def compute_work_growth(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per work with at least one snapshot (columns: tables.WORK_GROWTH_COLUMNS)."""
    with unordered(con):  # lets DuckDB stream and spill
        try:
            first_day, last_day = con.execute(
                "SELECT min(snapshot_date), max(snapshot_date) FROM work_snapshots"
            ).fetchone()  # type: ignore[misc]
            latest = _latest(con, first_day, last_day)
            bases = _baselines(con, latest, first_day)
        finally:
            for temp in ("growth_latest", "growth_stale", "growth_listed", "growth_unseen"):
                con.execute(f"DROP TABLE IF EXISTS {temp}")
    wide = latest.lazy().join(bases.lazy(), on=WORK_ROW, how="left")
    daily = con.sql(_DAILY_GAINS).pl()
    wide = wide.join(daily.lazy(), on=KEY, how="left")
    daily_series = pl.col("platform").is_in(sorted(DAILY_SERIES_PLATFORMS))
    gains = []
    for m in MEASURES:
        for n in GAIN_DAYS:
            fresh = pl.col("published_day") > pl.col(f"{m}_observed_on") - pl.duration(days=n)
            gain = (
                pl.when(daily_series)
                .then(pl.col(f"{m}_daily_{n}"))
                .when(fresh)
                .then(pl.col(f"{m}_at_latest"))
                .when(pl.col(f"{m}_same_{n}"))
                .then(pl.col(f"{m}_at_latest") - pl.col(f"{m}_base_{n}"))
            )
            gains.append(gain.cast(pl.Int64).alias(f"{m}_gain_{n}d"))
    return wide.with_columns(gains).select(list(WORK_GROWTH_COLUMNS)).sort(KEY).collect()


_ACCOUNT_KEY = ["platform", "account_id"]

#: Each account's followers observations: the value first recorded for each observation date, per source.
_FOLLOWER_OBSERVATIONS = """
SELECT platform, account_id, source, observed_on, arg_min(followers, snapshot_date) AS followers
FROM account_snapshots
WHERE followers IS NOT NULL AND observed_on IS NOT NULL
GROUP BY ALL
"""

#: Accounts the key lists that have snapshots or works, with their latest run date.
_ACCOUNTS = """
WITH seen AS (
    SELECT platform, account_id, max(snapshot_date) AS day FROM account_snapshots GROUP BY ALL
    UNION ALL
    SELECT platform, account_id, max(observed_on) AS day FROM raw_works GROUP BY ALL
)
SELECT s.platform, s.account_id, max(s.day) AS snapshot_date, f.followers, f.followers_source
FROM seen AS s
ANTI JOIN (SELECT platform, account_id FROM accounts WHERE removed_at IS NOT NULL) AS removed
       ON removed.platform = s.platform AND removed.account_id = s.account_id
LEFT JOIN account_followers AS f ON f.platform = s.platform AND f.account_id = s.account_id
GROUP BY s.platform, s.account_id, f.followers, f.followers_source
"""


def compute_account_growth(con: duckdb.DuckDBPyConnection, work_growth: pl.DataFrame) -> pl.DataFrame:
    """One row per account the key lists with snapshots or works (columns: tables.ACCOUNT_GROWTH_COLUMNS)."""
    accounts = con.sql(_ACCOUNTS).pl().lazy()
    observations = con.sql(_FOLLOWER_OBSERVATIONS).pl().lazy()
    listed = con.sql(_LISTED).pl().lazy()

    # followers: between observations of the source the figure comes from
    series = (
        observations.join(accounts.select(*_ACCOUNT_KEY, "followers_source"), on=_ACCOUNT_KEY)
        .filter(pl.col("source") == pl.col("followers_source"))
        .with_columns(pl.col("observed_on").max().over(_ACCOUNT_KEY).alias("last_observed"))
    )
    followers_gains = series.filter(pl.col("observed_on") == pl.col("last_observed")).select(
        *_ACCOUNT_KEY, pl.col("followers").alias("observed_followers")
    )
    for n in (7, 28):
        window = pl.col("observed_on").is_between(
            pl.col("last_observed") - pl.duration(days=2 * n), pl.col("last_observed") - pl.duration(days=n)
        )
        base = (
            series.filter(window)
            .group_by(_ACCOUNT_KEY)
            .agg(pl.col("followers").sort_by("observed_on").last().alias(f"base_{n}"))
        )
        followers_gains = followers_gains.join(base, on=_ACCOUNT_KEY, how="left").with_columns(
            (pl.col("observed_followers") - pl.col(f"base_{n}")).alias(f"followers_gain_{n}d")
        )

    # the works' gains: every work the account still has in raw_works
    works = work_growth.lazy().join(listed.select(KEY), on=KEY, how="semi")
    both = pl.col("interactions_gain_7d").is_not_null() & pl.col("exposure_gain_7d").is_not_null()
    gains = works.group_by(_ACCOUNT_KEY).agg(
        *(
            pl.when(pl.col(f"{m}_gain_7d").count() > 0).then(pl.col(f"{m}_gain_7d").sum()).alias(f"{m}_gain_7d")
            for m in MEASURES
        ),
        pl.col("interactions_gain_7d").filter(both).sum().alias("rated_interactions"),
        pl.col("exposure_gain_7d").filter(both).sum().alias("rated_exposure"),
    )
    cadence = (
        listed.join(accounts.select(*_ACCOUNT_KEY, "snapshot_date"), on=_ACCOUNT_KEY)
        .group_by(_ACCOUNT_KEY)
        .agg(
            *(
                ((pl.col("published_day") <= pl.col("snapshot_date"))
                 & (pl.col("published_day") > pl.col("snapshot_date") - pl.duration(days=n))).sum()
                .alias(f"works_published_{n}d")
                for n in (7, 28)
            )
        )
    )  # fmt: skip
    out = (
        accounts.join(followers_gains, on=_ACCOUNT_KEY, how="left")
        .join(gains, on=_ACCOUNT_KEY, how="left")
        .join(cadence, on=_ACCOUNT_KEY, how="left")
        .with_columns(
            pl.when(pl.col("rated_exposure") > 0)
            .then(pl.col("rated_interactions") / pl.col("rated_exposure"))
            .alias("engagement_rate_7d"),
            *(pl.col(f"works_published_{n}d").fill_null(0) for n in (7, 28)),
        )
    )
    integers = [c for c, (t, _) in ACCOUNT_GROWTH_COLUMNS.items() if t == "BIGINT"]
    return (
        out.select(list(ACCOUNT_GROWTH_COLUMNS))
        .with_columns(pl.col(integers).cast(pl.Int64))
        .sort(_ACCOUNT_KEY)
        .collect()
    )


def negative_gains(work_growth: pl.DataFrame) -> pl.DataFrame:
    """The works with any negative gain (a platform lowered a count)."""
    gains = [c for c in work_growth.columns if "_gain_" in c]
    return work_growth.filter(pl.any_horizontal([pl.col(c) < 0 for c in gains]))
