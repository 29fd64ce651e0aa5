"""The metrics the API reports and the definitions built on them, declared once (README, "Definitions").

Plain data: the fetch reads the API's keys with it, the warehouse generates its SQL from it
(`warehouse/definitions.py`), the sandbox serves its keys, Dagster documents its columns.
"""

from __future__ import annotations

#: API metric key -> warehouse column, in table order: the twelve metrics of the contract.
METRICS: dict[str, str] = {
    "viewCount": "view_count",
    "playCount": "play_count",
    "impressionCount": "impression_count",
    "reachCount": "reach_count",
    "likeCount": "like_count",
    "collectCount": "collect_count",
    "commentCount": "comment_count",
    "shareCount": "share_count",
    "saveCount": "save_count",
    "clickCount": "click_count",
    "engagementCount": "engagement_count",
    "watchTimeSeconds": "watch_time_seconds",
}
METRIC_COLUMNS: tuple[str, ...] = tuple(METRICS.values())
METRIC_MEANINGS: dict[str, str] = {
    "view_count": "views",
    "play_count": "plays",
    "impression_count": "impressions",
    "reach_count": "unique accounts reached",
    "like_count": "likes",
    "collect_count": "collects/favourites",
    "comment_count": "comments",
    "share_count": "shares/reposts",
    "save_count": "saves/bookmarks",
    "click_count": "clicks",
    "engagement_count": "the platform's own engagement total",
    "watch_time_seconds": "total watch time in seconds",
}

#: `exposure` is the first reported of these (plays last: only Pinterest fills them, for video pins).
EXPOSURE_ORDER: tuple[str, ...] = ("view_count", "impression_count", "reach_count", "play_count")
#: `interactions` adds the reported ones of these ...
INTERACTION_PARTS: tuple[str, ...] = ("like_count", "comment_count", "share_count", "collect_count", "save_count")
#: ... and is the platform's own total when none of them is reported (Facebook: engaged users).
ENGAGEMENT_TOTAL = "engagement_count"
#: `interactions_metric` of a sum names the parts it added, joined by this (`like_count+comment_count`).
PARTS_SEPARATOR = "+"

#: Ages at which works are compared (work_age_metrics, work_breakouts) and gain windows (growth tables).
GAIN_DAYS: tuple[int, ...] = (1, 7, 28)

#: A work is a breakout at age N (one of these, in days) ...
BREAKOUT_AGES: tuple[int, ...] = (1, 7)
#: ... when its exposure at that age is at least this many times the median of its account's other works
#: measured at that age ...
BREAKOUT_RATIO = 3
#: ... and at least this many such works exist.
BREAKOUT_MIN_PEERS = 5
#: An account is benchmarked against its platform's accounts with at least this many rated works.
BENCHMARK_MIN_RATED = 5
#: hashtag_engagement keeps the hashtags on at least this many works of a platform.
HASHTAG_MIN_WORKS = 3
