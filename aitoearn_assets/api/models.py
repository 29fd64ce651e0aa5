"""Typed views of the API's answers. Only what the pipeline reads is modelled."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from aitoearn_assets.api.decoding import decode_json

ACCOUNT_STATUS_NORMAL = 1

#: ChannelAccountVo counters, API name -> warehouse column.
ACCOUNT_COUNTERS: dict[str, str] = {
    "fansCount": "fans_count",
    "followingCount": "following_count",
    "readCount": "read_count",
    "likeCount": "like_count",
    "collectCount": "collect_count",
    "forwardCount": "forward_count",
    "commentCount": "comment_count",
    "workCount": "work_count",
}


@dataclass(frozen=True)
class Account:
    """One connected social account (`ChannelAccountVo`); `raw` keeps every served field."""

    id: str
    platform: str
    status: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Account:
        status = item.get("status")
        return cls(
            id=str(item["id"]),
            platform=str(item.get("type", "")),
            status=status if isinstance(status, int) else None,
            raw=item,
        )

    @property
    def is_active(self) -> bool:
        """False for accounts the API lists as offline (`status` 0): they need re-authorisation."""
        return self.status is None or self.status == ACCOUNT_STATUS_NORMAL


@dataclass(frozen=True)
class AccountListing:
    """`GET /accounts`: the accounts listed, and how many the server counts (`total`)."""

    accounts: list[Account]
    total: int | None


@dataclass(frozen=True)
class Pagination:
    """The `pagination` object of a list answer, whichever of the three shapes was served."""

    mode: str
    has_next: bool
    next_cursor: str | None = None
    page: int | None = None

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> Pagination:
        mode = str(raw.get("mode", "cursor"))
        cursor = raw.get("nextCursor")
        page = raw.get("page")
        return cls(
            mode=mode,
            has_next=bool(raw.get("hasNext", False)) if mode != "none" else False,
            next_cursor=str(cursor) if cursor not in (None, "") else None,
            page=page if isinstance(page, int) else None,
        )


@dataclass(frozen=True)
class WorksPage:
    """One page of `GET /works/{platform}`: its items, as served (validated later), and paging.

    When the page was decoded straight into typed records (see decoding.py), `records` holds the
    items and `items` decodes them as plain values from `body` only if asked for.
    """

    pagination: Pagination
    request_id: str | None
    served_items: list[Any] | None = field(default=None, repr=False)
    records: list[Any] | None = field(default=None, repr=False)
    body: bytes | None = field(default=None, repr=False)

    @property
    def size(self) -> int:
        """How many items the page holds."""
        return len(self.records) if self.records is not None else len(self.items)

    @cached_property
    def items(self) -> list[Any]:
        """The items as Python values."""
        if self.served_items is not None:
            return self.served_items
        assert self.body is not None
        return decode_json(self.body)["data"]["items"]
