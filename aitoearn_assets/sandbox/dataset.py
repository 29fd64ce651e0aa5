"""The sandbox's deterministic data: accounts and works generated from a seed, never stored.

Each account posts at its own pace. Work `seq` (0 = the account's oldest) has a fixed publish time, so
its id, its text and its numbers are the same on every day it is listed; `works_per_account` is how
many works an account had at `REFERENCE` (2026-11-01 00:00 UTC), and each day after it brings the new
posts. `as_of` is the moment the answers describe (the pipeline's clock): the listing holds the works
published by then, newest first, and every count is what the work had gathered by then (most of a
work's views come in its first days). Unset, `as_of` is `REFERENCE` and nothing moves.

Numbers are plausible: follower counts from a few dozen to tens of millions, exposure above
interactions, evening and weekend posts doing better, some hashtags and formats carrying more, and
one work in thirty taking off. Work `seq` of an account is computed on demand, so an account may hold
millions of works at no memory cost. The same seed and settings always give the same answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from aitoearn_assets.api.platforms import DAILY_SERIES_PLATFORMS, PLATFORMS

#: Metrics each platform really fills in `listWorks` (reference, section 5). Absent: none.
LIST_METRICS: dict[str, tuple[str, ...]] = {
    "twitter": ("likeCount", "commentCount", "shareCount", "saveCount", "impressionCount"),
    "tiktok": ("viewCount", "likeCount", "commentCount", "shareCount"),
    "KWAI": ("viewCount", "likeCount", "commentCount"),
    "instagram": ("likeCount", "commentCount"),
}
#: Metrics each platform's work analytics fills (reference, section 5). Absent: "not supported".
ANALYTICS_METRICS: dict[str, tuple[str, ...]] = {
    "bilibili": ("viewCount", "likeCount", "collectCount", "shareCount", "commentCount"),
    "KWAI": ("viewCount", "likeCount", "commentCount"),
    "tiktok": ("viewCount", "likeCount", "commentCount", "shareCount"),
    "youtube": ("viewCount", "likeCount", "commentCount"),
    "twitter": ("likeCount", "commentCount", "shareCount", "saveCount", "impressionCount"),
    "facebook": ("impressionCount", "engagementCount", "clickCount"),
    "instagram": ("reachCount", "likeCount", "commentCount", "shareCount", "saveCount", "engagementCount"),
    "threads": ("viewCount", "likeCount", "commentCount", "shareCount", "engagementCount"),
    "pinterest": ("impressionCount", "saveCount", "clickCount", "playCount"),
}
#: Account analytics metrics per platform (reference 5); instagram's are a daily series.
ACCOUNT_ANALYTICS_METRICS: dict[str, tuple[str, ...]] = {
    "bilibili": ("fansCount", "followingCount", "workCount"),
    "KWAI": ("fansCount", "followingCount"),
    "tiktok": ("fansCount", "followingCount", "likeCount", "workCount"),
    "youtube": ("fansCount", "workCount", "viewCount"),
    "twitter": ("fansCount", "followingCount", "workCount", "likeCount"),
    "facebook": ("fansCount",),
    "instagram": ("reachCount", "viewCount", "clickCount"),
    "threads": ("viewCount", "likeCount", "commentCount", "forwardCount", "engagementCount", "fansCount"),
    "pinterest": ("fansCount", "followingCount", "viewCount", "workCount"),
}
DAILY_ACCOUNT_ANALYTICS = frozenset({"instagram"})
PINTEREST_DEFAULT_DAYS = 30
ALL_METRICS: tuple[str, ...] = (
    "viewCount", "playCount", "impressionCount", "reachCount", "likeCount", "collectCount", "commentCount",
    "shareCount", "saveCount", "clickCount", "engagementCount", "watchTimeSeconds",
)  # fmt: skip
#: "faithful": what a real key gets (the default); "everything": every contract metric on every
#: platform, some missing and some zero (tests and benchmarks that ask for it by name).
METRIC_PROFILES = ("faithful", "everything")

#: Named data sets (`SandboxDataset.named`, `python -m aitoearn_assets.sandbox --dataset NAME`), all faithful:
#: - demo: what `make run` serves (3 accounts a platform, 120 works each, one of them posting every few hours:
#:   its works measured at equal age on two run dates a week apart are enough to find breakouts);
#: - varied: 25 accounts a platform of 0 to 2,030 works (most small), Twitter's pages overlapping by one work,
#:   15 % of the reported metrics left out; the platforms without a works list serve publish records;
#: - large: 334 accounts a platform (5,010 in all) of 20 to 300 works: an agency's portfolio.
DATASETS: dict[str, dict[str, Any]] = {
    "demo": {"accounts_per_platform": 3, "works_per_account": 120, "busy_accounts": 1},
    "varied": {
        "accounts_per_platform": 25,
        "works_range": (0, 2030),
        "repeat_work_on_next_page": True,
        "overlap_platforms": frozenset({"twitter"}),
        "missing_metrics_share": 0.15,
    },
    "large": {"accounts_per_platform": 334, "works_range": (20, 300)},
}
_METRIC_INDEX = {key: n for n, key in enumerate(ALL_METRICS)}
HOSTILE_TEXT = "'); DROP TABLE raw_works;--"
UNICODE_TEXT = "春节 vlog 🎉 \"double\" 'single' \\ back\tslash"
#: The moment `works_per_account` describes; `as_of` unset means this moment.
REFERENCE = datetime(2026, 11, 1)
_MASK = (1 << 64) - 1
_UNIT = 1.0 / (1 << 53)
#: The modes each platform's works come in (weights repeat a mode).
CONTENT_MODES: dict[str, tuple[str, ...]] = {
    "youtube": ("video",), "tiktok": ("video",), "KWAI": ("video",), "douyin": ("video",), "wxSph": ("video",),
    "bilibili": ("video",), "twitter": ("article2", "article2", "article2", "video", "article"),
    "instagram": ("article", "video"), "threads": ("article2", "article2", "article"),
    "facebook": ("article2", "article", "video"), "pinterest": ("article", "article", "video"),
    "xhs": ("article", "article", "video"), "wxGzh": ("article",), "linkedin": ("article2", "article", "video"),
    "google_business": ("article",),
}  # fmt: skip
#: Hashtags and how much reach each carries (the xhs form is `#话题[话题]#`).
HASHTAGS: tuple[tuple[str, float], ...] = (
    ("#travel", 1.5), ("#food", 1.15), ("#vlog", 0.9), ("#tech_tips", 1.3), ("#DailyLife", 0.8),
    ("#fitness", 1.05), ("#美食", 1.25), ("#旅行", 1.4), ("#music", 1.0), ("#OOTD", 1.1),
)  # fmt: skip
#: How the format moves engagement (interactions per exposure).
MODE_ENGAGEMENT = {"video": 1.35, "article": 1.0, "article2": 0.7}
#: Exposure metric a platform's reach is counted in (the others follow from it).
_SHANGHAI = timedelta(hours=8)  # posting-time effects follow the audience's clock (UTC+8)


def _mix(*parts: int) -> int:
    """A fast deterministic 64-bit hash of small integers (splitmix64 steps)."""
    x = 0x9E3779B97F4A7C15
    for part in parts:
        x = (x ^ (part & _MASK)) * 0xBF58476D1CE4E5B9 & _MASK
        x ^= x >> 31
    return x


def _uniform(h: int, salt: int) -> float:
    """A uniform number in [0, 1) from a hash and a salt."""
    return (_mix(h, salt) >> 11) * _UNIT


def _platform_index(platform: str) -> int:
    return PLATFORMS.index(platform)


def _naive_utc(moment: date | datetime | None) -> datetime:
    if moment is None:
        return REFERENCE
    if not isinstance(moment, datetime):
        return datetime.combine(moment, time.min)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


@dataclass(frozen=True)
class _Account:
    """What a generated account is like: its pace, its size and its audience."""

    platform: str
    index: int
    hash: int
    base_works: int  # works at REFERENCE
    gap_hours: float  # mean time between posts
    followers: float  # at REFERENCE
    follower_growth: float  # per day, a fraction
    reach: float  # exposure of a typical work, per follower
    engagement: float  # the account's interactions per exposure, typical
    stats_lag_days: float  # how old AiToEarn's cached counters are

    def published_at(self, seq: int) -> datetime:
        """When work `seq` was published: at the account's pace, a little early or late each time."""
        offset = (seq - self.base_works + 1) - 0.45 * _uniform(_mix(self.hash, seq), 1)
        return REFERENCE + timedelta(hours=offset * self.gap_hours)

    def count_at(self, moment: datetime) -> int:
        """How many works the account had published by `moment`."""
        if self.base_works == 0:
            return 0
        guess = self.base_works - 1 + math.floor((moment - REFERENCE) / timedelta(hours=self.gap_hours))
        guess = max(0, guess)
        while guess > 0 and self.published_at(guess - 1) > moment:
            guess -= 1
        while self.published_at(guess) <= moment:
            guess += 1
        return guess

    def followers_at(self, moment: datetime) -> int:
        days = (moment - REFERENCE) / timedelta(days=1)
        return max(0, int(self.followers * (1 + self.follower_growth * days)))


@dataclass(frozen=True)
class SandboxDataset:
    """What the sandbox serves.

    - `accounts_per_platform`; `works_per_account`: each account's works at REFERENCE (`works_range`:
      each account's own number in [low, high], most of them small; `works_overrides` sets single accounts).
    - `metric_profile`: "faithful" (what each platform fills in reality: list metrics, work
      analytics, fields; the default) or "everything" (every contract metric on every platform).
    - `as_of`: the moment the answers describe (a date means its midnight UTC); unset: REFERENCE.
    - `missing_metrics_share`: the share of reported metrics left out of a work's answer.
    - `deleted_works`: work ids whose analytics answer 15070 (not_found).
    - `unreadable_works`: work ids whose `likeCount` is served as "1.2w".
    - `no_data_hours`: analytics of works younger than this answer code 0 with no snapshots (insights
      not computed yet).
    - `records_per_account`: publish records of each account at REFERENCE (every status; see `publish_records`).
    - `insights_missing_accounts`: Instagram accounts without the insights scope (analytics: 15078).
    - `offline_accounts`: listed with `status` 0. `revoked_accounts`: listed as normal, but their works
      answer 15048 (access revoked). `removed_accounts`: no longer listed by the key.
    - `bad_items`: every 50 works, items with wrong types (see `bad_item`).
    - `repeat_work_on_next_page`: each page starts with the previous page's last work (`overlap_platforms`:
      on these platforms only).
    - `empty_last_page`: the last page claims more, then an empty page claims more forever.
    - `repeat_cursor`: every page hands out the same cursor with `hasNext` true (a server bug).
    - `extra_accounts`: additional raw account objects appended to the listing.
    - `nicknames`: account id -> the nickname it shows instead (two accounts of a platform may share one, as an
      agency's regional accounts do).
    - `busy_accounts`: the last this many accounts of each platform post every 2.5 to 4 hours.
    """

    seed: int = 42
    accounts_per_platform: int = 2
    works_per_account: int = 30
    works_range: tuple[int, int] | None = None
    metric_profile: str = "faithful"
    as_of: date | datetime | None = None
    works_overrides: dict[str, int] = field(default_factory=dict)
    nicknames: dict[str, str] = field(default_factory=dict)
    missing_metrics_share: float = 0.0
    offline_accounts: frozenset[str] = frozenset()
    revoked_accounts: frozenset[str] = frozenset()
    removed_accounts: frozenset[str] = frozenset()
    bad_items: bool = False
    unreadable_works: frozenset[str] = frozenset()
    repeat_work_on_next_page: bool = False
    overlap_platforms: frozenset[str] = frozenset()
    empty_last_page: bool = False
    repeat_cursor: bool = False
    extra_accounts: tuple[dict[str, Any], ...] = ()
    deleted_works: frozenset[str] = frozenset()
    insights_missing_accounts: frozenset[str] = frozenset()
    no_data_hours: float = 0.0
    records_per_account: int = 12
    busy_accounts: int = 0

    @classmethod
    def named(cls, name: str, **changes: Any) -> SandboxDataset:
        """A named data set (`DATASETS`), with `changes` laid over it (e.g. `as_of`)."""
        if name not in DATASETS:
            raise ValueError(f"no sandbox data set {name!r}; the named ones are {sorted(DATASETS)}")
        return cls(**{**DATASETS[name], **changes})

    def __post_init__(self) -> None:
        if self.metric_profile not in METRIC_PROFILES:
            raise ValueError(f"metric_profile must be one of {METRIC_PROFILES}, not {self.metric_profile!r}")

    @cached_property
    def moment(self) -> datetime:
        """`as_of` as a naive UTC time."""
        return _naive_utc(self.as_of)

    # -- accounts --------------------------------------------------------------------------

    def account_id(self, platform: str, index: int) -> str:
        return f"{platform}_u{self.seed}x{_platform_index(platform):02d}{index:04d}"

    def _account(self, platform: str, index: int) -> _Account:
        cache = self.__dict__.setdefault("_accounts", {})
        key = (platform, index)
        if key not in cache:
            h = _mix(self.seed, _platform_index(platform), index, 1)
            base = self.works_overrides.get(self.account_id(platform, index))
            if base is None and self.works_range is not None:
                low, high = self.works_range
                base = low + int((high - low) * _uniform(h, 2) ** 2.5)
            base = self.works_per_account if base is None else base
            # spread the works of a large account over three years at most
            gap = 6 + 54 * _uniform(h, 3)
            if index >= self.accounts_per_platform - self.busy_accounts:
                gap = 2.5 + 1.5 * _uniform(h, 3)
            if base:
                gap = min(gap, 3 * 365 * 24 / base)
            cache[key] = _Account(
                platform=platform,
                index=index,
                hash=h,
                base_works=base,
                gap_hours=gap,
                followers=200 * 10 ** (5 * _uniform(h, 4) ** 1.3),
                follower_growth=-0.001 + 0.008 * _uniform(h, 5),
                reach=0.15 + 1.35 * _uniform(h, 6),
                engagement=0.5 + 1.2 * _uniform(h, 7),
                stats_lag_days=0.5 + 14 * _uniform(h, 8),
            )
        return cache[key]

    def accounts(self, platform: str) -> list[dict[str, Any]]:
        """`ChannelAccountVo` objects of one platform, as the key lists them now."""
        out = []
        for j in range(self.accounts_per_platform):
            account_id = self.account_id(platform, j)
            if account_id in self.removed_accounts:
                continue
            a = self._account(platform, j)
            account: dict[str, Any] = {
                "id": account_id,
                "userId": f"user{self.seed}",
                "type": platform,
                "uid": account_id.split("_", 1)[1],
                "account": f"acct{j}",
                "nickname": self.nicknames.get(
                    account_id, f"{platform} creator {j}" if j % 3 else f'创作者 {j} "{platform}"'
                ),
                "avatar": f"https://cdn.example/{account_id}.png",
                "status": 0 if account_id in self.offline_accounts else 1,
                "groupId": "default",
                "followingCount": a.hash % 500,
                "workCount": self.works_count(platform, j),
            }
            if j % 4 != 3:  # every fourth account has never had its stats fetched by AiToEarn
                stats_time = self.moment - timedelta(days=a.stats_lag_days)
                account["lastStatsTime"] = _iso(stats_time)
                account["fansCount"] = a.followers_at(stats_time)
                account["likeCount"] = self._account_likes(a, stats_time)
            out.append(account)
        out += [a for a in self.extra_accounts if a.get("type") == platform]
        return out

    def find_account(self, account_id: str) -> tuple[str, int] | None:
        """(platform, index) of a generated account the key lists, or None."""
        if account_id in self.removed_accounts:
            return None
        for platform in PLATFORMS:
            prefix = f"{platform}_u{self.seed}x{_platform_index(platform):02d}"
            if account_id.startswith(prefix) and account_id[len(prefix) :].isdigit():
                index = int(account_id[len(prefix) :])
                if index < self.accounts_per_platform:
                    return platform, index
        return None

    def works_count(self, platform: str, index: int) -> int:
        """How many works the account has at `as_of`."""
        return self._account(platform, index).count_at(self.moment)

    # -- works -----------------------------------------------------------------------------

    def work_id(self, platform: str, index: int, seq: int) -> str:
        """The id of work `seq` (0 = the account's oldest), the same on every day."""
        return f"{platform[:2].lower()}{index}w{seq:07d}"

    def listed_seq(self, platform: str, index: int, position: int) -> int:
        """The `seq` of the work at `position` of the account's listing now (0 = its newest)."""
        return self.works_count(platform, index) - 1 - position

    def find_work(self, platform: str, index: int, work_id: str) -> int | None:
        """`seq` of a generated work id of account `index` published by `as_of`, or None."""
        prefix = f"{platform[:2].lower()}{index}w"
        rest = work_id[len(prefix) :]
        if work_id.startswith(prefix) and rest.isdigit() and int(rest) < self.works_count(platform, index):
            return int(rest)
        return None

    def published_at(self, platform: str, index: int, seq: int) -> datetime:
        """When work `seq` was published (naive UTC)."""
        return self._account(platform, index).published_at(seq)

    def work(self, platform: str, index: int, position: int) -> Any:
        """The work at `position` of the listing (0 = newest), as served in `items[]`."""
        return self.work_item(platform, index, self.listed_seq(platform, index, position))

    def work_item(self, platform: str, index: int, seq: int) -> Any:
        """Work `seq` as served in `items[]`."""
        if self.bad_items and seq % 50 in BAD_ITEM_KINDS:
            return self.bad_item(platform, index, seq)
        a = self._account(platform, index)
        h = _mix(a.hash, seq)
        published = a.published_at(seq)
        faithful = self.metric_profile == "faithful"
        title, description = self._texts(platform, seq, h)
        work: dict[str, Any] = {
            "platformWorkId": self.work_id(platform, index, seq),
            "contentMode": self.content_mode(platform, h),
            "title": title,
            "url": f"https://{platform.lower()}.example/w/{index}/{seq}",
            "coverUrl": f"https://cdn.example/{platform}/{index}/{seq}.jpg",
            "publishedAt": _iso(published),
            "authorName": f"{platform} creator {index}",
            "authorPlatformUid": f"uid{index}",
            "status": "published",
        }
        if description is not None:
            work["description"] = description
        if faithful:  # reference section 5: what each provider leaves out
            if platform == "youtube":
                del work["url"]
            elif platform == "twitter":
                del work["title"]
            elif platform == "KWAI":
                work["title"] = work.get("description")
        keys = ALL_METRICS if not faithful else LIST_METRICS.get(platform)
        if keys is not None:
            work["metrics"] = self.metrics(platform, index, seq, keys)
            if work["platformWorkId"] in self.unreadable_works:
                work["metrics"]["likeCount"] = "1.2w"
        return work

    def content_mode(self, platform: str, h: int) -> str:
        modes = CONTENT_MODES[platform]
        return modes[_mix(h, 11) % len(modes)]

    def hashtags(self, platform: str, seq: int, h: int) -> list[str]:
        """The hashtags of work `seq` (0 to 3 of them), as they are written on the platform."""
        if seq % 17 == 3 or seq % 23 == 5 or seq % 29 == 11:
            return []
        picked = []
        for n in range(_mix(h, 12) % 4):
            tag = HASHTAGS[_mix(h, 13, n) % len(HASHTAGS)][0]
            if tag not in picked:
                picked.append(tag)
        return picked

    def _texts(self, platform: str, seq: int, h: int) -> tuple[str, str | None]:
        if seq % 17 == 3:
            title = ""
        elif seq % 23 == 5:
            title = UNICODE_TEXT
        elif seq % 29 == 11:
            title = HOSTILE_TEXT
        else:
            tags = [_xhs_tag(t) if platform == "xhs" else t for t in self.hashtags(platform, seq, h)]
            if seq % 7 == 2 and tags:  # the same tag written another way, in another case
                tags.append(tags[0].upper() if platform != "xhs" else tags[0])
            title = " ".join([f"Work {seq}", *tags])
            if platform == "xhs" and seq % 3 == 0:  # topics first, the text right after the closing #
                title = "".join([*tags, f"Work {seq}"])
        if seq % 5 == 4:
            return title, None
        if seq % 10 == 1:
            return title, ""
        tags = self.hashtags(platform, seq, h)
        extra = f" {tags[0]} #behind_the_scenes" if tags and seq % 3 == 0 else ""
        return title, f"About work {seq}.{extra} {UNICODE_TEXT if seq % 6 == 0 else ''}"

    def work_analytics(
        self, platform: str, index: int, seq: int, since: datetime | None, until: datetime | None
    ) -> dict[str, Any]:
        """`ChannelWorkAnalyticsVo` data (without platform/accountId) of work `seq`, per reference 3b and 5."""
        a = self._account(platform, index)
        h = _mix(a.hash, seq)
        keys = ANALYTICS_METRICS[platform] if self.metric_profile == "faithful" else ALL_METRICS
        work_id = self.work_id(platform, index, seq)
        published = a.published_at(seq)
        work = {"id": work_id, "title": self._texts(platform, seq, h)[0], "publishedAt": _iso(published)}
        now = _iso(self.moment)
        if self.no_data_hours and self.moment - published < timedelta(hours=self.no_data_hours):
            return {"work": work, "snapshots": []}  # insights not computed yet: code 0, nothing else
        if platform not in DAILY_SERIES_PLATFORMS:
            metrics = self.metrics(platform, index, seq, keys)
            snapshot = {"platformWorkId": work_id, "snapshotAt": now, "fetchedAt": now, "work": work,
                        "metrics": metrics}  # fmt: skip
            extra = {"coinCount": h % 300, "danmakuCount": h % 90} if platform == "bilibili" else {}
            return {"work": work, "metrics": metrics, "snapshots": [snapshot], "extra": extra}
        until = _naive_utc(until) if until else self.moment
        since = _naive_utc(since) if since else until - timedelta(days=PINTEREST_DEFAULT_DAYS)
        snapshots = []
        day = datetime.combine(since.date(), time.min)
        while day <= until and day <= self.moment:
            if day >= datetime.combine(published.date(), time.min):
                metrics = self.daily_metrics(platform, index, seq, keys, day)
                snapshots.append({"platformWorkId": work_id, "snapshotAt": _iso(day), "fetchedAt": now,
                                  "periodStartAt": _iso(day), "periodEndAt": _iso(day + timedelta(days=1)),
                                  "work": work, "metrics": metrics, "extra": {"dataStatus": "READY"}})  # fmt: skip
            day += timedelta(days=1)
        last = snapshots[-1]["metrics"] if snapshots else {}
        return {"work": work, "metrics": last, "snapshots": snapshots, "extra": {}}

    def metrics(
        self, platform: str, index: int, seq: int, keys: tuple[str, ...], at: datetime | None = None
    ) -> dict[str, int]:
        """Work `seq`'s counts for `keys` at `at` (default `as_of`); a key has the same value wherever it
        is served (list or analytics)."""
        totals = self._totals(platform, index, seq)
        a = self._account(platform, index)
        h = totals["_hash"]
        age = max(0.0, ((at or self.moment) - a.published_at(seq)) / timedelta(days=1))
        share = 1 - math.exp(-age / totals["_tau"])  # views come early, then slow down
        everything = self.metric_profile == "everything"
        out: dict[str, int] = {}
        for key in keys:
            hk = _mix(h, _METRIC_INDEX[key])
            if everything and hk % 13 == 0:
                continue  # not reported for this work
            if self.missing_metrics_share and _uniform(hk, 21) < self.missing_metrics_share:
                continue
            if key == "playCount" and platform == "pinterest" and self.content_mode(platform, h) != "video":
                continue  # plays only for video pins
            out[key] = 0 if everything and hk % 17 == 0 else int(totals[key] * share)
        return out

    def _totals(self, platform: str, index: int, seq: int) -> dict[str, Any]:
        """Work `seq`'s lifetime counts for every metric (what it tends to), and its pace."""
        a = self._account(platform, index)
        h = _mix(a.hash, seq)
        mode = self.content_mode(platform, h)
        local = a.published_at(seq) + _SHANGHAI
        slot = 1.6 if 19 <= local.hour <= 22 else 1.2 if 7 <= local.hour <= 9 else 0.55 if local.hour <= 5 else 1.0
        slot *= 1.25 if local.weekday() >= 5 else 1.0
        tags = 1.0
        for tag in self.hashtags(platform, seq, h):
            tags *= dict(HASHTAGS)[tag]
        noise = math.exp(0.9 * (_uniform(h, 14) + _uniform(h, 15) + _uniform(h, 16) - 1.5))
        takes_off = 6 + 20 * _uniform(h, 18) if _mix(h, 17) % 30 == 0 else 1.0
        exposure = max(20.0, max(a.followers, 200) * a.reach * slot * tags * noise * takes_off)
        rate = a.engagement * MODE_ENGAGEMENT[mode] * (0.8 + 0.4 * _uniform(h, 19)) * (1.1 if slot > 1.3 else 1.0)
        return {
            "_hash": h,
            "_tau": 1.5 + 3.5 * _uniform(h, 20),
            "viewCount": exposure,
            "impressionCount": exposure * 1.6,
            "reachCount": exposure * 0.6,
            "playCount": exposure * 0.3,
            "likeCount": exposure * 0.045 * rate,
            "commentCount": exposure * 0.004 * rate,
            "shareCount": exposure * 0.003 * rate,
            "saveCount": exposure * 0.006 * rate,
            "collectCount": exposure * 0.005 * rate,
            "clickCount": exposure * 0.01,
            "engagementCount": exposure * 0.06 * rate,
            "watchTimeSeconds": exposure * (15 + 60 * _uniform(h, 22)),
        }

    def daily_metrics(
        self, platform: str, index: int, seq: int, keys: tuple[str, ...], day: datetime
    ) -> dict[str, int]:
        """One day's values of a daily series: what the work gathered that day (up to `as_of`)."""
        end = min(day + timedelta(days=1), self.moment)
        before = self.metrics(platform, index, seq, keys, day)
        after = self.metrics(platform, index, seq, keys, end)
        return {key: after[key] - before[key] for key in after if key in before}

    def account_analytics(self, platform: str, index: int) -> dict[str, Any]:
        """`ChannelAccountAnalyticsVo` data of one account (reference 3c, 5): live counters at `as_of`."""
        a = self._account(platform, index)
        h = a.hash
        days = max(0.0, (self.moment - REFERENCE) / timedelta(days=1))
        values = {
            "fansCount": a.followers_at(self.moment),
            "followingCount": h % 500,
            "workCount": self.works_count(platform, index),
            "likeCount": self._account_likes(a, self.moment),
            "viewCount": int(a.followers * a.reach * (40 + days)),
            "commentCount": int(a.followers * 0.02) + int(days) * 3,
            "forwardCount": int(a.followers * 0.01) + int(days),
            "engagementCount": int(a.followers * 0.005) + int(days),
        }
        keys = ACCOUNT_ANALYTICS_METRICS[platform]
        moment = _iso(self.moment)
        if platform in DAILY_ACCOUNT_ANALYTICS:  # instagram: daily insights, no cumulative counters
            snapshots = [{"snapshotAt": moment, "fetchedAt": moment, "periodStartAt": moment, "period": "day",
                          "metrics": {k: _mix(h, _METRIC_INDEX.get(k, 99)) % 500 for k in keys}}]  # fmt: skip
            return {"metrics": snapshots[0]["metrics"], "snapshots": snapshots, "extra": {"period": "day"}}
        metrics = {k: values[k] for k in keys}
        return {"metrics": metrics, "snapshots": [{"snapshotAt": moment, "fetchedAt": moment, "metrics": metrics}],
                "fetchedAt": moment}  # fmt: skip

    def _account_likes(self, a: _Account, moment: datetime) -> int:
        return int(a.followers_at(moment) * 0.9 * a.engagement)

    # -- publish records -------------------------------------------------------------------

    def publish_records(self, platform: str, index: int) -> list[dict[str, Any]]:
        """`ChannelPublishRecordVo` objects of one account, newest `createdAt` first (reference publish-records 1, 5).

        The account's works since `records_per_account` before REFERENCE were published through AiToEarn,
        one record each; record of work `seq` by `seq % 12`: 3 publishing with a provisional id (douyin:
        waiting for the user, status 8, its share id); 5 failed; 7 waiting; 9 the work of record 8
        published again (updated later); 11 published but its link still pending (no platformWorkId
        yet); the others published.
        """
        a = self._account(platform, index)
        account_id = self.account_id(platform, index)
        first = max(0, a.base_works - self.records_per_account) if a.base_works else 0
        records = []
        for seq in range(first, self.works_count(platform, index)):
            kind = seq % 12
            created = a.published_at(seq)
            updated = created + timedelta(hours=1)
            work_seq = seq - 1 if kind == 9 else seq
            work_id = self.work_id(platform, index, work_seq)
            h = _mix(a.hash, seq)
            title, description = self._texts(platform, seq, h)
            record: dict[str, Any] = {
                "id": f"rec{_platform_index(platform):02d}{index:03d}{seq:05d}",
                "flowId": f"flow{seq}",
                "accountId": account_id,
                "accountType": platform,
                "type": "video" if self.content_mode(platform, h) == "video" else "article",
                "status": 1,
                "title": title or f"Post {seq} of {platform} account {index}",
                "desc": description or f"Published through AiToEarn ({seq})",
                "publishTime": _iso(created),
                "coverUrl": f"https://cdn.example/records/{platform}/{index}/{seq}.jpg",
                "createdAt": _iso(created),
                "updatedAt": _iso(updated + timedelta(days=30) if kind == 9 else updated),
                "platformWorkId": work_id,
                "workLink": f"https://{platform.lower()}.example/video/{work_id}",
                "linkStatus": "ready",
            }
            if kind == 3:
                record["status"] = 8 if platform == "douyin" else 2
                record["platformWorkId"] = f"share_{seq}" if platform == "douyin" else f"upload_{seq}"
                del record["workLink"]
            elif kind in (5, 7):
                record["status"] = -1 if kind == 5 else 0
                del record["platformWorkId"], record["workLink"]
                if kind == 5:
                    record["errorMsg"] = "the platform rejected the video"
            elif kind == 11:
                del record["platformWorkId"], record["workLink"]
                record["linkStatus"] = "pending"
            records.append(record)
        return sorted(records, key=lambda r: r["createdAt"], reverse=True)

    # -- odd items -------------------------------------------------------------------------

    def bad_item(self, platform: str, index: int, seq: int) -> Any:
        """Items with wrong types; readable ones are stored, the others set aside.

        By `seq` mod 50: 7 likeCount "12" (read as 12); 13 viewCount "1.2w" (set aside);
        19 commentCount -5 (set aside); 23 metrics null (all NULL); 29 an unknown field
        (ignored); 31 a 200 KB description (stored); 37 null instead of an item (set aside).
        """
        kind = BAD_ITEM_KINDS[seq % 50]
        if kind == "null_item":
            return None
        good = dict(self._good().work_item(platform, index, seq))
        metrics = dict(good.get("metrics") or {})
        if kind == "string_count":
            metrics["likeCount"] = "12"
        elif kind == "wan_count":
            metrics["viewCount"] = "1.2w"
        elif kind == "negative_count":
            metrics["commentCount"] = -5
        elif kind == "unknown_field":
            good["someNewField"] = {"nested": [1, 2, 3]}
        elif kind == "huge_description":
            good["description"] = "长" * 70_000  # about 205 KB of UTF-8
        good["metrics"] = None if kind == "null_metrics" else metrics
        return good

    def _good(self) -> SandboxDataset:
        cache = self.__dict__.setdefault("_good_twin", [])
        if not cache:
            from dataclasses import replace

            cache.append(replace(self, bad_items=False))
        return cache[0]


BAD_ITEM_KINDS: dict[int, str] = {
    7: "string_count",
    13: "wan_count",
    19: "negative_count",
    23: "null_metrics",
    29: "unknown_field",
    31: "huge_description",
    37: "null_item",
}
#: How many of each 50 bad-item positions are set aside rather than stored.
REJECTED_BAD_KINDS = frozenset({"wan_count", "negative_count", "null_item"})


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _xhs_tag(tag: str) -> str:
    """Xiaohongshu writes a topic as `#话题[话题]#`."""
    return f"{tag}[话题]#"
