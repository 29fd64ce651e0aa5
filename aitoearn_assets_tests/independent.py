"""Every derived table recomputed independently, in polars, from the stored inputs.

Written from the README's definitions alone: nothing here imports the project's SQL, its growth
code or its declarations of the definitions. `compare` checks a table against its independent twin
column by column, row by row (floats at 1e-9 relative, NULL only where NULL).

Run on a warehouse file under another DuckDB (see `main`), it tells whether that DuckDB computes the
project's SQL right: `python -m aitoearn_assets_tests.independent FILE`.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

METRICS = ["view_count", "play_count", "impression_count", "reach_count", "like_count", "collect_count",
           "comment_count", "share_count", "save_count", "click_count", "engagement_count", "watch_time_seconds"]  # fmt: skip
PARTS = ["like_count", "comment_count", "share_count", "collect_count", "save_count"]
EXPOSURE = ["view_count", "impression_count", "reach_count", "play_count"]
DAILY_SERIES = ["pinterest"]
WORK = ["platform", "account_id", "platform_work_id"]
ACCOUNT = ["platform", "account_id"]


@dataclass(frozen=True)
class Inputs:
    """The stored tables, as polars frames."""

    raw_works: pl.DataFrame
    work_metrics: pl.DataFrame
    work_metrics_daily: pl.DataFrame
    accounts: pl.DataFrame
    work_snapshots: pl.DataFrame
    account_snapshots: pl.DataFrame

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> Inputs:
        return cls(*(con.sql(f"SELECT * FROM {t}").pl() for t in (
            "raw_works", "work_metrics", "work_metrics_daily", "accounts", "work_snapshots", "account_snapshots")))  # fmt: skip

    def removed(self) -> pl.DataFrame:
        return self.accounts.filter(pl.col("removed_at").is_not_null()).select(ACCOUNT)


def _first_reported(values: list[pl.Expr], names: list[str]) -> tuple[pl.Expr, pl.Expr]:
    value = pl.coalesce(values)
    name = pl.lit(None, pl.String)
    for v, n in reversed(list(zip(values, names, strict=True))):
        name = pl.when(v.is_not_null()).then(pl.lit(n)).otherwise(name)
    return value, name


def _interactions(col) -> tuple[pl.Expr, pl.Expr]:
    any_part = pl.any_horizontal([col(p).is_not_null() for p in PARTS])
    total = pl.sum_horizontal([col(p).fill_null(0) for p in PARTS])
    value = pl.when(any_part).then(total).otherwise(col("engagement_count"))
    metric = (
        pl.when(any_part)
        .then(
            pl.concat_str(
                [pl.when(col(p).is_not_null()).then(pl.lit(p)) for p in PARTS], separator="+", ignore_nulls=True
            )
        )
        .when(col("engagement_count").is_not_null())
        .then(pl.lit("engagement_count"))
    )
    return value.cast(pl.Int64), metric


def work_engagement(i: Inputs) -> pl.DataFrame:
    """README: a metric is the list's value when reported, else the last ok analytics value."""
    m = i.work_metrics.filter(pl.col("observed_on").is_not_null()).select(
        *WORK, *(pl.col(c).alias(f"m_{c}") for c in METRICS), pl.col("observed_on").alias("m_seen")
    )
    w = i.raw_works.join(i.removed(), on=ACCOUNT, how="anti").join(m, on=WORK, how="left")
    merged = []
    for c in METRICS:
        merged.append(pl.coalesce(pl.col(c), pl.col(f"m_{c}")).alias(f"v_{c}"))
        merged.append(
            pl.when(pl.col(c).is_not_null()).then(pl.col("observed_on"))
            .when(pl.col(f"m_{c}").is_not_null()).then(pl.col("m_seen")).alias(f"s_{c}")
        )  # fmt: skip
    w = w.with_columns(merged)
    from_list = pl.any_horizontal([pl.col(c).is_not_null() for c in METRICS])
    from_analytics = pl.any_horizontal([pl.col(c).is_null() & pl.col(f"m_{c}").is_not_null() for c in METRICS])
    exposure, exposure_metric = _first_reported([pl.col(f"v_{c}") for c in EXPOSURE], EXPOSURE)
    exposure_seen, _ = _first_reported([pl.when(pl.col(f"v_{c}").is_not_null()).then(pl.col(f"s_{c}"))
                                        for c in EXPOSURE], EXPOSURE)  # fmt: skip
    interactions, interactions_metric = _interactions(lambda c: pl.col(f"v_{c}"))
    any_part = pl.any_horizontal([pl.col(f"v_{p}").is_not_null() for p in PARTS])
    parts_seen = pl.min_horizontal([pl.when(pl.col(f"v_{p}").is_not_null()).then(pl.col(f"s_{p}")) for p in PARTS])
    interactions_seen = pl.when(any_part).then(parts_seen).otherwise(pl.col("s_engagement_count"))
    out = w.select(
        *WORK, "content_mode", "title", "description",
        pl.when(pl.col("url").is_null() & (pl.col("platform") == "youtube"))
        .then(pl.lit("https://www.youtube.com/watch?v=") + pl.col("platform_work_id")).otherwise(pl.col("url")).alias("url"),
        "cover_url", "published_at", "author_name", "author_platform_uid", "status",
        *(pl.col(f"v_{c}").alias(c) for c in METRICS), "fetched_at",
        pl.when(from_list & from_analytics).then(pl.lit("list+analytics")).when(from_list).then(pl.lit("list"))
        .when(from_analytics).then(pl.lit("analytics")).alias("metrics_source"),
        interactions.alias("interactions"), interactions_metric.alias("interactions_metric"),
        exposure.alias("exposure"), exposure_metric.alias("exposure_metric"),
        pl.when(interactions.is_not_null() & (exposure > 0)).then(interactions / exposure).alias("engagement_rate"),
        exposure_seen.alias("exposure_observed_on"), interactions_seen.alias("interactions_observed_on"),
    )  # fmt: skip
    return out


def account_followers(i: Inputs) -> pl.DataFrame:
    """The latest live count (account analytics), else the cached one."""
    live = (
        i.account_snapshots.filter((pl.col("source") == "analytics") & pl.col("followers").is_not_null())
        .sort("snapshot_date")
        .group_by(ACCOUNT)
        .agg(pl.col("followers").last().alias("live"), pl.col("snapshot_date").last().alias("live_on"))
    )
    a = i.accounts.filter(pl.col("removed_at").is_null()).join(live, on=ACCOUNT, how="left")
    return a.select(
        *ACCOUNT,
        pl.coalesce("live", "fans_count").alias("followers"),
        pl.when(pl.col("live").is_not_null()).then(pl.lit("analytics"))
        .when(pl.col("fans_count").is_not_null()).then(pl.lit("accounts")).alias("followers_source"),
        pl.when(pl.col("live").is_not_null()).then(pl.col("live_on"))
        .when(pl.col("fans_count").is_not_null()).then(pl.col("last_stats_time").dt.date()).alias("followers_observed_on"),
    )  # fmt: skip


def account_engagement(i: Inputs, works: pl.DataFrame) -> pl.DataFrame:
    rated = pl.col("engagement_rate").is_not_null()
    per = works.group_by(ACCOUNT).agg(
        pl.len().cast(pl.Int64).alias("works"),
        rated.sum().cast(pl.Int64).alias("works_rated"),
        pl.when(pl.col("interactions").count() > 0).then(pl.col("interactions").sum()).alias("interactions"),
        pl.when(rated.any()).then(pl.col("exposure").filter(rated).sum()).alias("exposure"),
        pl.col("interactions").filter(rated).sum().alias("rated_interactions"),
        pl.col("engagement_rate").median().alias("median_engagement_rate"),
        pl.col("interactions").mean().alias("mean_interactions"),
        pl.col("published_at").min().alias("first_published_at"),
        pl.col("published_at").max().alias("last_published_at"),
    )
    f = account_followers(i)
    out = per.join(i.accounts.select(*ACCOUNT, "nickname"), on=ACCOUNT, how="left").join(f, on=ACCOUNT, how="left")
    return out.select(
        *ACCOUNT, "nickname", "works", "works_rated", "interactions", "exposure",
        pl.when(pl.col("works_rated") > 0).then(pl.col("rated_interactions") / pl.col("exposure")).alias("engagement_rate"),
        "median_engagement_rate", "followers", "followers_source",
        pl.when(pl.col("followers") > 0).then(pl.col("mean_interactions") / pl.col("followers"))
        .alias("engagement_rate_by_followers"),
        "first_published_at", "last_published_at",
    )  # fmt: skip


def top_works(works: pl.DataFrame, n: int = 10) -> pl.DataFrame:
    w = works.filter(pl.col("interactions").is_not_null())
    medians = w.group_by(ACCOUNT).agg(pl.col("interactions").median().alias("median"))
    ranked = w.sort(
        ["interactions", "exposure", "published_at", "platform_work_id"],
        descending=[True, True, True, False],
        nulls_last=True,
    ).with_columns(pl.int_range(pl.len()).over(ACCOUNT).add(1).cast(pl.Int32).alias("rank"))
    out = ranked.filter(pl.col("rank") <= n).join(medians, on=ACCOUNT)
    return out.select(
        *ACCOUNT, "rank", "platform_work_id", "title", "url", "published_at", "interactions", "interactions_metric",
        "exposure", "exposure_metric", "engagement_rate", "metrics_source",
        pl.when(pl.col("median") != 0).then(pl.col("interactions") / pl.col("median")).alias("interactions_vs_account_median"),
    )  # fmt: skip


def _observations(snapshots: pl.DataFrame, measure: str) -> pl.DataFrame:
    """A measure's observations: snapshots whose run observed it (observed_on = snapshot_date)."""
    return snapshots.filter(
        pl.col(measure).is_not_null() & (pl.col(f"{measure}_observed_on") == pl.col("snapshot_date"))
    ).select(*WORK, pl.col("snapshot_date").alias("day"), pl.col(measure).alias("value"),
             pl.col(f"{measure}_metric").alias("metric"))  # fmt: skip


def work_growth(i: Inputs) -> pl.DataFrame:
    """README: gains between the latest observation and the latest one in [L-2N, L-N]; pinterest: daily sums.
    Only current works: in raw_works, of accounts the key still lists."""
    current = i.raw_works.join(i.removed(), on=ACCOUNT, how="anti").select(WORK)
    s = i.work_snapshots.join(current, on=WORK, how="semi")
    latest = (
        s.sort("snapshot_date")
        .group_by(WORK)
        .agg(pl.col("snapshot_date").last(), pl.col("exposure").last(), pl.col("interactions").last())
    )
    published = i.raw_works.select(*WORK, pl.col("published_at").dt.date().alias("published_day"))
    out = latest.join(published, on=WORK, how="left")
    for measure in ("exposure", "interactions"):
        obs = _observations(s, measure)
        last = (
            obs.sort("day")
            .group_by(WORK)
            .agg(pl.col("day").last().alias("L"), pl.col("value").last().alias("v"), pl.col("metric").last().alias("m"))
        )
        out = out.join(last.rename({"L": f"{measure}_observed_on", "v": f"{measure}_v", "m": f"{measure}_m"}),
                       on=WORK, how="left")  # fmt: skip
        for n in (1, 7, 28):
            window = obs.join(last, on=WORK).filter(
                pl.col("day").is_between(pl.col("L") - pl.duration(days=2 * n), pl.col("L") - pl.duration(days=n))
            )
            base = (
                window.sort("day")
                .group_by(WORK)
                .agg(pl.col("value").last().alias("b"), pl.col("metric").last().alias("bm"))
            )
            out = out.join(base, on=WORK, how="left").with_columns(
                pl.when(pl.col("published_day") > pl.col(f"{measure}_observed_on") - pl.duration(days=n))
                .then(pl.col(f"{measure}_v"))
                .when(pl.col("bm") == pl.col(f"{measure}_m")).then(pl.col(f"{measure}_v") - pl.col("b"))
                .cast(pl.Int64).alias(f"{measure}_gain_{n}d")
            ).drop("b", "bm")  # fmt: skip
    # daily series: the sum of the last N stored days (days before publication count as 0), NULL with a gap
    d = i.work_metrics_daily.join(published, on=WORK, how="left")
    exposure, _ = _first_reported([pl.col(c) for c in EXPOSURE], EXPOSURE)
    interactions, _ = _interactions(pl.col)
    d = d.with_columns(exposure.alias("exposure"), interactions.alias("interactions"),
                       pl.col("day").max().over(WORK).alias("last"))  # fmt: skip
    daily = d.select(WORK).unique()
    for measure in ("exposure", "interactions"):
        for n in (1, 7, 28):
            recent = d.filter(pl.col("day") > pl.col("last") - pl.duration(days=n))
            since = pl.col("published_day").fill_null(pl.col("last") - pl.duration(days=n))
            needed = pl.min_horizontal(
                pl.lit(n), (pl.col("last") - pl.col("published_day").fill_null(pl.col("last") - pl.duration(days=n)))
                .dt.total_days() + 1
            )  # fmt: skip
            sums = recent.group_by(WORK).agg(
                pl.when(
                    pl.col("day").filter(pl.col(measure).is_not_null() & (pl.col("day") >= since)).n_unique()
                    == needed.first()
                )
                .then(pl.col(measure).sum())
                .alias(f"d_{measure}_{n}")
            )
            daily = daily.join(sums, on=WORK, how="left")
    out = out.join(daily, on=WORK, how="left")
    is_daily = pl.col("platform").is_in(DAILY_SERIES)
    out = out.with_columns(
        pl.when(is_daily).then(pl.col(f"d_{m}_{n}")).otherwise(pl.col(f"{m}_gain_{n}d")).cast(pl.Int64).alias(f"{m}_gain_{n}d")
        for m in ("exposure", "interactions") for n in (1, 7, 28)
    )  # fmt: skip
    return out.select(
        *WORK, "snapshot_date", "exposure", "interactions", "exposure_observed_on", "interactions_observed_on",
        *(f"{m}_gain_{n}d" for m in ("exposure", "interactions") for n in (1, 7, 28)),
    )  # fmt: skip


def account_growth(i: Inputs, growth: pl.DataFrame) -> pl.DataFrame:
    removed = i.removed()
    seen = pl.concat([
        i.account_snapshots.group_by(ACCOUNT).agg(pl.col("snapshot_date").max().alias("day")),
        i.raw_works.group_by(ACCOUNT).agg(pl.col("observed_on").max().alias("day")),
    ]).group_by(ACCOUNT).agg(pl.col("day").max().alias("snapshot_date")).join(removed, on=ACCOUNT, how="anti")  # fmt: skip
    f = account_followers(i)
    out = seen.join(f.select(*ACCOUNT, "followers", "followers_source"), on=ACCOUNT, how="left")
    obs = (
        i.account_snapshots.filter(pl.col("followers").is_not_null() & pl.col("observed_on").is_not_null())
        .sort("snapshot_date").group_by([*ACCOUNT, "source", "observed_on"]).agg(pl.col("followers").first())
        .join(f.select(*ACCOUNT, "followers_source"), on=ACCOUNT)
        .filter(pl.col("source") == pl.col("followers_source"))
    )  # fmt: skip
    last = obs.sort("observed_on").group_by(ACCOUNT).agg(pl.col("observed_on").last().alias("L"),
                                                         pl.col("followers").last().alias("v"))  # fmt: skip
    for n in (7, 28):
        base = (
            obs.join(last, on=ACCOUNT)
            .filter(
                pl.col("observed_on").is_between(
                    pl.col("L") - pl.duration(days=2 * n), pl.col("L") - pl.duration(days=n)
                )
            )
            .sort("observed_on")
            .group_by(ACCOUNT)
            .agg(pl.col("followers").last().alias(f"b{n}"))
        )
        last = last.join(base, on=ACCOUNT, how="left")
    out = out.join(last, on=ACCOUNT, how="left").with_columns(
        (pl.col("v") - pl.col("b7")).alias("followers_gain_7d"), (pl.col("v") - pl.col("b28")).alias("followers_gain_28d")
    )  # fmt: skip
    listed = i.raw_works.join(removed, on=ACCOUNT, how="anti")
    works = growth.join(listed.select(WORK), on=WORK, how="semi")
    both = pl.col("interactions_gain_7d").is_not_null() & pl.col("exposure_gain_7d").is_not_null()
    gains = works.group_by(ACCOUNT).agg(
        pl.when(pl.col("interactions_gain_7d").count() > 0).then(pl.col("interactions_gain_7d").sum()).alias("interactions_gain_7d"),
        pl.when(pl.col("exposure_gain_7d").count() > 0).then(pl.col("exposure_gain_7d").sum()).alias("exposure_gain_7d"),
        pl.col("interactions_gain_7d").filter(both).sum().alias("ri"), pl.col("exposure_gain_7d").filter(both).sum().alias("re"),
    )  # fmt: skip
    days = listed.select(*ACCOUNT, pl.col("published_at").dt.date().alias("p")).join(seen, on=ACCOUNT)
    cadence = days.group_by(ACCOUNT).agg(
        *(((pl.col("p") <= pl.col("snapshot_date")) & (pl.col("p") > pl.col("snapshot_date") - pl.duration(days=n)))
          .sum().cast(pl.Int64).alias(f"works_published_{n}d") for n in (7, 28))
    )  # fmt: skip
    out = out.join(gains, on=ACCOUNT, how="left").join(cadence, on=ACCOUNT, how="left")
    return out.select(
        *ACCOUNT, "snapshot_date", "followers", "followers_source", "followers_gain_7d", "followers_gain_28d",
        "interactions_gain_7d", "exposure_gain_7d",
        pl.when(pl.col("re") > 0).then(pl.col("ri") / pl.col("re")).alias("engagement_rate_7d"),
        pl.col("works_published_7d").fill_null(0), pl.col("works_published_28d").fill_null(0),
    )  # fmt: skip


def account_label(accounts: pl.DataFrame, rows: pl.DataFrame) -> pl.Series:
    """Each row's account as the report names it: `platform / nickname`, the id when there is no nickname, and
    `nickname (id)` when current accounts of the platform share it."""
    shared = (
        accounts.filter(pl.col("nickname").is_not_null() & (pl.col("nickname") != ""))
        .group_by("platform", "nickname")
        .agg(pl.col("removed_at").is_null().sum().alias("holders"))
    )
    named = (
        rows.select(*ACCOUNT)
        .join(accounts.select(*ACCOUNT, "nickname"), on=ACCOUNT, how="left", maintain_order="left")
        .join(shared, on=["platform", "nickname"], how="left", maintain_order="left")
    )
    name = (
        pl.when(pl.col("holders").is_null()).then(pl.col("account_id"))
        .when(pl.col("holders") > 1).then(pl.col("nickname") + " (" + pl.col("account_id") + ")")
        .otherwise(pl.col("nickname"))
    )  # fmt: skip
    return named.select(pl.col("platform") + " / " + name).to_series()


def report_figures(i: Inputs, engagement: pl.DataFrame, works: pl.DataFrame, growth: pl.DataFrame,
                   top: pl.DataFrame) -> dict[str, pl.DataFrame]:  # fmt: skip
    """The figures the report draws, from their definitions."""
    rated = works.filter(pl.col("engagement_rate").is_not_null())
    platform_rates = (
        engagement.group_by("platform").agg(pl.len().cast(pl.Int64).alias("accounts"),
                                            pl.col("works_rated").sum().alias("works_rated"))
        .join(rated.group_by("platform").agg((pl.col("interactions").sum() / pl.col("exposure").sum() * 100)
                                             .alias("rate_pct")), on="platform")
        .filter(pl.col("works_rated") > 0)
    )  # fmt: skip
    rated_accounts = engagement.filter(pl.col("engagement_rate").is_not_null())
    account_rates = rated_accounts.select(
        "platform", account_label(i.accounts, rated_accounts).alias("account"),
        (pl.col("engagement_rate") * 100).alias("rate_pct"), (pl.col("median_engagement_rate") * 100).alias("median_pct"),
        "works_rated",
    )  # fmt: skip
    tops = top.filter(pl.col("rank") <= 3).select(
        *ACCOUNT, "rank", pl.when(pl.col("title").is_null() | (pl.col("title") == "")).then(pl.col("platform_work_id"))
        .otherwise(pl.col("title")).alias("work"), "url", "interactions", (pl.col("engagement_rate") * 100).alias("rate_pct"),
        "metrics_source",
    )  # fmt: skip
    has_gain = pl.any_horizontal(
        [pl.col(f"{m}_gain_{n}d").is_not_null() for m in ("exposure", "interactions") for n in (1, 7)]
    )
    gains = growth.filter(has_gain).group_by("platform").agg(
        pl.len().cast(pl.Int64).alias("works"),
        *(pl.when(pl.col(f"{m}_gain_{n}d").count() > 0).then(pl.col(f"{m}_gain_{n}d").sum()).alias(f"{m}_gain_{n}d")
          for n in (1, 7) for m in ("exposure", "interactions")),
    )  # fmt: skip
    cadence = (
        works.filter(pl.col("published_at").is_not_null())
        .group_by("platform", pl.col("published_at").dt.truncate("1w").dt.date().alias("week"))
        .agg(pl.len().cast(pl.Int64).alias("works"))
    )
    return {"platform_rates": platform_rates, "account_rates": account_rates, "top_works": tops, "gains": gains,
            "cadence": cadence}  # fmt: skip


# -- insights ------------------------------------------------------------------------------------------


def _slice(works: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """README: works, works_rated, exposure and interactions over rated works pooled, the two medians."""
    rated = works.filter(pl.col("engagement_rate").is_not_null())
    everything = works.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("works"),
        pl.col("interactions").drop_nulls().median().alias("median_interactions"),
    )
    pooled = rated.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("works_rated"), pl.col("exposure").sum().alias("exposure"),
        (pl.col("interactions").sum() / pl.col("exposure").sum()).alias("engagement_rate"),
        pl.col("engagement_rate").median().alias("median_engagement_rate"),
    )  # fmt: skip
    return everything.join(pooled, on=keys, how="left", nulls_equal=True).with_columns(
        pl.col("works_rated").fill_null(0)
    )


def local_slots(works: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """weekday (1 = Monday) and hour of published_at in `timezone`, with Python's zoneinfo, row by row."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    dated = works.filter(pl.col("published_at").is_not_null())
    local = [t.replace(tzinfo=UTC).astimezone(zone) for t in dated["published_at"].to_list()]
    return dated.with_columns(
        pl.Series("weekday", [t.isoweekday() for t in local], pl.Int32),
        pl.Series("hour", [t.hour for t in local], pl.Int32),
    )


def posting_times(works: pl.DataFrame, timezone: str) -> pl.DataFrame:
    return _slice(local_slots(works, timezone), [*ACCOUNT, "weekday", "hour"]).with_columns(
        pl.lit(timezone).alias("timezone")
    )


def content_type_engagement(works: pl.DataFrame) -> pl.DataFrame:
    return _slice(works, [*ACCOUNT, "content_mode"])


def hashtags_of(text: str) -> set[str]:
    """README: # then Unicode letters, decimal digits or _, to the first other character; case-folded."""
    import unicodedata

    def tag_char(c: str) -> bool:
        return c == "_" or unicodedata.category(c).startswith("L") or unicodedata.category(c) == "Nd"

    found, n = set(), 0
    while n < len(text):
        if text[n] == "#":
            end = n + 1
            while end < len(text) and tag_char(text[end]):
                end += 1
            if end > n + 1:
                found.add(text[n + 1 : end].casefold())
                if text.startswith("[话题]#", end):  # Xiaohongshu's topic closing opens nothing
                    end += len("[话题]#")
            n = end
        else:
            n += 1
    return found


def hashtag_engagement(works: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for r in works.select(*WORK, "title", "description").iter_rows(named=True):
        for tag in hashtags_of((r["title"] or "") + "\n" + (r["description"] or "")):
            rows.append((r["platform"], r["account_id"], r["platform_work_id"], tag))
    tags = pl.DataFrame(rows, schema=[*WORK, "hashtag"], orient="row")
    tagged = tags.join(works, on=WORK)
    out = _slice(tagged, ["platform", "hashtag"]).join(
        tagged.group_by("platform", "hashtag").agg(pl.col("account_id").n_unique().cast(pl.Int64).alias("accounts")),
        on=["platform", "hashtag"],
    )
    return out.filter(pl.col("works") >= 3).drop("median_engagement_rate")


def work_age_metrics(i: Inputs, works: pl.DataFrame, until: date | None = None) -> pl.DataFrame:
    """README: the value observed on the snapshot dated publish date (UTC) + N days (snapshots up to `until`)."""
    s = i.work_snapshots if until is None else i.work_snapshots.filter(pl.col("snapshot_date") <= until)
    out = works.select(*WORK, "published_at")
    for measure in ("exposure", "interactions"):
        obs = _observations(s, measure)
        for n in (1, 7, 28):
            at = (
                obs.join(out.select(*WORK, "published_at"), on=WORK)
                .filter(pl.col("day") == pl.col("published_at").dt.date() + pl.duration(days=n))
                .select(*WORK, pl.col("value").alias(f"{measure}_at_{n}d"))
            )
            out = out.join(at, on=WORK, how="left")
    return out


def _breakouts_on(age: pl.DataFrame) -> dict[tuple, tuple]:
    """{(platform, account, work, age): (exposure, median of the others)} of the breakouts in these ages."""
    import statistics

    found = {}
    for n in (1, 7):
        groups: dict[tuple, list[tuple[str, int]]] = {}
        for r in age.filter(pl.col(f"exposure_at_{n}d").is_not_null()).iter_rows(named=True):
            groups.setdefault((r["platform"], r["account_id"]), []).append(
                (r["platform_work_id"], r[f"exposure_at_{n}d"])
            )
        for (platform, account), members in groups.items():
            for work, value in members:
                others = [v for w, v in members if w != work]
                if len(others) >= 5 and (median := statistics.median(others)) > 0 and value >= 3 * median:
                    found[(platform, account, work, n)] = (value, float(median))
    return found


def work_breakouts(i: Inputs, works: pl.DataFrame, run_dates: list[date]) -> pl.DataFrame:
    """Replayed run date by run date: `detected_on` is the first run date it was found on."""
    detected: dict[tuple, date] = {}
    found: dict[tuple, tuple] = {}
    for day in sorted(run_dates):
        found = _breakouts_on(work_age_metrics(i, works, until=day))
        for key in found:
            detected.setdefault(key, day)
    links = {tuple(r[:3]): r[3:] for r in works.select(*WORK, "title", "url").iter_rows()}
    rows = [(*key[:3], key[3], v, m, v / m, detected[key], *links[key[:3]]) for key, (v, m) in found.items()]
    schema = {"platform": pl.String, "account_id": pl.String, "platform_work_id": pl.String, "age_days": pl.Int32,
              "exposure_at_age": pl.Int64, "account_median_at_age": pl.Float64, "ratio": pl.Float64,
              "detected_on": pl.Date, "title": pl.String, "url": pl.String}  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def account_benchmarks(engagement: pl.DataFrame) -> pl.DataFrame:
    """README: peers = the platform's accounts with 5+ rated works; the share of them strictly lower; their median."""
    import statistics

    rows = []
    accounts = list(engagement.select(*ACCOUNT, "nickname", "engagement_rate", "works_rated").iter_rows())
    for platform, account, nickname, rate, rated in accounts:
        peers = [r for p, _, _, r, n in accounts if p == platform and n >= 5]
        share = sum(1 for r in peers if r < rate) / len(peers) if rated >= 5 else None
        rows.append((platform, account, nickname, rate, rated, len(peers), share,
                     statistics.median(peers) if peers else None))  # fmt: skip
    schema = {"platform": pl.String, "account_id": pl.String, "nickname": pl.String, "engagement_rate": pl.Float64,
              "works_rated": pl.Int64, "platform_accounts": pl.Int64, "percentile": pl.Float64,
              "platform_median_rate": pl.Float64}  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def insight_figures(works: pl.DataFrame, timezone: str) -> dict[str, pl.DataFrame]:
    """The report's pooled insight figures, from the works themselves."""
    rated = works.filter(pl.col("engagement_rate").is_not_null())
    pooled = (pl.col("interactions").sum() / pl.col("exposure").sum() * 100).alias("rate_pct")
    slots = local_slots(works, timezone)
    heat = slots.group_by("platform", "weekday", "hour").agg(pl.len().cast(pl.Int64).alias("works")).join(
        local_slots(rated, timezone).group_by("platform", "weekday", "hour").agg(
            pl.len().cast(pl.Int64).alias("works_rated"), pooled), on=["platform", "weekday", "hour"])  # fmt: skip
    types = works.filter(pl.col("content_mode").is_not_null()).group_by("platform", "content_mode").agg(
        pl.len().cast(pl.Int64).alias("works")).join(rated.group_by("platform", "content_mode").agg(
            pl.len().cast(pl.Int64).alias("works_rated"), pooled), on=["platform", "content_mode"])  # fmt: skip
    return {"posting_heatmap": heat, "content_types": types}


def compare(name: str, got: pl.DataFrame, want: pl.DataFrame, key: list[str], rel: float = 1e-9) -> None:
    """Every column of every row equal (floats to `rel`), or an AssertionError naming the first difference."""
    assert got.height == want.height, f"{name}: {got.height} rows, the independent computation has {want.height}"
    missing = set(want.columns) - set(got.columns)
    assert not missing, f"{name}: no column {sorted(missing)}"
    got, want = got.select(want.columns).sort(key, nulls_last=True), want.sort(key, nulls_last=True)
    for column in want.columns:
        a, b = got[column].to_list(), want[column].to_list()
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            same = (x is None and y is None) or (
                x is not None and y is not None
                and (math.isclose(x, y, rel_tol=rel, abs_tol=0) if isinstance(y, float) else x == y)
            )  # fmt: skip
            assert same, (
                f"{name}.{column}, row {dict(zip(key, (want[k][n] for k in key), strict=True))}: {x!r} != {y!r}"
            )


def main(argv: list[str]) -> int:
    """Compare the engagement tables the project's SQL computes in this process's DuckDB with their independent
    computation; exit 1 on a difference. `--release REV`: the SQL of that git revision instead of today's
    (its columns that still exist are compared), e.g. the release the DuckDB 2.0.1 fixture came from."""
    import subprocess

    path, release = argv[0], (argv[argv.index("--release") + 1] if "--release" in argv else None)
    con = duckdb.connect(path)
    if release is None:
        from aitoearn_assets.warehouse.engagement import build_account_engagement

        build_account_engagement(con, date.today())
    else:

        def sql(name: str) -> str:
            return subprocess.run(["git", "show", f"{release}:aitoearn_assets/warehouse/sql/{name}.sql"],
                                  check=True, capture_output=True, text=True).stdout  # fmt: skip

        con.execute(sql("work_engagement"))
        con.execute(f"CREATE OR REPLACE TABLE account_engagement AS {sql('account_engagement')}", [date.today()])
    i = Inputs.read(con)
    works = work_engagement(i)
    want = account_engagement(i, works)
    got = con.sql("SELECT * FROM account_engagement").pl()
    common = [c for c in want.columns if c in got.columns and c not in ("followers", "engagement_rate_by_followers")]
    try:
        compare("account_engagement", got.select(common), want.select(common), ACCOUNT)
    except AssertionError as difference:
        print(f"DuckDB {duckdb.__version__}: DIFFERENT: {difference}")
        return 1
    print(f"DuckDB {duckdb.__version__}: account_engagement ({len(common)} columns) equals its independent computation")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
