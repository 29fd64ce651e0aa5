"""The sandbox's deterministic data: accounts and works generated from a seed, never stored.

Work `i` of an account is computed on demand, so an account may hold millions of works at no
memory cost. The same seed and settings always give the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aitoearn_assets.api.platforms import PLATFORMS

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
#: Platforms whose work analytics answer one snapshot per day over `since`..`until` (default: 30 days).
DAILY_ANALYTICS = frozenset({"pinterest"})
PINTEREST_DEFAULT_DAYS = 30
ALL_METRICS: tuple[str, ...] = (
    "viewCount",
    "playCount",
    "impressionCount",
    "reachCount",
    "likeCount",
    "collectCount",
    "commentCount",
    "shareCount",
    "saveCount",
    "clickCount",
    "engagementCount",
    "watchTimeSeconds",
)
#: "faithful": what a real key gets (the default); "everything": every contract metric on every
#: platform, some missing and some zero (tests and benchmarks that ask for it by name).
METRIC_PROFILES = ("faithful", "everything")
_METRIC_INDEX = {key: n for n, key in enumerate(ALL_METRICS)}
HOSTILE_TEXT = "'); DROP TABLE raw_works;--"
UNICODE_TEXT = "春节 vlog 🎉 \"double\" 'single' \\ back\tslash"
LATEST_PUBLISHED = datetime(2026, 11, 1, tzinfo=UTC)
FETCHED_AT = datetime(2026, 11, 2, tzinfo=UTC)
_MASK = (1 << 64) - 1


def _mix(*parts: int) -> int:
    """A fast deterministic 64-bit hash of small integers (splitmix64 steps)."""
    x = 0x9E3779B97F4A7C15
    for part in parts:
        x = (x ^ (part & _MASK)) * 0xBF58476D1CE4E5B9 & _MASK
        x ^= x >> 31
    return x


def _platform_index(platform: str) -> int:
    return PLATFORMS.index(platform)


@dataclass(frozen=True)
class SandboxDataset:
    """What the sandbox serves.

    - `accounts_per_platform`, `works_per_account`: sizes (`works_overrides` sets single accounts).
    - `metric_profile`: "faithful" (what each platform fills in reality: list metrics, work
      analytics, fields; the default) or "everything" (every contract metric on every platform).
    - `deleted_works`: work ids whose analytics answer 15070 (not_found).
    - `records_per_account`: publish records of each account (every status; see `publish_records`).
    - `as_of`: the date the answers describe. Set, counts grow day by day (a seeded function of the
      date, so several days of history can be built with a pinned clock); unset, they stand still.
    - `insights_missing_accounts`: Instagram accounts without the insights scope (analytics: 15078).
    - `offline_accounts`: listed with `status` 0. `revoked_accounts`: listed as normal, but
      their works answer 15048 (access revoked).
    - `bad_items`: every 50 works, items with wrong types (see `bad_item`).
    - `repeat_work_on_next_page`: each page starts with the previous page's last work.
    - `empty_last_page`: the last page claims more, then an empty page claims more forever.
    - `repeat_cursor`: every page hands out the same cursor with `hasNext` true (a server bug).
    - `extra_accounts`: additional raw account objects appended to the listing.
    """

    seed: int = 42
    accounts_per_platform: int = 2
    works_per_account: int = 30
    metric_profile: str = "faithful"
    works_overrides: dict[str, int] = field(default_factory=dict)
    offline_accounts: frozenset[str] = frozenset()
    revoked_accounts: frozenset[str] = frozenset()
    bad_items: bool = False
    repeat_work_on_next_page: bool = False
    empty_last_page: bool = False
    repeat_cursor: bool = False
    extra_accounts: tuple[dict[str, Any], ...] = ()
    deleted_works: frozenset[str] = frozenset()
    insights_missing_accounts: frozenset[str] = frozenset()
    records_per_account: int = 12
    as_of: date | None = None

    def __post_init__(self) -> None:
        if self.metric_profile not in METRIC_PROFILES:
            raise ValueError(f"metric_profile must be one of {METRIC_PROFILES}, not {self.metric_profile!r}")

    # -- accounts --------------------------------------------------------------------------

    def account_id(self, platform: str, index: int) -> str:
        return f"{platform}_u{self.seed}x{_platform_index(platform):02d}{index:04d}"

    def accounts(self, platform: str) -> list[dict[str, Any]]:
        """`ChannelAccountVo` objects of one platform."""
        out = []
        p = _platform_index(platform)
        for j in range(self.accounts_per_platform):
            account_id = self.account_id(platform, j)
            h = _mix(self.seed, p, j, 1)
            account: dict[str, Any] = {
                "id": account_id,
                "userId": f"user{self.seed}",
                "type": platform,
                "uid": account_id.split("_", 1)[1],
                "account": f"acct{j}",
                "nickname": f"{platform} creator {j}" if j % 3 else f'创作者 {j} "{platform}"',
                "avatar": f"https://cdn.example/{account_id}.png",
                "status": 0 if account_id in self.offline_accounts else 1,
                "groupId": "default",
                "followingCount": h % 500,
                "workCount": self.works_count(platform, j),
                "lastStatsTime": "2026-11-01T00:00:00.000Z",
            }
            if j % 4 != 3:  # every fourth account has never had its stats fetched
                account["fansCount"] = 0 if j % 4 == 2 else 100 + h % 100_000
                account["likeCount"] = h % 1_000_000
            out.append(account)
        out += [a for a in self.extra_accounts if a.get("type") == platform]
        return out

    def find_account(self, account_id: str) -> tuple[str, int] | None:
        """(platform, index) of a generated account id, or None."""
        for platform in PLATFORMS:
            prefix = f"{platform}_u{self.seed}x{_platform_index(platform):02d}"
            if account_id.startswith(prefix) and account_id[len(prefix) :].isdigit():
                index = int(account_id[len(prefix) :])
                if index < self.accounts_per_platform:
                    return platform, index
        return None

    def works_count(self, platform: str, index: int) -> int:
        return self.works_overrides.get(self.account_id(platform, index), self.works_per_account)

    # -- works -----------------------------------------------------------------------------

    def work(self, platform: str, index: int, i: int) -> Any:
        """Work `i` (0 = newest) of account `index`, as served in `items[]`."""
        p = _platform_index(platform)
        h = _mix(self.seed, p, index, i)
        if self.bad_items and i % 50 in BAD_ITEM_KINDS:
            return self.bad_item(platform, index, i)
        published = self.published_at(index, i)
        faithful = self.metric_profile == "faithful"
        work: dict[str, Any] = {
            "platformWorkId": self.work_id(platform, index, i),
            "contentMode": "video" if platform == "youtube" else ("video", "article", "article2")[h % 3],
            "title": _title(i, h),
            "url": f"https://{platform.lower()}.example/w/{index}/{i}",
            "coverUrl": f"https://cdn.example/{platform}/{index}/{i}.jpg",
            "publishedAt": published.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "authorName": f"{platform} creator {index}",
            "authorPlatformUid": f"uid{index}",
            "status": "published",
        }
        if i % 5 != 4:
            work["description"] = "" if i % 10 == 1 else f"About work {i}. {UNICODE_TEXT if i % 6 == 0 else ''}"
        if faithful:  # reference section 5: what each provider leaves out
            if platform == "youtube":
                del work["url"]
            elif platform == "twitter":
                del work["title"]
            elif platform == "KWAI":
                work["title"] = work.get("description")
        keys = ALL_METRICS if not faithful else LIST_METRICS.get(platform)
        if keys is not None:
            work["metrics"] = self._metrics(h, keys, self._age_days(published))
        return work

    def publish_records(self, platform: str, index: int) -> list[dict[str, Any]]:
        """`ChannelPublishRecordVo` objects of one account, newest `createdAt` first (reference publish-records 1, 5).

        Record k (of 12 in each cycle): 1 published; 3 publishing with a provisional id (douyin: waiting for
        the user, status 8, its share id); 5 failed; 7 waiting; 9 the work of record 8 published again
        (updated later); 11 published but its link still pending (no platformWorkId yet).
        """
        account_id = self.account_id(platform, index)
        records = []
        for k in range(self.records_per_account):
            kind = k % 12
            created = LATEST_PUBLISHED - timedelta(days=2 * k, minutes=11 * index)
            updated = created + timedelta(hours=1)
            work_k = k - 1 if kind == 9 else k
            record: dict[str, Any] = {
                "id": f"rec{_platform_index(platform):02d}{index:03d}{k:05d}",
                "flowId": f"flow{k}",
                "accountId": account_id,
                "accountType": platform,
                "type": "video" if k % 3 else "article",
                "status": 1,
                "title": f"Post {k} of {platform} account {index}",
                "desc": f"Published through AiToEarn ({k})",
                "publishTime": _iso(created),
                "coverUrl": f"https://cdn.example/records/{platform}/{index}/{k}.jpg",
                "createdAt": _iso(created),
                "updatedAt": _iso(updated + timedelta(days=30) if kind == 9 else updated),
                "platformWorkId": self.work_id(platform, index, work_k),
                "workLink": f"https://{platform.lower()}.example/video/{self.work_id(platform, index, work_k)}",
                "linkStatus": "ready",
            }
            if kind == 3:
                record["status"] = 8 if platform == "douyin" else 2
                record["platformWorkId"] = f"share_{k}" if platform == "douyin" else f"upload_{k}"
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
        return records

    def work_id(self, platform: str, index: int, i: int) -> str:
        return f"{platform[:2].lower()}{index}w{i:07d}"

    def find_work(self, platform: str, index: int, work_id: str) -> int | None:
        """`i` of a generated work id of account `index`, or None."""
        prefix = f"{platform[:2].lower()}{index}w"
        rest = work_id[len(prefix) :]
        if work_id.startswith(prefix) and rest.isdigit() and int(rest) < self.works_count(platform, index):
            return int(rest)
        return None

    def published_at(self, index: int, i: int) -> datetime:
        return LATEST_PUBLISHED - timedelta(hours=3 * i, minutes=7 * index)

    def work_analytics(
        self, platform: str, index: int, i: int, since: datetime | None, until: datetime | None
    ) -> dict[str, Any]:
        """`ChannelWorkAnalyticsVo` data (without platform/accountId) of work `i`, per reference 3b and 5."""
        h = _mix(self.seed, _platform_index(platform), index, i)
        keys = ANALYTICS_METRICS[platform] if self.metric_profile == "faithful" else ALL_METRICS
        work_id = self.work_id(platform, index, i)
        published = self.published_at(index, i)
        work = {"id": work_id, "title": _title(i, h), "publishedAt": _iso(published)}
        if platform not in DAILY_ANALYTICS:
            metrics = self._metrics(h, keys, self._age_days(published))
            snapshot = {"platformWorkId": work_id, "snapshotAt": _iso(published), "fetchedAt": _iso(FETCHED_AT),
                        "work": work, "metrics": metrics}  # fmt: skip
            extra = {"coinCount": h % 300, "danmakuCount": h % 90} if platform == "bilibili" else {}
            return {"work": work, "metrics": metrics, "snapshots": [snapshot], "extra": extra}
        until = until or FETCHED_AT
        since = since or until - timedelta(days=PINTEREST_DEFAULT_DAYS)
        snapshots = []
        day = datetime(since.year, since.month, since.day, tzinfo=UTC)
        while day <= until:
            if day >= datetime(published.year, published.month, published.day, tzinfo=UTC):
                metrics = self.daily_metrics(h, keys, day)
                snapshots.append({"platformWorkId": work_id, "snapshotAt": _iso(day), "fetchedAt": _iso(FETCHED_AT),
                                  "periodStartAt": _iso(day), "periodEndAt": _iso(day + timedelta(days=1)),
                                  "work": work, "metrics": metrics, "extra": {"dataStatus": "READY"}})  # fmt: skip
            day += timedelta(days=1)
        last = snapshots[-1]["metrics"] if snapshots else {}
        return {"work": work, "metrics": last, "snapshots": snapshots, "extra": {}}

    def account_analytics(self, platform: str, index: int) -> dict[str, Any]:
        """`ChannelAccountAnalyticsVo` data of one account (reference 3c, 5): live counters, growing with `as_of`."""
        h = _mix(self.seed, _platform_index(platform), index, 2)
        days = (self.as_of - LATEST_PUBLISHED.date()).days if self.as_of else 0
        fans = 100 + h % 100_000 + max(0, days) * (h % 60)
        values = {
            "fansCount": fans,
            "followingCount": h % 500,
            "workCount": self.works_count(platform, index),
            "likeCount": h % 1_000_000 + max(0, days) * 40,
            "viewCount": h % 5_000_000 + max(0, days) * 900,
            "commentCount": h % 20_000,
            "forwardCount": h % 9_000,
            "engagementCount": h % 3_000,
        }
        keys = ACCOUNT_ANALYTICS_METRICS[platform]
        moment = _iso(datetime.combine(self.as_of, datetime.min.time(), UTC) if self.as_of else FETCHED_AT)
        if platform in DAILY_ACCOUNT_ANALYTICS:  # instagram: daily insights, no cumulative counters
            snapshots = [{"snapshotAt": moment, "fetchedAt": moment, "periodStartAt": moment, "period": "day",
                          "metrics": {k: _mix(h, _METRIC_INDEX.get(k, 99)) % 500 for k in keys}}]  # fmt: skip
            return {"metrics": snapshots[0]["metrics"], "snapshots": snapshots, "extra": {"period": "day"}}
        metrics = {k: values[k] for k in keys}
        return {"metrics": metrics, "snapshots": [{"snapshotAt": moment, "fetchedAt": moment, "metrics": metrics}],
                "fetchedAt": moment}  # fmt: skip

    def daily_metrics(self, h: int, keys: tuple[str, ...], day: datetime) -> dict[str, int]:
        """One day's values of a daily series: a seeded function of the work and the date."""
        d = day.toordinal()
        return {key: _mix(h, _METRIC_INDEX[key], d) % (40 if key != "impressionCount" else 900) for key in keys}

    def _age_days(self, published: datetime) -> int:
        return max(0, (self.as_of - published.date()).days) if self.as_of else 0

    def _metrics(self, h: int, keys: tuple[str, ...], age_days: int = 0) -> dict[str, int]:
        """A work's counts for `keys`; one key has the same value wherever it is served (list or analytics).

        With `as_of` set, each count grows by a per-work daily amount for every day since publication.
        """
        base_views = 50 + h % 200_000
        views = base_views + age_days * (h % 400)
        out: dict[str, int] = {}
        for key in keys:
            hk = _mix(h, _METRIC_INDEX[key])
            if self.metric_profile == "everything" and hk % 13 == 0:
                continue  # not reported for this work
            if hk % 17 == 0:
                out[key] = 0
            elif key in ("viewCount", "playCount", "impressionCount", "reachCount"):
                out[key] = views + hk % 1000
            elif key == "watchTimeSeconds":
                out[key] = views * 12 + hk % 100
            else:
                out[key] = hk % max(1, base_views // 20) + age_days * (hk % 7)
        return out

    def bad_item(self, platform: str, index: int, i: int) -> Any:
        """Items with wrong types; readable ones are stored, the others set aside.

        Positions (i mod 50): 7 likeCount "12" (read as 12); 13 viewCount "1.2w" (set aside);
        19 commentCount -5 (set aside); 23 metrics null (all NULL); 29 an unknown field
        (ignored); 31 a 200 KB description (stored); 37 null instead of an item (set aside).
        """
        kind = BAD_ITEM_KINDS[i % 50]
        if kind == "null_item":
            return None
        good = dict(self._good_work(platform, index, i))
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

    def _good_work(self, platform: str, index: int, i: int) -> dict[str, Any]:
        return SandboxDataset(
            seed=self.seed,
            accounts_per_platform=self.accounts_per_platform,
            works_per_account=self.works_per_account,
            metric_profile=self.metric_profile,
        ).work(platform, index, i)


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


def _title(i: int, h: int) -> str:
    if i % 17 == 3:
        return ""
    if i % 23 == 5:
        return UNICODE_TEXT
    if i % 29 == 11:
        return HOSTILE_TEXT
    return f"Work {i} #{h % 1000}"
