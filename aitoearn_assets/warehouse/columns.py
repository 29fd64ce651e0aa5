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
}

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
