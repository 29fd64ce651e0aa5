"""The sandbox API: one request in, one response out; no sockets here.

Faithful to the contract and the reference: the `code` envelope on HTTP 200, `X-Api-Key`
auth (code 401), bracket paging with each platform's default and maximum page size, 15080
for platforms that cannot list works, 15032 for hidden ones, 15089 for an oversized page,
12600 for an unknown account and 15040 for a platform mismatch. Optionally it limits the request
rate the way the API's guard does (a token bucket; over it, code 429 with the reset time). `transport.py`
serves it in-process and `server.py` on a loopback port, from this same code.
"""

from __future__ import annotations

import base64
import json
import math
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from aitoearn_assets.api.platforms import FALLBACK_WORKS_PAGING, PLATFORMS
from aitoearn_assets.sandbox.dataset import ANALYTICS_METRICS, SandboxDataset, _iso
from aitoearn_assets.sandbox.faults import Fault, FaultPlan
from aitoearn_assets.sandbox.query import parse_query

SANDBOX_API_KEY = "sk-sandbox-demo-key"
API_PREFIX = "/api/v2/channels"
HIDDEN_PLATFORMS = frozenset({"wxSph", "wxGzh"})
#: Platforms whose metadata declares a crawler data source: `/platforms` says analytics.work, the endpoint
#: still answers "not supported" (reference 3e).
CRAWLER_ANALYTICS = frozenset({"douyin", "xhs"})
ACCOUNT_ANALYTICS_PLATFORMS = frozenset(
    {"bilibili", "KWAI", "tiktok", "youtube", "twitter", "facebook", "instagram", "threads", "pinterest"}
)
#: The backend lists at most this many accounts when `types`, `status` or `groupId` is given (reference 2).
FILTERED_ACCOUNTS_CAP = 1000
HTML_ERROR = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>Bad Gateway</h1></center></body></html>"
)


@dataclass
class SandboxRequest:
    method: str
    target: str  # path and query string as sent
    headers: dict[str, str]  # lower-case names

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> str:
        return urlsplit(self.target).query


@dataclass
class SandboxResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    drop_connection: bool = False


class _Reject(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        self.code, self.message, self.data = code, message, data


@dataclass
class SandboxApi:
    """The stand-in API. `dataset` is what it serves, `faults` what goes wrong, `latency_seconds`
    how long every answer takes, `rate_limit_per_second` the guard's rate (None: no limit; a burst
    of one second's worth is allowed), `filtered_accounts_cap` how many accounts a filtered listing
    holds at most. `seen` keeps the last requests (path and query) for tests."""

    dataset: SandboxDataset = field(default_factory=SandboxDataset)
    api_key: str = SANDBOX_API_KEY
    latency_seconds: float = 0.0
    faults: FaultPlan = field(default_factory=FaultPlan)
    cache_answers: bool = False  # benchmarks: encode each successful answer once, serve the bytes after
    claim_every_platform_lists: bool = False  # /platforms says listWorks for all, as a hosted server might
    rate_limit_per_second: float | None = None
    filtered_accounts_cap: int = FILTERED_ACCOUNTS_CAP
    seen: deque[str] = field(default_factory=lambda: deque(maxlen=20_000))
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    rate_limited: int = 0  # requests answered 429 by the guard
    #: When a list: every request as (wall-clock time answered, target, refused by the guard), for benchmarks
    #: (the loopback server hands it out at /__sandbox/journal).
    journal: list[tuple[float, str, bool]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _bucket: tuple[float, float] | None = field(default=None, repr=False)  # (tokens, at monotonic time)
    _cache: dict[tuple[str, str | None], bytes] = field(default_factory=dict, repr=False)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        with self._lock:
            self.requests += 1
            self.seen.append(request.target)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency_seconds:
                time.sleep(self.latency_seconds)
            limited = self._over_rate()
            if self.journal is not None:
                self.journal.append((time.time(), request.target, limited is not None))
            if limited is not None:
                return limited
            return self._answer(request, request_id)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _over_rate(self) -> SandboxResponse | None:
        """The guard's answer when the token bucket is empty (code 429, reset time), else None."""
        rate = self.rate_limit_per_second
        if not rate:
            return None
        capacity = max(1.0, rate)
        with self._lock:
            now = time.monotonic()
            tokens, at = self._bucket or (capacity, now)
            tokens = min(capacity, tokens + (now - at) * rate)
            if tokens >= 1:
                self._bucket = (tokens - 1, now)
                return None
            self._bucket = (tokens, now)
            self.rate_limited += 1
            wait_ms = max(1, math.ceil((1 - tokens) / rate * 1000))  # rounded up: a retry at the reset finds a token
        response = self._json(
            {"data": {"ttl": wait_ms}, "code": 429, "message": "Too many requests", "timestamp": _now_ms()},
            uuid.uuid4().hex,
        )
        response.headers |= _guard_headers(wait_ms, int(capacity))
        return response

    def _answer(self, request: SandboxRequest, request_id: str) -> SandboxResponse:
        query = parse_query(request.query)
        account_id = query.get("accountId") if isinstance(query.get("accountId"), str) else None
        fault = self.faults.pick(request.path, account_id, unquote(request.query))
        if fault is not None and fault.kind not in SHAPING_FAULTS:
            return self._faulty(fault, request_id, account_id)
        cache_key = (request.target, request.headers.get("x-api-key"))
        if self.cache_answers and fault is None and cache_key in self._cache:
            return self._envelope(self._cache[cache_key], request_id)
        try:
            data = self._route(request, query)
        except _Reject as reject:
            body = {
                "data": reject.data if reject.data is not None else {},
                "code": reject.code,
                "message": reject.message,
                "timestamp": int(time.time() * 1000),
                "requestId": request_id,
            }
        else:
            if fault is not None and isinstance(data, dict):
                self._reshape(fault, data, query)
            encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
            if self.cache_answers and fault is None:
                self._cache[cache_key] = encoded
            return self._envelope(encoded, request_id)
        return self._json(body, request_id)

    # -- routing ---------------------------------------------------------------------------

    def _route(self, request: SandboxRequest, query: dict[str, Any]) -> Any:
        path = request.path
        if request.method != "GET" or not path.startswith(API_PREFIX):
            raise _Reject(404, f"Cannot {request.method} {path}")
        route = path[len(API_PREFIX) :].strip("/").split("/")
        if route == ["platforms"]:
            return self.platforms()
        if request.headers.get("x-api-key") != self.api_key:
            raise _Reject(401, "Unauthorized")
        if route == ["accounts"]:
            return self.accounts(query)
        if len(route) == 3 and route[0] == "accounts" and route[2] == "analytics":
            return self.account_analytics(route[1])
        if len(route) == 2 and route[0] == "works":
            return self.works(route[1], query)
        if len(route) == 4 and route[0] == "works" and route[3] == "analytics":
            return self.work_analytics(route[1], route[2], query)
        if route[:2] == ["publish", "records"] and len(route) <= 3:
            return self.publish_records(route[2] if len(route) == 3 else None, query)
        raise _Reject(404, f"Cannot GET {path}")

    def platforms(self) -> list[dict[str, Any]]:
        """The registered platforms (hidden ones are not registered) and their capabilities, as the backend
        computes them: `analytics.work` is true where a provider or a crawler data source exists."""
        out = []
        for platform in PLATFORMS:
            if platform in HIDDEN_PLATFORMS:
                continue
            paging = FALLBACK_WORKS_PAGING[platform]
            if self.claim_every_platform_lists and not paging.can_list:
                paging = FALLBACK_WORKS_PAGING["youtube"]
            work: dict[str, Any] = {"listWorks": paging.can_list, "getLinkInfo": True, "getDetail": paging.can_list}
            if paging.can_list:
                work["listWorksPagination"] = {
                    "mode": "cursor",
                    "defaultLimit": paging.default_limit,
                    "maxLimit": paging.max_limit,
                    "supportsPrevious": paging.supports_previous,
                }
            out.append(
                {
                    "platform": platform,
                    "status": "available",
                    "capabilities": {
                        "work": work,
                        "analytics": {
                            "account": platform in ACCOUNT_ANALYTICS_PLATFORMS,
                            "work": platform in ANALYTICS_METRICS or platform in CRAWLER_ANALYTICS,
                        },
                    },
                }
            )
        return out

    def accounts(self, query: dict[str, Any]) -> dict[str, Any]:
        """Every account of the key; a filtered listing (types, status, groupId) holds at most
        `filtered_accounts_cap` of them, while `total` counts them all (reference 2)."""
        types = query.get("types", list(PLATFORMS))
        if not isinstance(types, list) or any(t not in PLATFORMS for t in types):
            raise _Reject(400, "Bad request")
        listed = [a for platform in types for a in self.dataset.accounts(platform)]
        if "status" in query:
            listed = [a for a in listed if str(a.get("status")) == query["status"]]
        if {"types", "status", "groupId"} & set(query):
            return {"total": len(listed), "list": listed[: self.filtered_accounts_cap]}
        return {"total": len(listed), "list": listed}

    def works(self, platform: str, query: dict[str, Any]) -> dict[str, Any]:
        if platform not in PLATFORMS:
            raise _Reject(400, "Bad request")
        account_id = query.get("accountId")
        if not isinstance(account_id, str) or not account_id:
            raise _Reject(400, "Bad request")
        index = self._account_index(platform, account_id)
        if platform in HIDDEN_PLATFORMS:
            raise _Reject(15032, "Platform not supported")
        paging = FALLBACK_WORKS_PAGING[platform]
        if not paging.can_list:
            raise _Reject(
                15080,
                f"{platform} does not support this operation",
                {"platform": platform, "capability": "work.listWorks"},
            )
        if account_id in self.dataset.revoked_accounts:
            raise _Reject(15048, "Account access was revoked; please re-authorize")
        limit, offset = self._read_pagination(platform, account_id, paging, query.get("pagination", {}))
        return self._works_page(platform, index, account_id, limit, offset)

    def _account_index(self, platform: str, account_id: str) -> int:
        """The index of an account of `platform`: 12600 if the key has no such account, 15040 if it is of another."""
        found = self.dataset.find_account(account_id)
        if found is None:
            raise _Reject(12600, "Account not found")
        account_platform, index = found
        if account_platform != platform:
            raise _Reject(15040, "Account platform does not match")
        return index

    def account_analytics(self, account_id: str) -> dict[str, Any]:
        """`GET /accounts/{accountId}/analytics` (reference 3c): code 0 "Analytics not supported" without a
        provider, 15032 for unregistered platforms, 15078 for an Instagram account without the insights scope."""
        found = self.dataset.find_account(account_id)
        if found is None:
            raise _Reject(12600, "Account not found")
        platform, index = found
        if platform in HIDDEN_PLATFORMS:
            raise _Reject(15032, "Platform not supported")
        base: dict[str, Any] = {"platform": platform, "accountId": account_id, "snapshots": []}
        if platform not in ACCOUNT_ANALYTICS_PLATFORMS:
            return {**base, "message": "Analytics not supported"}
        if account_id in self.dataset.revoked_accounts:
            raise _Reject(15048, "Account access was revoked; please re-authorize")
        if platform == "instagram" and account_id in self.dataset.insights_missing_accounts:
            raise _Reject(15078, "Platform permission missing", {"platform": platform, "category": "permission"})
        return {**base, **self.dataset.account_analytics(platform, index)}

    def publish_records(self, variant: str | None, query: dict[str, Any]) -> list[dict[str, Any]]:
        """`GET /publish/records[/queued|/published]`: a bare array, newest `createdAt` first, unpaginated.

        Filters `accountId`, `accountType`, `status` (one number; not on the variants) and `time`
        (`start,end` on publishTime); unknown keys are ignored, as zod strips them.
        """
        if variant not in (None, "queued", "published"):
            raise _Reject(404, f"Cannot GET /api/v2/channels/publish/records/{variant}")
        account_type = query.get("accountType")
        if account_type is not None and account_type not in PLATFORMS:
            raise _Reject(400, "Bad request")
        window = _read_time_filter(query.get("time"))
        status = query.get("status") if variant is None else None
        if status is not None and status not in {str(n) for n in range(-1, 10)}:
            raise _Reject(400, "Bad request")
        account_id = query.get("accountId")
        records = []
        if isinstance(account_id, str):  # one account's records: generate only those
            found = self.dataset.find_account(account_id)
            chosen = [found] if found and account_type in (None, found[0]) else []
        else:
            chosen = [(p, i) for p in PLATFORMS if account_type in (None, p)
                      for i in range(self.dataset.accounts_per_platform)]  # fmt: skip
        for platform, index in chosen:
            records += self.dataset.publish_records(platform, index)
        out = []
        for record in records:
            if isinstance(account_id, str) and record["accountId"] != account_id:
                continue
            if status is not None and record["status"] != int(status):
                continue
            if variant == "queued" and record["status"] not in (0, 6):
                continue
            if variant == "published" and record["status"] != 1:
                continue
            if window and not window[0] <= _read_date(record["publishTime"]) <= window[1]:  # type: ignore[operator]
                continue
            out.append(record)
        return sorted(out, key=lambda r: r["createdAt"], reverse=True)

    def work_analytics(self, platform: str, work_id: str, query: dict[str, Any]) -> dict[str, Any]:
        """`GET /works/{platform}/{platformWorkId}/analytics` per reference 3b: code 0 "not supported" or
        "Account required" without data; 15032 for unregistered platforms; pinterest as daily snapshots."""
        if platform not in PLATFORMS:
            raise _Reject(400, "Bad request")
        if platform in HIDDEN_PLATFORMS:
            raise _Reject(15032, "Platform not supported")
        account_id = query.get("accountId")
        base: dict[str, Any] = {"platform": platform, "accountId": None, "platformWorkId": work_id, "snapshots": []}
        if not isinstance(account_id, str) or not account_id:
            return {**base, "message": "Account required"}
        index = self._account_index(platform, account_id)
        base["accountId"] = account_id
        if platform not in ANALYTICS_METRICS:
            return {**base, "message": "Work analytics not supported"}
        if account_id in self.dataset.revoked_accounts:
            raise _Reject(15048, "Account access was revoked; please re-authorize")
        if platform == "instagram" and account_id in self.dataset.insights_missing_accounts:
            raise _Reject(15078, "Platform permission missing", {"platform": platform, "category": "permission",
                                                                  "retryable": False, "accountId": account_id})  # fmt: skip
        i = self.dataset.find_work(platform, index, work_id)
        if i is None or work_id in self.dataset.deleted_works:
            raise _Reject(15070, f"{platform} platform API request failed", {"platform": platform,
                          "category": "not_found", "retryable": False, "platformWorkId": work_id})  # fmt: skip
        since, until = _read_date(query.get("since")), _read_date(query.get("until"))
        answer = self.dataset.work_analytics(platform, index, i, since, until)
        if not answer.get("snapshots"):
            return {**base, **answer}  # no data yet: code 0, no snapshots, no message
        return {**base, **answer, "fetchedAt": _iso(self.dataset.moment)}

    def _read_pagination(self, platform: str, account_id: str, paging: Any, raw: Any) -> tuple[int, int]:
        if not isinstance(raw, dict):
            raise _Reject(400, "Bad request")
        if "page" in raw or "pageSize" in raw:
            if not ("page" in raw and "pageSize" in raw):
                raise _Reject(400, "Bad request")
            raise _Reject(15088, "Pagination mode not supported", {"platform": platform, "mode": "page"})
        limit_raw = raw.get("limit", str(paging.default_limit))
        if not limit_raw.isdigit() or int(limit_raw) < 1:
            raise _Reject(400, "Bad request")
        limit = int(limit_raw)
        if limit > paging.max_limit:
            raise _Reject(15089, "Pagination limit exceeded", {"platform": platform, "maxLimit": paging.max_limit})
        direction = raw.get("direction", "next")
        if direction not in ("next", "previous") or (direction == "previous" and "cursor" not in raw):
            raise _Reject(400, "Bad request")
        if direction == "previous" and not paging.supports_previous:
            raise _Reject(15091, "Pagination direction not supported")
        offset = 0
        if "cursor" in raw:
            offset = _decode_cursor(raw["cursor"], account_id)
        return limit, offset

    def _works_page(self, platform: str, index: int, account_id: str, limit: int, offset: int) -> dict[str, Any]:
        ds = self.dataset
        total = ds.works_count(platform, index)
        end = min(offset + limit, total)
        items = [ds.work(platform, index, i) for i in range(offset, end)]
        next_offset = end
        overlapping = ds.repeat_work_on_next_page or platform in ds.overlap_platforms
        if overlapping and len(items) > 1 and end < total:
            next_offset = end - 1
        has_next = len(items) >= limit if platform == "KWAI" else end < total
        if ds.empty_last_page:
            has_next = True
        if ds.repeat_cursor:
            has_next, next_offset = True, 0  # the first page's cursor, forever
        pagination: dict[str, Any] = {"mode": "cursor", "hasNext": has_next, "hasPrevious": offset > 0, "limit": limit}
        if has_next or platform == "tiktok":  # tiktok sends a cursor even on its last page
            pagination["nextCursor"] = _encode_cursor(account_id, next_offset)
        if offset > 0 and FALLBACK_WORKS_PAGING[platform].supports_previous:
            pagination["previousCursor"] = _encode_cursor(account_id, max(0, offset - limit))
        return {"platform": platform, "items": items, "pagination": pagination}

    # -- encoding --------------------------------------------------------------------------

    def _envelope(self, encoded_data: bytes, request_id: str) -> SandboxResponse:
        """A success envelope around already-encoded `data`."""
        tail = json.dumps({"code": 0, "message": "请求成功", "requestId": request_id}, ensure_ascii=False)
        return SandboxResponse(
            200,
            b'{"data":' + encoded_data + b"," + tail[1:].encode(),
            {"content-type": "application/json; charset=utf-8", "x-request-id": request_id},
        )

    def _json(self, body: dict[str, Any], request_id: str) -> SandboxResponse:
        return SandboxResponse(
            200,
            json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
            {"content-type": "application/json; charset=utf-8", "x-request-id": request_id},
        )

    def _reshape(self, fault: Fault, data: dict[str, Any], query: dict[str, Any]) -> None:
        """Faults that change a good answer rather than replace it."""
        if fault.kind == "missing_pagination":
            data.pop("pagination", None)
        elif fault.kind == "echo_cursor":  # hands back the cursor it was given, claiming more
            given = (query.get("pagination") or {}).get("cursor")
            if given and isinstance(data.get("pagination"), dict):
                data["pagination"] |= {"hasNext": True, "nextCursor": given}

    def _faulty(self, fault: Fault, request_id: str, account_id: str | None = None) -> SandboxResponse:
        kind, delay = fault.kind, fault.delay_seconds
        html = {"content-type": "text/html", "x-request-id": request_id}
        if kind == "envelope_429":
            response = self._json(
                {
                    "data": {"ttl": fault.reset_ms},
                    "code": 429,
                    "message": "Too many requests",
                    "timestamp": int(time.time() * 1000),
                    "requestId": request_id,
                },
                request_id,
            )
            response.headers |= _guard_headers(fault.reset_ms, fault.limit)
            return response
        if kind == "http_429":
            headers = {"content-type": "text/plain", "x-request-id": request_id}
            return SandboxResponse(429, b"Too Many Requests", headers | _guard_headers(fault.reset_ms, fault.limit))
        if kind in ("http_502", "http_503"):
            return SandboxResponse(int(kind[-3:]), HTML_ERROR, html)
        if kind == "retryable_15071":
            return self._json(
                {
                    "data": {"category": "rate_limit", "retryable": True},
                    "code": 15071,
                    "message": "Platform rate limited",
                    "requestId": request_id,
                },
                request_id,
            )
        if kind == "server_error":
            return self._json(
                {"data": {}, "code": 500, "message": "Internal server error", "requestId": request_id}, request_id
            )
        if kind in PLATFORM_ERRORS:
            code, category, message = PLATFORM_ERRORS[kind]
            data = {"category": category, "retryable": False, "accountId": account_id} if category else {}
            return self._json(
                {"data": data, "code": code, "message": message, "requestId": request_id, "timestamp": _now_ms()},
                request_id,
            )
        if kind == "slow":
            return SandboxResponse(200, b"{}", {"content-type": "application/json"}, delay_seconds=delay)
        if kind == "drop_connection":
            return SandboxResponse(200, b"", drop_connection=True)
        if kind == "not_json":
            return SandboxResponse(200, HTML_ERROR, html)
        if kind == "missing_data":
            return self._json({"code": 0, "message": "请求成功", "requestId": request_id}, request_id)
        if kind == "redirect":
            return SandboxResponse(302, b"", {"location": "https://elsewhere.example/api/v2/channels/accounts"})
        raise AssertionError(kind)


#: Non-retryable answers the faults can inject: kind -> (code, data.category, message).
PLATFORM_ERRORS: dict[str, tuple[int, str | None, str]] = {
    "unauthorized": (401, None, "Unauthorized"),
    "permission_15070": (15070, "permission", "instagram platform API request failed"),
    "account_missing_15076": (15076, "not_found", "Platform account missing"),
    "permission_missing_15078": (15078, "permission", "Platform permission missing; re-authorize with the scope"),
    "unsupported_15080": (15080, None, "This platform does not support this operation"),
    "quota_15070": (15070, "quota", "youtube platform API request failed"),
}
#: Faults that alter a good answer instead of replacing it.
SHAPING_FAULTS = frozenset({"missing_pagination", "echo_cursor"})


def _read_date(raw: Any) -> datetime | None:
    """`z.coerce.date()`: an ISO-8601 string, or 400."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise _Reject(400, "Bad request") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _read_time_filter(raw: Any) -> tuple[datetime, datetime] | None:
    """`time=start,end` (or a repeated key): exactly two dates, each `new Date(...)`-able, else 400."""
    if raw is None:
        return None
    parts = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(parts, list) or len(parts) != 2:
        raise _Reject(400, "Bad request")
    start, end = (_read_date(p) for p in parts)
    return start, end  # type: ignore[return-value]


def _now_ms() -> int:
    return int(time.time() * 1000)


def _guard_headers(wait_ms: int, limit: int) -> dict[str, str]:
    """The rate-limit guard's headers on a refusal: its limit per window, none left, and the reset time
    (Unix ms, rounded up: a retry at the reset is not early)."""
    reset = math.ceil(time.time() * 1000) + wait_ms
    return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}


def _encode_cursor(account_id: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{account_id}|{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: Any, account_id: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        owner, offset = raw.rsplit("|", 1)
        if owner == account_id and offset.isdigit():
            return int(offset)
    except (ValueError, TypeError, UnicodeDecodeError):
        pass
    raise _Reject(400, "Bad request")
