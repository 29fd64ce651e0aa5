"""Every warehouse table, column by column: its DuckDB type and its meaning, declared once.

The fetch builds its rows from these declarations (`polars_schema`), the warehouse creates and
migrates its tables from them (`warehouse/schema.py`), Dagster shows them as column schemas and the
README test checks that each column is documented. Plain data: no DuckDB, no Dagster.

NULL in a metric always means "the platform did not report it", never zero.
"""

from __future__ import annotations

import polars as pl

from aitoearn_assets.metrics import GAIN_DAYS, METRIC_COLUMNS, METRIC_MEANINGS

#: {column: (DuckDB type, meaning)}; a type may carry `NOT NULL` or `DEFAULT ...` for stored tables.
Columns = dict[str, tuple[str, str]]

_METRIC = "as reported by the platform; NULL = not reported"
_ISSUES = "STRUCT(account_id VARCHAR, reason VARCHAR)[]"
_RUN_DATE = "the run date (UTC): the pipeline's clock at the start of the run"
_RECORDED = "when the row was written (UTC, the wall clock even when the pipeline's clock is pinned): orders runs"


RAW_WORKS_COLUMNS: Columns = {
    "platform": ("VARCHAR NOT NULL", "platform key as the API spells it (partition)"),
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id (accounts.account_id)"),
    "platform_work_id": ("VARCHAR NOT NULL", "the platform's id of the work"),
    "content_mode": ("VARCHAR", "video, article (image-text) or article2 (text)"),
    "title": ("VARCHAR", "as served; empty string stays empty"),
    "description": ("VARCHAR", "as served"),
    "url": ("VARCHAR", "link to the work"),
    "cover_url": ("VARCHAR", "cover image"),
    "published_at": ("TIMESTAMP", "publication time, UTC"),
    "author_name": ("VARCHAR", "author's display name"),
    "author_platform_uid": ("VARCHAR", "author's platform uid"),
    "status": ("VARCHAR", "platform status of the work"),
    **{c: ("BIGINT", f"{METRIC_MEANINGS[c]}, {_METRIC}") for c in METRIC_COLUMNS},
    "fetched_at": ("TIMESTAMP NOT NULL", "when this run fetched the row, UTC"),
    "source": (
        "VARCHAR DEFAULT 'list'",
        "list (the platform's works list) or publish_record (a work published through AiToEarn)",
    ),
    "publish_record_id": ("VARCHAR", "the publish record the row came from (source publish_record); else NULL"),
    "observed_on": ("DATE", f"{_RUN_DATE} of the run that fetched the row: when its list metrics were observed"),
}

REJECTED_WORKS_COLUMNS: Columns = {
    "platform": ("VARCHAR NOT NULL", "platform key"),
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR", "the item's id when it has one"),
    "reason": ("VARCHAR NOT NULL", "why it could not be read faithfully"),
    "raw_json": ("VARCHAR NOT NULL", "the item as served (JSON, its first 20,000 characters)"),
    "fetched_at": ("TIMESTAMP NOT NULL", "when it was served, UTC"),
}

ACCOUNTS_COLUMNS: Columns = {
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id"),
    "platform": ("VARCHAR NOT NULL", "platform key"),
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
    "fetched_at": ("TIMESTAMP NOT NULL", "when a run last listed the account, UTC"),
    "removed_at": (
        "TIMESTAMP",
        "when a run first found the key no longer lists the account (UTC); NULL while it is listed. "
        "Its works stay in raw_works; the analytics tables and the report leave it out",
    ),
}

INGEST_RUNS_COLUMNS: Columns = {
    "platform": ("VARCHAR NOT NULL", "platform key"),
    "run_id": ("VARCHAR NOT NULL", "the Dagster run"),
    "fetched_at": ("TIMESTAMP NOT NULL", "when the platform's accounts were listed, UTC"),
    "works_written": ("BIGINT NOT NULL", "works inserted or replaced"),
    "accounts_listed": ("VARCHAR[] NOT NULL", "accounts the key lists on the platform"),
    "accounts_fetched": ("VARCHAR[] NOT NULL", "accounts whose works were written"),
    "accounts_skipped": (f"{_ISSUES} NOT NULL", "offline, or to re-authorize, with the reason"),
    "metrics_reported": ("VARCHAR[] NOT NULL", "metric columns at least one written work reports"),
    "cannot_list_reason": ("VARCHAR", "why the works came from publish records"),
    "status": ("VARCHAR DEFAULT 'ok'", "ok, or failed (the platform as a whole)"),
    "error": ("VARCHAR", "why the platform failed"),
    "source": ("VARCHAR DEFAULT 'list'", "list or publish_record"),
    "accounts_failed": (_ISSUES, "accounts whose fetch failed with an error"),
    "accounts_held": (_ISSUES, "accounts whose shrunken listing was not written"),
    "requests": ("BIGINT DEFAULT 0", "requests sent for the platform"),
    "retries": ("BIGINT DEFAULT 0", "of them, retries"),
    "seconds": ("DOUBLE DEFAULT 0", "from the first request to the platform's last answer"),
    "accounts_partial": (
        _ISSUES,
        "accounts whose listing stopped on a paging warning: works written, none deleted",
    ),
    "root_run_id": ("VARCHAR", "the first run of a chain of retries (the run itself when it is no retry)"),
    "recorded_at": ("TIMESTAMP", _RECORDED),
}

ANALYTICS_RUNS_COLUMNS: Columns = {
    "platform": ("VARCHAR NOT NULL", "platform key"),
    "run_id": ("VARCHAR NOT NULL", "the Dagster run"),
    "root_run_id": ("VARCHAR NOT NULL", "the first run of a chain of retries"),
    "fetched_at": ("TIMESTAMP NOT NULL", "when the platform's analytics were asked, UTC"),
    "status": ("VARCHAR NOT NULL", "ok, or failed (stopped by a quota, a rate limit or the breaker)"),
    "error": ("VARCHAR", "why the platform failed"),
    "works_due": ("BIGINT NOT NULL", "works whose analytics were due"),
    "works_asked": ("BIGINT NOT NULL", "of them, asked within the budget"),
    "works_with_data": ("BIGINT NOT NULL", "answered with data (status ok)"),
    "works_no_data": ("BIGINT NOT NULL", "answered with no data yet"),
    "works_not_supported": ("BIGINT NOT NULL", "answered that the platform has no analytics"),
    "works_with_error": ("BIGINT NOT NULL", "answered with an error about the work"),
    "works_not_asked": ("BIGINT NOT NULL", "left unasked (platform stopped, account skipped, transient failure)"),
    "backlog_left": ("BIGINT NOT NULL", "due works left for later runs"),
    "requests": ("BIGINT NOT NULL", "requests sent"),
    "rate_limited": ("BIGINT NOT NULL", "of them, answered 429"),
    "recorded_at": ("TIMESTAMP", _RECORDED),
}

_ANALYTICS_METRIC = "the work's last analytics value (its latest ok answer); NULL = not reported or never answered"

WORK_METRICS_COLUMNS: Columns = {
    "platform": ("VARCHAR NOT NULL", "platform key (partition)"),
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR NOT NULL", "the platform's id of the work"),
    **{c: ("BIGINT", f"{METRIC_MEANINGS[c]}, {_ANALYTICS_METRIC}") for c in METRIC_COLUMNS},
    "status": (
        "VARCHAR NOT NULL",
        "the latest attempt: ok (data), no_data (none yet), not_supported (the API has none for it) or error",
    ),
    "reason": ("VARCHAR", "why the latest attempt was not ok, as the API said it"),
    "period_start_at": ("TIMESTAMP", "start of the window of the last ok daily series (pinterest), UTC; else NULL"),
    "period_end_at": ("TIMESTAMP", "end of that window, UTC; else NULL"),
    "fetched_at": ("TIMESTAMP NOT NULL", "when the analytics were last asked (the latest attempt), UTC"),
    "extra": ("VARCHAR", "the last ok answer's `extra`, JSON as served"),
    "observed_on": ("DATE", f"{_RUN_DATE} of the last ok answer: when the values above were observed"),
}

WORK_METRICS_DAILY_COLUMNS: Columns = {
    "platform": ("VARCHAR NOT NULL", "platform key"),
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR NOT NULL", "the platform's id of the work"),
    "day": ("DATE NOT NULL", "the day the values are for, UTC"),
    **{c: ("BIGINT", f"that day's value, {_METRIC}") for c in METRIC_COLUMNS},
    "fetched_at": ("TIMESTAMP NOT NULL", "when the day was last answered, UTC"),
}

WORK_ENGAGEMENT_EXTRA_COLUMNS: Columns = {
    "metrics_source": (
        "VARCHAR",
        "where the work's metrics come from: list, analytics, list+analytics; NULL when neither reported any",
    ),
    "interactions": (
        "BIGINT",
        "like_count + comment_count + share_count + collect_count + save_count, adding the ones reported; "
        "when none of the five is reported, engagement_count; NULL when neither",
    ),
    "interactions_metric": (
        "VARCHAR",
        "what interactions measured: the parts added (e.g. like_count+comment_count), or engagement_count",
    ),
    "exposure": ("BIGINT", "the first reported of view_count, impression_count, reach_count, play_count"),
    "exposure_metric": ("VARCHAR", "which column exposure came from (view_count, impression_count, ...); NULL if none"),
    "engagement_rate": ("DOUBLE", "interactions / exposure when both are reported and exposure > 0, else NULL"),
    "exposure_observed_on": ("DATE", "the run date its exposure was observed (the list's, or the analytics')"),
    "interactions_observed_on": (
        "DATE",
        "the run date its interactions were observed: the earliest of its parts' observation dates",
    ),
}

#: The view `work_engagement`: raw_works' columns but the bookkeeping ones, with the merged metrics and definitions.
WORK_ENGAGEMENT_COLUMNS: Columns = {
    **{
        c: (t.split()[0], d)
        for c, (t, d) in RAW_WORKS_COLUMNS.items()
        if c not in ("source", "publish_record_id", "observed_on")
    },
    **WORK_ENGAGEMENT_EXTRA_COLUMNS,
}

WORK_SNAPSHOTS_COLUMNS: Columns = {
    "platform": ("VARCHAR NOT NULL", "platform key"),
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR NOT NULL", "the platform's id of the work"),
    "snapshot_date": ("DATE NOT NULL", f"{_RUN_DATE} that wrote the snapshot"),
    **{
        c: ("BIGINT", "cumulative, as work_engagement saw it that day (its last observed value); NULL = not reported")
        for c in METRIC_COLUMNS
    },
    "metrics_source": ("VARCHAR", "list, analytics or list+analytics (as in work_engagement)"),
    "fetched_at": ("TIMESTAMP NOT NULL", "when the run wrote the snapshot, UTC"),
    "exposure": ("BIGINT", "exposure as work_engagement defined it that day"),
    "exposure_metric": ("VARCHAR", "which column the exposure came from"),
    "exposure_observed_on": (
        "DATE",
        "when that exposure value was observed; earlier than snapshot_date when it was carried over",
    ),
    "interactions": ("BIGINT", "interactions as work_engagement defined them that day"),
    "interactions_metric": ("VARCHAR", "the parts added, or engagement_count (as in work_engagement)"),
    "interactions_observed_on": ("DATE", "when those interactions were observed (the earliest of their parts)"),
}

#: The cumulative counters of account_snapshots (fetch/account_analytics.py maps the API's names onto them).
ACCOUNT_COUNTER_COLUMNS: tuple[str, ...] = (
    "followers", "following", "works", "read_count", "view_count", "like_count", "collect_count",
    "forward_count", "comment_count", "engagement_count",
)  # fmt: skip

ACCOUNT_SNAPSHOTS_COLUMNS: Columns = {
    "platform": ("VARCHAR NOT NULL", "platform key"),
    "account_id": ("VARCHAR NOT NULL", "AiToEarn account id"),
    "snapshot_date": ("DATE NOT NULL", f"{_RUN_DATE} that wrote the snapshot"),
    **{c: ("BIGINT", "cumulative counter; NULL = not reported by this source") for c in ACCOUNT_COUNTER_COLUMNS},
    "source": (
        "VARCHAR NOT NULL",
        "analytics (live counters from account analytics) or accounts (AiToEarn's cached counters)",
    ),
    "reason": ("VARCHAR", "why the cached counters were used (not supported, not registered, a refusal)"),
    "fetched_at": ("TIMESTAMP NOT NULL", "when the run read them, UTC"),
    "observed_on": (
        "DATE",
        "when the counters were observed: the run date for live counters, last_stats_time's date for cached ones",
    ),
}

WAREHOUSE_INFO_COLUMNS: Columns = {
    "key": ("VARCHAR NOT NULL", "mode, or views"),
    "value": (
        "VARCHAR NOT NULL",
        "mode: sandbox or live, the data the warehouse holds; views: digest of the views' SQL",
    ),
}

WRITE_MARKS_COLUMNS: Columns = {
    "subject": ("VARCHAR NOT NULL", "what is written: accounts, raw_works:<platform>, work_metrics:<platform>"),
    "written_at": ("TIMESTAMP", "when it was last written, UTC (NULL: never)"),
}

#: Tables the ingest writes, created (and migrated: missing columns added) from these declarations.
#: No LIST defaults, keys or constraints but NOT NULL: a DuckLake catalog takes exactly these.
STORED_TABLES: dict[str, Columns] = {
    "warehouse_info": WAREHOUSE_INFO_COLUMNS,
    "raw_works": RAW_WORKS_COLUMNS,
    "rejected_works": REJECTED_WORKS_COLUMNS,
    "accounts": ACCOUNTS_COLUMNS,
    "ingest_runs": INGEST_RUNS_COLUMNS,
    "analytics_runs": ANALYTICS_RUNS_COLUMNS,
    "work_metrics": WORK_METRICS_COLUMNS,
    "work_metrics_daily": WORK_METRICS_DAILY_COLUMNS,
    "work_snapshots": WORK_SNAPSHOTS_COLUMNS,
    "account_snapshots": ACCOUNT_SNAPSHOTS_COLUMNS,
    "write_marks": WRITE_MARKS_COLUMNS,
}

#: Stored tables written platform by platform: in a DuckLake each platform's rows go to their own files, so
#: writers of different platforms rewrite different files.
PARTITIONED_BY_PLATFORM: tuple[str, ...] = tuple(
    t for t, c in STORED_TABLES.items() if "platform" in c and t != "accounts"
)

ACCOUNT_FOLLOWERS_COLUMNS: Columns = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "followers": (
        "BIGINT",
        "the account's latest live follower count (account analytics), else the count AiToEarn cached "
        "(accounts.fans_count); NULL when neither is known",
    ),
    "followers_source": ("VARCHAR", "analytics or accounts: where followers came from; NULL when unknown"),
    "followers_observed_on": ("DATE", "when that count was observed (UTC date)"),
}

ACCOUNT_ENGAGEMENT_COLUMNS: Columns = {
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
    "followers": ("BIGINT", ACCOUNT_FOLLOWERS_COLUMNS["followers"][1]),
    "followers_source": ACCOUNT_FOLLOWERS_COLUMNS["followers_source"],
    "engagement_rate_by_followers": (
        "DOUBLE",
        "mean interactions per work (over works with interactions) / followers; NULL if followers is NULL or 0",
    ),
    "first_published_at": ("TIMESTAMP", "earliest published_at of its works, UTC"),
    "last_published_at": ("TIMESTAMP", "latest published_at of its works, UTC"),
    "computed_at": ("TIMESTAMP", "when this table was computed, UTC"),
}

TOP_WORKS_COLUMNS: Columns = {
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
    **{
        c: WORK_ENGAGEMENT_EXTRA_COLUMNS[c]
        for c in ("interactions", "interactions_metric", "exposure", "exposure_metric", "engagement_rate")
    },
    "metrics_source": WORK_ENGAGEMENT_EXTRA_COLUMNS["metrics_source"],
    "interactions_vs_account_median": (
        "DOUBLE",
        "interactions / median interactions of the account's works with interactions; NULL when that median is 0",
    ),
}

_GAIN = (
    "the latest observed value minus the one observed at the baseline (README, Definitions); "
    "NULL without a baseline observation"
)

WORK_GROWTH_COLUMNS: Columns = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR", "the platform's id of the work"),
    "snapshot_date": ("DATE", "the work's latest snapshot date"),
    "exposure": ("BIGINT", "exposure at that snapshot (its last observed value)"),
    "interactions": ("BIGINT", "interactions at that snapshot (their last observed value)"),
    "exposure_observed_on": ("DATE", "the latest date its exposure was observed"),
    "interactions_observed_on": ("DATE", "the latest date its interactions were observed"),
    **{
        f"{m}_gain_{n}d": ("BIGINT", f"{m} gained over {n} day(s): {_GAIN}")
        for m in ("exposure", "interactions")
        for n in (1, 7, 28)
    },
}

ACCOUNT_GROWTH_COLUMNS: Columns = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "snapshot_date": (
        "DATE",
        "the account's latest run date: its latest account snapshot or the latest run that listed its works",
    ),
    "followers": ("BIGINT", ACCOUNT_FOLLOWERS_COLUMNS["followers"][1]),
    "followers_source": ACCOUNT_FOLLOWERS_COLUMNS["followers_source"],
    "followers_gain_7d": ("BIGINT", f"followers gained over 7 days, from that source's observations: {_GAIN}"),
    "followers_gain_28d": ("BIGINT", f"followers gained over 28 days: {_GAIN}"),
    "interactions_gain_7d": (
        "BIGINT",
        "sum of interactions_gain_7d over the account's works in raw_works; NULL if none has it",
    ),
    "exposure_gain_7d": ("BIGINT", "sum of exposure_gain_7d over the same works; NULL if none has it"),
    "engagement_rate_7d": (
        "DOUBLE",
        "sum of interactions_gain_7d / sum of exposure_gain_7d over works with both; NULL when that sum <= 0",
    ),
    "works_published_7d": (
        "BIGINT",
        "works in raw_works published (UTC date) in the 7 days ending with the account's latest run date",
    ),
    "works_published_28d": ("BIGINT", "the same over 28 days"),
}

_TZ = "in the reporting timezone (AITOEARN_REPORT_TIMEZONE, default the schedule's timezone)"

#: The figures every slice of works shows (posting_times, content_type_engagement, hashtag_engagement).
SLICE_FIGURES_COLUMNS: Columns = {
    "works": ("BIGINT", "works in the slice"),
    "works_rated": ("BIGINT", "of them, rated (with an engagement_rate)"),
    "exposure": ("BIGINT", "sum of exposure over the rated works; NULL if none"),
    "engagement_rate": (
        "DOUBLE",
        "pooled: sum of interactions over the rated works / sum of their exposure; NULL if no rated work",
    ),
    "median_engagement_rate": ("DOUBLE", "median of the rated works' engagement_rate; NULL if none"),
    "median_interactions": ("DOUBLE", "median interactions over the works with interactions; NULL if none"),
}

POSTING_TIMES_COLUMNS: Columns = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "weekday": ("INTEGER", f"1 (Monday) to 7 (Sunday) of published_at {_TZ}"),
    "hour": ("INTEGER", f"0 to 23 of published_at {_TZ}"),
    "timezone": ("VARCHAR", "that timezone's name, as the table was built in it (the report reads it here)"),
    **SLICE_FIGURES_COLUMNS,
}

CONTENT_TYPE_ENGAGEMENT_COLUMNS: Columns = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "content_mode": ("VARCHAR", "video, article (image-text) or article2 (text); NULL = not reported"),
    **SLICE_FIGURES_COLUMNS,
}

HASHTAG_ENGAGEMENT_COLUMNS: Columns = {
    "platform": ("VARCHAR", "platform key"),
    "hashtag": (
        "VARCHAR",
        "case-folded, without its #: # then Unicode letters, decimal digits or _, to the first other character "
        "(xhs's #话题[话题]# gives 话题); counted once per work over its title and description",
    ),
    "accounts": ("BIGINT", "accounts with a work carrying it"),
    **{c: v for c, v in SLICE_FIGURES_COLUMNS.items() if c != "median_engagement_rate"},
}

_AT_AGE = (
    "{m} observed on the work's snapshot dated its publish date (UTC) + {n} day(s); NULL when there is none or "
    "that snapshot carried an earlier value over"
)

WORK_AGE_METRICS_COLUMNS: Columns = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR", "the platform's id of the work"),
    "published_at": ("TIMESTAMP", "UTC"),
    **{f"{m}_at_{n}d": ("BIGINT", _AT_AGE.format(m=m, n=n)) for m in ("exposure", "interactions") for n in GAIN_DAYS},
}

WORK_BREAKOUTS_COLUMNS: Columns = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "platform_work_id": ("VARCHAR", "the platform's id of the work"),
    "age_days": ("INTEGER", "1 or 7: the age at which it broke out"),
    "exposure_at_age": ("BIGINT", "its exposure at that age (work_age_metrics)"),
    "account_median_at_age": (
        "DOUBLE",
        "median exposure at that age of the account's other works measured at that age (at least 5 of them; "
        "above 0, or there is no breakout)",
    ),
    "ratio": ("DOUBLE", "exposure_at_age / account_median_at_age: at least 3"),
    "detected_on": (
        "DATE",
        "the first run date it was found a breakout on: the first day on which the rule held over the "
        "account's works measured at that age by then",
    ),
    "title": ("VARCHAR", "as served"),
    "url": ("VARCHAR", "link to the work (as in work_engagement)"),
}

ACCOUNT_BENCHMARKS_COLUMNS: Columns = {
    "platform": ("VARCHAR", "platform key"),
    "account_id": ("VARCHAR", "AiToEarn account id"),
    "nickname": ("VARCHAR", "from accounts"),
    "engagement_rate": ("DOUBLE", "as in account_engagement; NULL if no rated work"),
    "works_rated": ("BIGINT", "as in account_engagement"),
    "platform_accounts": ("BIGINT", "accounts of the platform with at least 5 rated works (the benchmark's peers)"),
    "percentile": (
        "DOUBLE",
        "share of those accounts with a strictly lower engagement_rate, 0 to 1; NULL below 5 rated works",
    ),
    "platform_median_rate": ("DOUBLE", "median engagement_rate of those accounts; NULL if there are none"),
}

#: Tables (and views) computed from the stored ones; their columns come from the SQL or polars that builds them.
DERIVED_TABLES: dict[str, Columns] = {
    "work_engagement": WORK_ENGAGEMENT_COLUMNS,
    "account_followers": ACCOUNT_FOLLOWERS_COLUMNS,
    "account_engagement": ACCOUNT_ENGAGEMENT_COLUMNS,
    "top_works": TOP_WORKS_COLUMNS,
    "work_growth": WORK_GROWTH_COLUMNS,
    "account_growth": ACCOUNT_GROWTH_COLUMNS,
    "posting_times": POSTING_TIMES_COLUMNS,
    "content_type_engagement": CONTENT_TYPE_ENGAGEMENT_COLUMNS,
    "hashtag_engagement": HASHTAG_ENGAGEMENT_COLUMNS,
    "work_age_metrics": WORK_AGE_METRICS_COLUMNS,
    "work_breakouts": WORK_BREAKOUTS_COLUMNS,
    "account_benchmarks": ACCOUNT_BENCHMARKS_COLUMNS,
}

#: Each table's key, and what it holds, for the README's table reference (docs/make_tables.py writes it).
ABOUT: dict[str, tuple[str, str]] = {
    "raw_works": ("platform, account_id, platform_work_id", "every work of every account, as its platform lists it"),
    "work_metrics": (
        "platform, account_id, platform_work_id",
        "per-work analytics: the last good values and the latest attempt",
    ),
    "work_metrics_daily": ("platform, account_id, platform_work_id, day", "the days of a daily series (pinterest)"),
    "work_engagement": (
        "platform, account_id, platform_work_id",
        "view: every work with its merged metrics and definitions",
    ),
    "accounts": ("account_id", "every account the key lists, and those it no longer lists (removed_at)"),
    "account_followers": ("platform, account_id", "view: one followers figure per account"),
    "account_engagement": ("platform, account_id", "per-account engagement"),
    "top_works": ("platform, account_id, rank", "each account's best works"),
    "work_snapshots": ("platform, account_id, platform_work_id, snapshot_date", "append-only daily history of works"),
    "account_snapshots": ("platform, account_id, snapshot_date", "append-only daily history of accounts"),
    "work_growth": ("platform, account_id, platform_work_id", "what each work gained"),
    "account_growth": ("platform, account_id", "what each account gained"),
    "posting_times": (
        "platform, account_id, weekday, hour",
        "when each account's works were published, and how they did",
    ),
    "content_type_engagement": ("platform, account_id, content_mode", "how each account's formats do"),
    "hashtag_engagement": ("platform, hashtag", "how the hashtags on at least 3 works of a platform do"),
    "work_age_metrics": (
        "platform, account_id, platform_work_id",
        "each work's exposure and interactions at 1, 7 and 28 days old",
    ),
    "work_breakouts": (
        "platform, account_id, platform_work_id, age_days",
        "works at 3 times their account's median at the same age",
    ),
    "account_benchmarks": ("platform, account_id", "where each account's engagement rate stands among its platform's"),
    "ingest_runs": ("platform, run_id", "one row per platform per raw_works run"),
    "analytics_runs": ("platform, run_id", "one row per platform per work_metrics run"),
    "rejected_works": ("platform, account_id, platform_work_id", "items served that could not be read faithfully"),
    "warehouse_info": ("key", "whether the warehouse holds sandbox or live data"),
    "write_marks": (
        "subject",
        "one row per thing written, updated by every write of it: on a DuckLake two writes of the same "
        "platform at once always conflict, and one runs again (never both inserting)",
    ),
}

_POLARS_TYPES: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(),
    "BIGINT": pl.Int64(),
    "INTEGER": pl.Int32(),
    "DOUBLE": pl.Float64(),
    "DATE": pl.Date(),
    "TIMESTAMP": pl.Datetime("us"),
    "VARCHAR[]": pl.List(pl.String()),
    _ISSUES: pl.List(pl.Struct({"account_id": pl.String(), "reason": pl.String()})),
}


def column_type(declared: str) -> str:
    """The DuckDB type of a declaration, without `NOT NULL` or `DEFAULT ...`."""
    return declared.split(" NOT NULL")[0].split(" DEFAULT ")[0]


def polars_schema(columns: Columns) -> dict[str, pl.DataType]:
    """The polars schema of a declared table (frames the fetch builds for it)."""
    return {name: _POLARS_TYPES[column_type(type_)] for name, (type_, _) in columns.items()}
