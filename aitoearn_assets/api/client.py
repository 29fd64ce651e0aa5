"""HTTP client for the AiToEarn Open Platform API v2 (httpx; knows nothing of Dagster)."""

from __future__ import annotations

import copy
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from aitoearn_assets.api.base_url import normalize_base_url
from aitoearn_assets.api.decoding import TypedPage, TypedPageDecoder, decode_json
from aitoearn_assets.api.errors import (
    UNAUTHORIZED,
    AiToEarnError,
    ApiError,
    AuthError,
    FetchCancelled,
    IncompleteListingError,
    RedirectRefusedError,
    ResponseFormatError,
    RetriesExhaustedError,
)
from aitoearn_assets.api.models import Account, AccountListing, Pagination, WorksPage
from aitoearn_assets.api.pace import AdaptivePace
from aitoearn_assets.api.paging import WorksPaginator
from aitoearn_assets.api.platforms import (
    FALLBACK_CAPABILITIES,
    FALLBACK_WORKS_PAGING,
    PLATFORMS,
    PlatformCapabilities,
    WorksPaging,
    check_platform,
)
from aitoearn_assets.api.retry import RetryPolicy

API_PREFIX = "/api/v2/channels"
logger = logging.getLogger(__name__)


@dataclass
class RequestStats:
    """Counters of one client's traffic, safe to update from several threads.

    A scope's counters (see `AiToEarnClient.scoped`) also count towards its `parent`.
    """

    requests: int = 0
    retries: int = 0
    pages: int = 0
    wait_seconds: float = 0.0
    rate_limited: int = 0  # answers that said "too many requests" (the guard's 429, a platform's rate limit)
    parent: RequestStats | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(
        self, *, requests: int = 0, retries: int = 0, pages: int = 0, wait_seconds: float = 0.0, rate_limited: int = 0
    ) -> None:
        with self._lock:
            self.requests += requests
            self.retries += retries
            self.pages += pages
            self.wait_seconds += wait_seconds
            self.rate_limited += rate_limited
        if self.parent is not None:
            self.parent.add(
                requests=requests, retries=retries, pages=pages, wait_seconds=wait_seconds, rate_limited=rate_limited
            )


class AiToEarnClient:
    """Reads accounts and works, with retries, an adaptive request pace (api/pace.py: as fast as the API
    allows, never above `max_requests_per_second`) and a concurrency bound.

    Use as a context manager. Thread-safe: several accounts may be listed at once. Once any
    request is refused with 401, every later request of this client (and of its scopes) raises
    `FetchCancelled` without being sent: a rejected key stops the whole fetch at once.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        timeout_seconds: float = 30.0,
        retry: RetryPolicy | None = None,
        max_requests_per_second: float | None = None,
        max_concurrency: int = 4,
        transport: httpx.BaseTransport | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("No API key: set AITOEARN_API_KEY (or unset it to use the sandbox).")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.base_url = normalize_base_url(base_url)
        self.retry = retry or RetryPolicy()
        self.stats = RequestStats()
        self.log = log or logger
        self.pace = AdaptivePace(max_requests_per_second)
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._rng = random.Random()
        self.cancelled = threading.Event()
        self._capabilities: dict[str, PlatformCapabilities] | None = None
        self._capabilities_lock = threading.Lock()
        self.refusal: AuthError | None = None  # the 401 that cancelled the fetch, raised again by later calls
        self._owns_http = True
        self._http = httpx.Client(
            base_url=self.base_url + API_PREFIX,
            headers={"X-Api-Key": api_key, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout_seconds),
            follow_redirects=False,
            transport=transport,
            limits=httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency),
        )
        # Requests go straight to the transport the httpx client picked for the base URL (a proxy
        # from the environment when one applies), with the client's headers and timeouts: its
        # per-request cookie jar, auth flow and redirect handling cost a third of each request's
        # CPU, and this API needs none of them (the key is a header, no cookies, redirects refused).
        self._transport = self._http._transport_for_url(httpx.URL(self.base_url + API_PREFIX))
        self._headers = list(self._http.headers.multi_items())
        self._timeout = self._http.timeout.as_dict()

    def __enter__(self) -> AiToEarnClient:
        return self

    def __repr__(self) -> str:  # the key lives in the request headers only, never in a repr
        return f"AiToEarnClient(base_url={self.base_url!r})"

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def scoped(self) -> AiToEarnClient:
        """A view of this client with its own `stats` (also counted here): same connections,
        rate limit, concurrency bound and cancellation. Closing it closes nothing."""
        view = copy.copy(self)
        view.stats = RequestStats(parent=self.stats)
        view._owns_http = False
        return view

    def cancel(self) -> None:
        """Send no further request; requests waiting for a slot give up."""
        self.cancelled.set()

    # -- endpoints -------------------------------------------------------------------------

    def works_paging(self) -> dict[str, WorksPaging]:
        """Each platform's works paging from the public `/platforms` endpoint.

        Falls back to the reference table (with a warning) if the endpoint cannot be read.
        """
        return {p: c.paging for p, c in self.capabilities().items()}

    def capabilities(self) -> dict[str, PlatformCapabilities]:
        """What each platform can do, from the public `/platforms` endpoint (read once per client).

        A platform the server does not list is not registered there (hidden): it can neither list
        works nor answer analytics. Falls back to the reference table if the endpoint cannot be read.
        """
        with self._capabilities_lock:
            if self._capabilities is None:
                self._capabilities = self._read_capabilities()
            return self._capabilities

    def _read_capabilities(self) -> dict[str, PlatformCapabilities]:
        try:
            data, _ = self.get("/platforms")
        except (ApiError, ResponseFormatError, RetriesExhaustedError) as err:
            self.log.warning("Could not read /platforms (%s); using the built-in paging table", err)
            return dict(FALLBACK_CAPABILITIES)
        items = data.get("list", data.get("items")) if isinstance(data, dict) else data
        found = {c.platform: c for c in map(_parse_capabilities, items if isinstance(items, list) else []) if c}
        return {p: found.get(p, PlatformCapabilities(p, WorksPaging(p, None), registered=False)) for p in PLATFORMS}

    def account_analytics(self, account_id: str) -> dict[str, Any]:
        """`GET /accounts/{accountId}/analytics`: the `ChannelAccountAnalyticsVo` as served (check `message`)."""
        path = f"/accounts/{quote(account_id, safe='')}/analytics"
        data, request_id = self.get(path)
        if not isinstance(data, dict):
            raise ResponseFormatError(API_PREFIX + path, "`data` is not an object", request_id, 200)
        return data

    def publish_records(self, account_id: str) -> list[dict[str, Any]]:
        """Every publish record of one account, in every status (`GET /publish/records`, unpaginated)."""
        data, request_id = self.get("/publish/records", {"accountId": account_id})
        if not isinstance(data, list):
            raise ResponseFormatError(API_PREFIX + "/publish/records", "`data` is not a list", request_id, 200)
        return [item for item in data if isinstance(item, dict)]

    def work_analytics(
        self,
        platform: str,
        platform_work_id: str,
        account_id: str,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, Any]:
        """`GET /works/{platform}/{platformWorkId}/analytics`: the `ChannelWorkAnalyticsVo` as served.

        Code 0 does not mean data: see its `message` and `snapshots` (reference 3b).
        """
        params = {"accountId": account_id}
        if since is not None:
            params["since"] = _iso(since)
        if until is not None:
            params["until"] = _iso(until)
        path = f"/works/{check_platform(platform)}/{quote(platform_work_id, safe='')}/analytics"
        data, request_id = self.get(path, params)
        if not isinstance(data, dict):
            raise ResponseFormatError(API_PREFIX + path, "`data` is not an object", request_id, 200)
        return data

    def list_accounts(self) -> AccountListing:
        """Every account of the key, in one unfiltered listing.

        A filtered listing (`types[]`, `status`, `groupId`) holds at most 1,000 accounts (reference 2), so
        none is asked for. Raises `IncompleteListingError` when `total` counts more accounts than listed.
        """
        data, request_id = self.get("/accounts")
        if not isinstance(data, dict) or not isinstance(data.get("list"), list):
            raise ResponseFormatError(API_PREFIX + "/accounts", "`data.list` is missing", request_id, 200)
        listed = [Account.from_api(item) for item in data["list"] if isinstance(item, dict) and "id" in item]
        total = data.get("total") if isinstance(data.get("total"), int) else None
        if total is not None and total > len(data["list"]):
            raise IncompleteListingError(API_PREFIX + "/accounts", len(data["list"]), total)
        return AccountListing(listed, total)

    def iter_works_pages(
        self, platform: str, account_id: str, paging: WorksPaging, decoder: TypedPageDecoder | None = None
    ) -> Iterator[tuple[WorksPage, WorksPaginator]]:
        """Yield every page of an account's works, asking for the platform's largest page.

        With `decoder`, a page whose items all fit its record type comes decoded into `page.records`.
        """
        paginator = WorksPaginator(limit=paging.max_limit, page=1 if paging.mode == "page" else None)
        path = f"/works/{check_platform(platform)}"
        while not paginator.done:
            params = {"accountId": account_id, **paginator.params()}
            page = self.get(path, params, parse=_parse_works_page, decoder=decoder)
            self.stats.add(pages=1)
            paginator.advance(page)
            yield page, paginator

    # -- transport -------------------------------------------------------------------------

    def get(
        self,
        path: str,
        params: dict[str, str] | None = None,
        parse: Callable[..., Any] | None = None,
        decoder: TypedPageDecoder | None = None,
    ) -> Any:
        """GET `path` (below /api/v2/channels); return (`data`, requestId) of the envelope, or
        `parse(path, data, request_id)` when given (an unreadable answer is retried like a fault).
        With `decoder`, a success page it can decode comes as a `TypedPage` instead of `data`.

        Retries what the policy allows; raises AuthError, ApiError or RetriesExhaustedError.
        """
        endpoint = API_PREFIX + path
        attempt, waited = 0, 0.0
        while True:
            attempt += 1
            try:
                data, request_id = self._get_once(endpoint, path, params, decoder)
                self.pace.accepted()
                return parse(path, data, request_id) if parse else (data, request_id)
            except AiToEarnError as err:
                hint = getattr(err, "reset_hint_seconds", None)
                if isinstance(err, ApiError) and err.is_rate_limit:
                    self.stats.add(rate_limited=1)
                if isinstance(err, ApiError) and err.is_guard_refusal:  # the key's pace, not one platform's quota
                    self.pace.refused(hint, getattr(err, "limit_hint", None))
                elif isinstance(err, ApiError):
                    self.pace.accepted()
                if not getattr(err, "retryable", False):
                    raise
                last: BaseException = err
            except httpx.TransportError as err:  # timeouts, refused or dropped connections
                last = err
                hint = None
            delay = self.retry.delay(attempt, hint, self._rng)
            if attempt >= self.retry.max_attempts or waited + delay > self.retry.max_total_wait_seconds:
                raise RetriesExhaustedError(endpoint, attempt, waited, _describe_transport(last)) from last
            self.log.warning(
                "GET %s attempt %d failed (%s); retrying in %.2f s", endpoint, attempt, _describe_transport(last), delay
            )
            self.stats.add(retries=1, wait_seconds=delay)
            self.cancelled.wait(delay)  # a sleep that a cancellation cuts short
            waited += delay

    def _not_sent(self, endpoint: str) -> AiToEarnError:
        return self.refusal or FetchCancelled(f"GET {endpoint} not sent: the fetch was cancelled")

    def _get_once(
        self, endpoint: str, path: str, params: dict[str, str] | None, decoder: TypedPageDecoder | None = None
    ) -> tuple[Any, str | None]:
        if self.cancelled.is_set():
            raise self._not_sent(endpoint)
        self.stats.add(wait_seconds=self.pace.acquire())
        sent_id = uuid.uuid4().hex
        with self._slots:  # held until the answer is read, so a 401 cancels before another request starts
            if self.cancelled.is_set():
                raise self._not_sent(endpoint)
            self.stats.add(requests=1)
            response = self._send(path, params, sent_id)
            if decoder is not None and response.status_code == 200:
                page = decoder.decode(response.content)
                if page is not None:
                    return page, page.request_id or response.headers.get("x-request-id", sent_id)
            return self._read_envelope(endpoint, response, sent_id)

    def _send(self, path: str, params: dict[str, str] | None, sent_id: str) -> httpx.Response:
        """One GET through the transport, the whole body read."""
        request = httpx.Request(
            "GET",
            self.base_url + API_PREFIX + path,
            params=params,
            headers=[*self._headers, ("X-Request-Id", sent_id)],
            extensions={"timeout": self._timeout},
        )
        response = self._transport.handle_request(request)
        try:
            response.read()
        finally:
            response.close()
        return response

    def _read_envelope(self, endpoint: str, response: httpx.Response, sent_id: str) -> tuple[Any, str | None]:
        request_id = response.headers.get("x-request-id", sent_id)
        if response.is_redirect:
            target = httpx.URL(response.headers.get("location", "")).host or "an unknown host"
            raise RedirectRefusedError(
                f"GET {endpoint} answered HTTP {response.status_code} redirecting to {target}; redirects are not "
                "followed so the API key is only sent to AITOEARN_BASE_URL. Set AITOEARN_BASE_URL to the final address."
            )
        if response.status_code != 200:
            raise _with_guard_hints(
                ApiError(
                    endpoint,
                    response.status_code,
                    response.reason_phrase or "HTTP error",
                    request_id,
                    http_status=response.status_code,
                ),
                response,
            )
        try:
            body = decode_json(response.content)
        except ValueError:
            raise ResponseFormatError(endpoint, "the body is not JSON", request_id, 200) from None
        if not isinstance(body, dict) or "code" not in body:
            raise ResponseFormatError(endpoint, "the JSON has no `code` envelope", request_id, 200)
        request_id = body.get("requestId") or request_id
        code = body["code"]
        if code == 0:
            if "data" not in body:
                raise ResponseFormatError(endpoint, "the envelope has no `data`", request_id, 200)
            return body["data"], request_id
        message = str(body.get("message", ""))
        if code == UNAUTHORIZED:
            self.refusal = AuthError(endpoint, code, message, request_id)
            self.cancel()
            raise self.refusal
        raise _with_guard_hints(
            ApiError(endpoint, code, message, request_id, body.get("data")), response, body.get("data")
        )


def _with_guard_hints(error: ApiError, response: httpx.Response, data: Any = None) -> ApiError:
    """`error` with what a rate-limit guard says beside it (the retry and the pace read them)."""
    error.reset_hint_seconds = _reset_hint(response, data)  # type: ignore[attr-defined]
    error.limit_hint = _limit_hint(response)  # type: ignore[attr-defined]
    return error


def _reset_hint(response: httpx.Response, data: Any = None) -> float | None:
    """Seconds until `X-RateLimit-Reset` (Unix milliseconds), else the guard's `data.ttl` (milliseconds)."""
    raw = response.headers.get("x-ratelimit-reset")
    try:
        if raw:
            return max(0.0, float(raw) / 1000.0 - time.time())
    except ValueError:
        pass
    ttl = data.get("ttl") if isinstance(data, dict) else None
    return max(0.0, ttl / 1000.0) if isinstance(ttl, int | float) and not isinstance(ttl, bool) else None


def _limit_hint(response: httpx.Response) -> float | None:
    """`X-RateLimit-Limit`: the requests the guard allows per window, when it says."""
    try:
        limit = float(response.headers.get("x-ratelimit-limit", ""))
    except ValueError:
        return None
    return limit if limit > 0 else None


def _describe_transport(err: BaseException) -> BaseException:
    if isinstance(err, httpx.TimeoutException):
        return TimeoutError(f"no answer within the timeout ({type(err).__name__})")
    if isinstance(err, httpx.TransportError):
        return ConnectionError(f"{type(err).__name__}: {err}")
    return err


def _parse_works_page(path: str, data: Any, request_id: str | None) -> WorksPage:
    if isinstance(data, TypedPage):
        return WorksPage(Pagination.from_api(data.pagination), request_id, records=data.items, body=data.body)
    endpoint = API_PREFIX + path
    if not isinstance(data, dict):
        raise ResponseFormatError(endpoint, "`data` is not an object", request_id, 200)
    items, pagination = data.get("items"), data.get("pagination")
    if not isinstance(items, list):
        raise ResponseFormatError(endpoint, "`data.items` is missing or not a list", request_id, 200)
    if not isinstance(pagination, dict):
        raise ResponseFormatError(endpoint, "`data.pagination` is missing or not an object", request_id, 200)
    return WorksPage(Pagination.from_api(pagination), request_id, served_items=items)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse_capabilities(item: Any) -> PlatformCapabilities | None:
    if not isinstance(item, dict):
        return None
    platform = item.get("platform") or item.get("type") or item.get("id")
    if platform not in FALLBACK_WORKS_PAGING:
        return None
    capabilities = item.get("capabilities") or {}
    analytics = capabilities.get("analytics") or {}
    return PlatformCapabilities(
        platform,
        _parse_paging(platform, capabilities.get("work") or {}),
        work_analytics=bool(analytics.get("work")),
        account_analytics=bool(analytics.get("account")),
    )


def _parse_paging(platform: str, work: dict[str, Any]) -> WorksPaging:
    paging = work.get("listWorksPagination") or {}
    if not work.get("listWorks"):
        return WorksPaging(platform, None)
    mode = paging.get("mode", "cursor")
    if mode == "page":
        return WorksPaging(platform, "page", paging.get("defaultPageSize"), paging.get("maxPageSize"))
    if mode == "none":
        return WorksPaging(platform, "none")
    return WorksPaging(
        platform, "cursor", paging.get("defaultLimit"), paging.get("maxLimit"), bool(paging.get("supportsPrevious"))
    )
