"""Each account's live counters from `GET /accounts/{id}/analytics`, for `account_snapshots`.

Only cumulative counters are kept. When the API has none for an account ("Analytics not
supported" with code 0, 15032, a refusal such as 15078, or a daily series like Instagram's
insights), the cached counters of `/accounts` stand in, with the reason: never a failure.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from aitoearn_assets.api.client import AiToEarnClient
from aitoearn_assets.api.errors import AiToEarnError, AuthError, FetchCancelled
from aitoearn_assets.api.models import Account
from aitoearn_assets.fetch.platform_works import describe_error
from aitoearn_assets.fetch.work_rows import UnreadableItem, read_count

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


def fetch_account_counters(
    client: AiToEarnClient, accounts: list[Account], *, max_concurrency: int = 4, log: logging.Logger | None = None
) -> list[AccountCounters]:
    """Live counters of every account (cached ones where the API has none); raises AuthError on a refused key."""
    log = log or logger
    capabilities = client.capabilities()

    def one(account: Account) -> AccountCounters:
        cached = _counters(account.raw)
        if account.platform in capabilities and not capabilities[account.platform].account_analytics:
            return AccountCounters(account.id, account.platform, cached, "accounts", "account analytics not supported")
        try:
            data = client.account_analytics(account.id)
        except (AuthError, FetchCancelled):
            raise
        except AiToEarnError as err:
            log.info("account %s: cached counters (%s)", account.id, describe_error(err))
            return AccountCounters(account.id, account.platform, cached, "accounts", describe_error(err))
        return read_account_analytics(account, data, cached)

    with ThreadPoolExecutor(max_workers=max(1, max_concurrency), thread_name_prefix="aitoearn-accounts") as pool:
        return list(pool.map(one, accounts))


def read_account_analytics(account: Account, data: dict[str, Any], cached: dict[str, int | None]) -> AccountCounters:
    message = data.get("message")
    metrics = data.get("metrics") if isinstance(data.get("metrics"), dict) else None
    daily = isinstance(data.get("extra"), dict) and data["extra"].get("period") == "day"
    if message or not metrics:
        return AccountCounters(account.id, account.platform, cached, "accounts", str(message or "no data"))
    if daily:  # a per-day series (instagram insights) is not a cumulative counter
        return AccountCounters(account.id, account.platform, cached, "accounts", "only a daily series (not cumulative)")
    live = _counters(metrics)  # an unreadable counter is NULL, then the cached one stands in
    merged = {column: live[column] if live[column] is not None else cached[column] for column in live}
    return AccountCounters(account.id, account.platform, merged, "analytics")


def _counters(raw: dict[str, Any]) -> dict[str, int | None]:
    out = {}
    for key, column in ACCOUNT_SNAPSHOT_COUNTERS.items():
        try:
            out[column] = read_count(raw.get(key), key)
        except UnreadableItem:
            out[column] = None
    return out
