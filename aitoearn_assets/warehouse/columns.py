"""Every warehouse column with its DuckDB type and meaning (shown in the Dagster UI).

NULL in a metric always means "the platform did not report it", never zero.
"""

from __future__ import annotations

_METRIC = "as reported by the platform; NULL = not reported"

RAW_WORKS_COLUMNS: dict[str, tuple[str, str]] = {
    "platform": ("VARCHAR", "platform key as the API spells it (partition)"),
    "account_id": ("VARCHAR", "AiToEarn account id (accounts.account_id)"),
    "platform_work_id": ("VARCHAR", "the platform's id of the work"),
    "content_mode": ("VARCHAR", "video, article (image-text) or article2 (text)"),
    "title": ("VARCHAR", "as served; empty string stays empty"),
    "description": ("VARCHAR", "as served"),
    "url": ("VARCHAR", "link to the work"),
    "cover_url": ("VARCHAR", "cover image"),
    "published_at": ("TIMESTAMP", "publication time, UTC"),
    "author_name": ("VARCHAR", "author's display name"),
    "author_platform_uid": ("VARCHAR", "author's platform uid"),
    "status": ("VARCHAR", "platform status of the work"),
    "view_count": ("BIGINT", f"views, {_METRIC}"),
    "play_count": ("BIGINT", f"plays, {_METRIC}"),
    "impression_count": ("BIGINT", f"impressions, {_METRIC}"),
    "reach_count": ("BIGINT", f"unique accounts reached, {_METRIC}"),
    "like_count": ("BIGINT", f"likes, {_METRIC}"),
    "collect_count": ("BIGINT", f"collects/favourites, {_METRIC}"),
    "comment_count": ("BIGINT", f"comments, {_METRIC}"),
    "share_count": ("BIGINT", f"shares/reposts, {_METRIC}"),
    "save_count": ("BIGINT", f"saves/bookmarks, {_METRIC}"),
    "click_count": ("BIGINT", f"clicks, {_METRIC}"),
    "engagement_count": ("BIGINT", f"platform's own engagement total, {_METRIC}"),
    "watch_time_seconds": ("BIGINT", f"total watch time in seconds, {_METRIC}"),
    "fetched_at": ("TIMESTAMP", "when this run fetched the row, UTC"),
    "source": ("VARCHAR", "list (the platform's works list) or publish_record (a work published through AiToEarn)"),
    "publish_record_id": ("VARCHAR", "the publish record the row came from (source publish_record); else NULL"),
}

#: The metric columns of raw_works (its BIGINT columns), in table order.
METRIC_COLUMNS: tuple[str, ...] = tuple(c for c, (t, _) in RAW_WORKS_COLUMNS.items() if t == "BIGINT")

ACCOUNTS_COLUMNS: dict[str, tuple[str, str]] = {
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "platform": ("VARCHAR", "platform key"),
    "uid": ("VARCHAR", "the platform's user id"),
    "account": ("VARCHAR", "platform account name (YouTube: channel id)"),
    "nickname": ("VARCHAR", "display name"),
    "status": ("INTEGER", "1 = normal, 0 = offline (needs re-authorization)"),
    "fans_count": ("BIGINT", "followers, cached by AiToEarn at last_stats_time; NULL = never fetched"),
    "following_count": ("BIGINT", "accounts followed; NULL = not reported"),
    "read_count": ("BIGINT", "reads; NULL = not reported"),
    "like_count": ("BIGINT", "likes received; NULL = not reported"),
    "collect_count": ("BIGINT", "collects received; NULL = not reported"),
    "forward_count": ("BIGINT", "forwards received; NULL = not reported"),
    "comment_count": ("BIGINT", "comments received; NULL = not reported"),
    "work_count": ("BIGINT", "works on the account; NULL = not reported"),
    "last_stats_time": ("TIMESTAMP", "when AiToEarn last fetched the counters, UTC"),
    "fetched_at": ("TIMESTAMP", "when this run listed the account, UTC"),
}

_ANALYTICS_METRIC = "from the work's analytics; NULL = not reported"

WORK_METRICS_COLUMNS: dict[str, tuple[str, str]] = {
    "platform": ("VARCHAR NOT NULL", "platform key (partition)"),
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR NOT NULL", "the platform's id of the work"),
    **{c: ("BIGINT", f"{c.removesuffix('_count').replace('_', ' ')}, {_ANALYTICS_METRIC}") for c in METRIC_COLUMNS},
    "status": ("VARCHAR NOT NULL", "ok (data), not_supported (the API has none for it) or error (about this work)"),
    "reason": ("VARCHAR", "why not ok, as the API said it"),
    "period_start_at": ("TIMESTAMP", "start of the window asked for a daily series (pinterest), UTC; else NULL"),
    "period_end_at": ("TIMESTAMP", "end of that window, UTC; else NULL"),
    "fetched_at": ("TIMESTAMP NOT NULL", "when the analytics were last asked, UTC"),
    "extra": ("VARCHAR", "the answer's `extra`, JSON as served"),
}

WORK_METRICS_DAILY_COLUMNS: dict[str, tuple[str, str]] = {
    "platform": ("VARCHAR NOT NULL", "platform key"),
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR NOT NULL", "the platform's id of the work"),
    "day": ("DATE NOT NULL", "the day the values are for, UTC"),
    **{c: ("BIGINT", f"that day's value, {_ANALYTICS_METRIC}") for c in METRIC_COLUMNS},
    "fetched_at": ("TIMESTAMP NOT NULL", "when they were asked, UTC"),
}

WORK_ENGAGEMENT_EXTRA_COLUMNS: dict[str, tuple[str, str]] = {
    "metrics_source": (
        "VARCHAR",
        "where the work's metrics come from: list, analytics, list+analytics; NULL when neither reported any",
    ),
    "interactions": (
        "BIGINT",
        "like_count + comment_count + share_count + collect_count + save_count, adding the ones reported; "
        "when none of the five is reported, engagement_count; NULL when neither",
    ),
    "interactions_metric": ("VARCHAR", "sum_of_parts or engagement_count: which definition interactions used"),
    "exposure": ("BIGINT", "the first reported of view_count, impression_count, reach_count, play_count"),
    "exposure_metric": ("VARCHAR", "which column exposure came from (view_count, impression_count, ...); NULL if none"),
    "engagement_rate": ("DOUBLE", "interactions / exposure when both are reported and exposure > 0, else NULL"),
}

ACCOUNT_ENGAGEMENT_COLUMNS: dict[str, tuple[str, str]] = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "nickname": ("VARCHAR", "from accounts; NULL if the account is not listed there"),
    "works": ("BIGINT", "works of the account in raw_works"),
    "works_rated": ("BIGINT", "works with an engagement_rate"),
    "interactions": ("BIGINT", "sum of interactions over works with interactions; NULL if none"),
    "exposure": ("BIGINT", "sum of exposure over rated works; NULL if none"),
    "engagement_rate": (
        "DOUBLE",
        "sum of interactions over rated works / sum of their exposure; NULL if no rated work",
    ),
    "median_engagement_rate": ("DOUBLE", "median of the rated works' engagement_rate; NULL if none"),
    "followers": ("BIGINT", "accounts.fans_count; NULL if unknown"),
    "engagement_rate_by_followers": (
        "DOUBLE",
        "mean interactions per work (over works with interactions) / followers; NULL if followers is NULL or 0",
    ),
    "first_published_at": ("TIMESTAMP", "earliest published_at of its works, UTC"),
    "last_published_at": ("TIMESTAMP", "latest published_at of its works, UTC"),
    "computed_at": ("TIMESTAMP", "when this table was computed, UTC"),
}

TOP_WORKS_COLUMNS: dict[str, tuple[str, str]] = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "rank": (
        "INTEGER",
        "1..N within the account: interactions desc, exposure desc, published_at desc, platform_work_id asc; "
        "NULLs last",
    ),
    "platform_work_id": ("VARCHAR", "the platform's id of the work"),
    "title": ("VARCHAR", "as served"),
    "url": ("VARCHAR", "link to the work (YouTube: built from the id, its list sends none)"),
    "published_at": ("TIMESTAMP", "UTC"),
    "interactions": WORK_ENGAGEMENT_EXTRA_COLUMNS["interactions"],
    "interactions_metric": WORK_ENGAGEMENT_EXTRA_COLUMNS["interactions_metric"],
    "exposure": WORK_ENGAGEMENT_EXTRA_COLUMNS["exposure"],
    "exposure_metric": WORK_ENGAGEMENT_EXTRA_COLUMNS["exposure_metric"],
    "engagement_rate": WORK_ENGAGEMENT_EXTRA_COLUMNS["engagement_rate"],
    "metrics_source": WORK_ENGAGEMENT_EXTRA_COLUMNS["metrics_source"],
    "interactions_vs_account_median": (
        "DOUBLE",
        "interactions / median interactions of the account's works with interactions; NULL when that median is 0",
    ),
}


_SNAPSHOT_METRIC = "as work_engagement saw it that day (list value, else analytics value); NULL = not reported"

WORK_SNAPSHOTS_COLUMNS: dict[str, tuple[str, str]] = {
    "platform": ("VARCHAR NOT NULL", "platform key"),
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR NOT NULL", "the platform's id of the work"),
    "snapshot_date": ("DATE NOT NULL", "the UTC date of the run that observed the work"),
    **{c: ("BIGINT", f"cumulative, {_SNAPSHOT_METRIC}") for c in METRIC_COLUMNS},
    "metrics_source": ("VARCHAR", "list, analytics or list+analytics (as in work_engagement)"),
    "fetched_at": ("TIMESTAMP NOT NULL", "when the observing run fetched the work, UTC"),
}

#: The cumulative counters of account_snapshots (fetch/account_analytics.py maps the API's names onto them).
ACCOUNT_COUNTER_COLUMNS: tuple[str, ...] = (
    "followers", "following", "works", "read_count", "view_count", "like_count", "collect_count",
    "forward_count", "comment_count", "engagement_count",
)  # fmt: skip

ACCOUNT_SNAPSHOTS_COLUMNS: dict[str, tuple[str, str]] = {
    "platform": ("VARCHAR NOT NULL", "platform key"),
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id"),
    "snapshot_date": ("DATE NOT NULL", "the UTC date of the run"),
    **{c: ("BIGINT", "cumulative counter; NULL = not reported") for c in ACCOUNT_COUNTER_COLUMNS},
    "source": (
        "VARCHAR NOT NULL",
        "analytics (live counters from account analytics) or accounts (AiToEarn's cached counters)",
    ),
    "reason": ("VARCHAR", "why the cached counters were used (not supported, not registered, a refusal)"),
    "fetched_at": ("TIMESTAMP NOT NULL", "when the run read them, UTC"),
}

_GAIN = "value at the latest snapshot minus the baseline's (README, Definitions); NULL without a baseline"

WORK_GROWTH_COLUMNS: dict[str, tuple[str, str]] = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR", "the platform's id of the work"),
    "snapshot_date": ("DATE", "the work's latest snapshot date"),
    "exposure": ("BIGINT", "exposure at that snapshot (Definitions)"),
    "interactions": ("BIGINT", "interactions at that snapshot (Definitions)"),
    **{
        f"{m}_gain_{n}d": ("BIGINT", f"{m} gained over {n} day(s): {_GAIN}")
        for m in ("exposure", "interactions")
        for n in (1, 7, 28)
    },
}

ACCOUNT_GROWTH_COLUMNS: dict[str, tuple[str, str]] = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "snapshot_date": ("DATE", "the account's latest snapshot date"),
    "followers": ("BIGINT", "followers at the latest account snapshot"),
    "followers_gain_7d": ("BIGINT", f"followers gained over 7 days: {_GAIN}"),
    "followers_gain_28d": ("BIGINT", f"followers gained over 28 days: {_GAIN}"),
    "interactions_gain_7d": (
        "BIGINT",
        "sum of interactions_gain_7d over the account's works seen on its latest date; NULL if none has it",
    ),
    "exposure_gain_7d": ("BIGINT", "sum of exposure_gain_7d over the same works; NULL if none has it"),
    "engagement_rate_7d": (
        "DOUBLE",
        "sum of interactions_gain_7d / sum of exposure_gain_7d over works with both; NULL when that sum <= 0",
    ),
    "works_published_7d": (
        "BIGINT",
        "works in raw_works published (UTC date) in the 7 days ending with the latest date",
    ),
    "works_published_28d": ("BIGINT", "the same over 28 days"),
}
