"""Each account's live counters from `GET /accounts/{id}/analytics`, for `account_snapshots`.

Only cumulative counters are kept, each from one source: the live ones of account analytics, or,
when the API has none for an account ("Analytics not supported" with code 0, 15032, a refusal such
as 15078, or a daily series like Instagram's insights), the counters `/accounts` cached, observed
when AiToEarn last fetched them (`lastStatsTime`), with the reason: never a failure.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from aitoearn_assets.api.client import AiToEarnClient
from aitoearn_assets.api.errors import AiToEarnError, AuthError, FetchCancelled
from aitoearn_assets.api.models import Account
from aitoearn_assets.fetch.platform_works import describe_error
from aitoearn_assets.fetch.work_rows import UnreadableItem, read_count, read_timestamp

#: API counter -> account_snapshots column; only cumulative counters (a per-day series is never mixed in).
ACCOUNT_SNAPSHOT_COUNTERS: dict[str, str] = {
    "fansCount": "followers",
    "followingCount": "following",
    "workCount": "works",
    "readCount": "read_count",
    "viewCount": "view_count",
    "likeCount": "like_count",
    "collectCount": "collect_count",
    "forwardCount": "forward_count",
    "commentCount": "comment_count",
    "engagementCount": "engagement_count",
}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountCounters:
    """One account's counters for today's snapshot, and where they came from."""

    account_id: str
    platform: str
    counters: dict[str, int | None]
    source: str  # analytics | accounts
    reason: str | None = None
    cached_on: date | None = None  # source accounts: the date AiToEarn fetched the cached counters


def fetch_account_counters(
    client: AiToEarnClient, accounts: list[Account], *, max_concurrency: int = 4, log: logging.Logger | None = None
) -> list[AccountCounters]:
    """Live counters of every account (cached ones where the API has none); raises AuthError on a refused key."""
    log = log or logger
    capabilities = client.capabilities()

    def one(account: Account) -> AccountCounters:
        if account.platform in capabilities and not capabilities[account.platform].account_analytics:
            return cached_counters(account, "account analytics not supported")
        try:
            data = client.account_analytics(account.id)
        except (AuthError, FetchCancelled):
            raise
        except AiToEarnError as err:
            log.info("account %s: cached counters (%s)", account.id, describe_error(err))
            return cached_counters(account, describe_error(err))
        return read_account_analytics(account, data)

    with ThreadPoolExecutor(max_workers=max(1, max_concurrency), thread_name_prefix="aitoearn-accounts") as pool:
        return list(pool.map(one, accounts))


def cached_counters(account: Account, reason: str) -> AccountCounters:
    """The counters `/accounts` cached for the account, with when they were fetched."""
    try:
        fetched = read_timestamp(account.raw.get("lastStatsTime"), "lastStatsTime")
    except UnreadableItem:
        fetched = None
    cached_on = fetched.date() if fetched else None
    return AccountCounters(account.id, account.platform, _counters(account.raw), "accounts", reason, cached_on)


def read_account_analytics(account: Account, data: dict[str, Any]) -> AccountCounters:
    message = data.get("message")
    metrics = data.get("metrics") if isinstance(data.get("metrics"), dict) else None
    daily = isinstance(data.get("extra"), dict) and data["extra"].get("period") == "day"
    if message or not metrics:
        return cached_counters(account, str(message or "no data"))
    if daily:  # a per-day series (instagram insights) is not a cumulative counter
        return cached_counters(account, "only a daily series (not cumulative)")
    return AccountCounters(account.id, account.platform, _counters(metrics), "analytics")


def _counters(raw: dict[str, Any]) -> dict[str, int | None]:
    out = {}
    for key, column in ACCOUNT_SNAPSHOT_COUNTERS.items():
        try:
            out[column] = read_count(raw.get(key), key)
        except UnreadableItem:
            out[column] = None
    return out
