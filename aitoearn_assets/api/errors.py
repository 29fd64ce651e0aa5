"""Errors raised by the AiToEarn client, and the business codes that select them.

No error text ever contains the API key: errors are built from the endpoint path, the
envelope's code, message and requestId, never from request headers.
"""

from __future__ import annotations

from typing import Any

UNAUTHORIZED = 401
RATE_LIMITED = 429
ACCOUNT_NOT_FOUND = 12600
PLATFORM_NOT_SUPPORTED = 15032
PLATFORM_MISMATCH = 15040
PLATFORM_RATE_LIMITED = 15071
OPERATION_NOT_SUPPORTED = 15080

#: Codes after which an account is skipped (no retry will fix them): not found, platform
#: mismatch, and the credential codes whose message says "re-authorize".
ACCOUNT_SKIP_CODES: frozenset[int] = frozenset(
    {ACCOUNT_NOT_FOUND, PLATFORM_MISMATCH, 15001, 15002, 15003, 15006, 15007, 15008, 15009}
    | {15010, 15011, 15013, 15021, 15048}
)

#: Codes meaning "this platform cannot list works" (unsupported operation, unregistered platform).
CANNOT_LIST_CODES: frozenset[int] = frozenset({OPERATION_NOT_SUPPORTED, PLATFORM_NOT_SUPPORTED})

#: Categories of a platform error that say "not today" for the whole platform: stop asking it this run.
PLATFORM_LIMIT_CATEGORIES: frozenset[str] = frozenset({"quota", "rate_limit"})

#: Envelope codes worth retrying even when `data.retryable` is absent.
RETRYABLE_CODES: frozenset[int] = frozenset({RATE_LIMITED, 500, PLATFORM_RATE_LIMITED, 15094, 19001})
RETRYABLE_CATEGORIES: frozenset[str] = frozenset({"rate_limit", "platform_unavailable", "timeout", "network"})


class AiToEarnError(Exception):
    """Base class of every error the client raises."""


class ApiError(AiToEarnError):
    """The API answered with a non-zero `code` (or an HTTP error) for `endpoint`."""

    def __init__(
        self,
        endpoint: str,
        code: int,
        message: str,
        request_id: str | None = None,
        data: Any = None,
        http_status: int = 200,
    ) -> None:
        self.endpoint = endpoint
        self.code = code
        self.message = message
        self.request_id = request_id
        self.data = data
        self.http_status = http_status
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f"GET {self.endpoint}"
        status = f"HTTP {self.http_status}, " if self.http_status != 200 else ""
        rid = f", requestId {self.request_id}" if self.request_id else ""
        return f"{where} failed: {status}code {self.code} ({self.message}){rid}"

    @property
    def category(self) -> str | None:
        """`data.category` of a platform error (auth, permission, rate_limit, quota, ...), if any."""
        data = self.data if isinstance(self.data, dict) else {}
        category = data.get("category")
        return category if isinstance(category, str) else None

    @property
    def is_rate_limit(self) -> bool:
        """The API's guard, or the upstream platform, says: too many requests."""
        return (
            self.code in (RATE_LIMITED, PLATFORM_RATE_LIMITED)
            or self.http_status == 429
            or self.category == "rate_limit"
        )

    @property
    def is_guard_refusal(self) -> bool:
        """The API's own guard refused the request: this key asks too fast (an upstream platform's rate
        limit, code 15071 or category rate_limit, concerns that platform only)."""
        return self.code == RATE_LIMITED or self.http_status == 429

    @property
    def limits_platform(self) -> bool:
        """A quota or a rate limit: no later request of this run would fare better."""
        return self.is_rate_limit or self.category in PLATFORM_LIMIT_CATEGORIES

    @property
    def retryable(self) -> bool:
        if self.http_status == 429 or self.http_status >= 500:
            return True
        if self.code in RETRYABLE_CODES:
            return True
        data = self.data if isinstance(self.data, dict) else {}
        return data.get("retryable") is True or data.get("category") in RETRYABLE_CATEGORIES


class AuthError(ApiError):
    """The key was rejected (code 401). Never retried."""

    def _describe(self) -> str:
        rid = f", requestId {self.request_id}" if self.request_id else ""
        return (
            f"GET {self.endpoint} was refused: code {self.code} ({self.message}){rid}. "
            "The API key in AITOEARN_API_KEY is missing, wrong or revoked: set AITOEARN_API_KEY "
            "to a valid key from the AiToEarn console (or unset it and set AITOEARN_SANDBOX=1 for the demo sandbox)."
        )

    @property
    def retryable(self) -> bool:
        return False


class IncompleteListingError(AiToEarnError):
    """The account listing holds fewer accounts than its `total`: some accounts would never be fetched."""

    retryable = False

    def __init__(self, endpoint: str, listed: int, total: int) -> None:
        self.listed, self.total = listed, total
        super().__init__(
            f"GET {endpoint} listed {listed} accounts but counts {total}: the server capped the listing, so "
            f"{total - listed} account(s) would never be fetched. Nothing was written; report it to AiToEarn "
            "(the unfiltered listing is meant to hold every account of the key)."
        )


class ResponseFormatError(AiToEarnError):
    """The body was not the JSON envelope the contract promises."""

    def __init__(self, endpoint: str, problem: str, request_id: str | None, http_status: int) -> None:
        self.endpoint = endpoint
        self.request_id = request_id
        self.http_status = http_status
        rid = request_id or "none sent"
        super().__init__(
            f"GET {endpoint} returned an unreadable answer (HTTP {http_status}): {problem}; requestId {rid}"
        )

    retryable = True


class RedirectRefusedError(AiToEarnError):
    """The server answered with a redirect; it is not followed so the key never leaves the host."""

    retryable = False


class FetchCancelled(AiToEarnError):
    """The request was not sent because the fetch was cancelled (after a 401, or by the caller)."""

    retryable = False


class RetriesExhaustedError(AiToEarnError):
    """Every allowed attempt failed; `last_error` is the final one."""

    def __init__(self, endpoint: str, attempts: int, waited_seconds: float, last_error: BaseException) -> None:
        self.endpoint = endpoint
        self.attempts = attempts
        self.waited_seconds = waited_seconds
        self.last_error = last_error
        super().__init__(
            f"GET {endpoint} failed {attempts} times (waited {waited_seconds:.1f} s between attempts); "
            f"last error: {last_error}. Raise AiToEarnResource max_attempts / max_total_wait_seconds "
            "if the API is having a bad day, or try again later."
        )
