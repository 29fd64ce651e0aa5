"""Transient faults the sandbox can inject, off by default and switchable per test."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

FAULT_KINDS = frozenset(
    {
        "envelope_429",  # code 429 on HTTP 200, with X-RateLimit-Reset and -Limit
        "http_429",  # HTTP 429 (a gateway's), with X-RateLimit-Reset and -Limit
        "http_502",  # HTTP 502 with an HTML body
        "http_503",  # HTTP 503 with an HTML body
        "retryable_15071",  # platform rate limit, data.retryable true
        "slow",  # answers after `delay_seconds` (past the client's timeout)
        "drop_connection",  # closes the connection without answering
        "not_json",  # HTTP 200 with an HTML body
        "missing_data",  # code 0 envelope without `data`
        "missing_pagination",  # works answer without `data.pagination`
        "redirect",  # HTTP 302 to another host
        "server_error",  # code 500 envelope (unhandled backend error)
        "unauthorized",  # code 401: the key was revoked mid-run
        "permission_15070",  # platform API failed, category permission, not retryable
        "account_missing_15076",  # the platform account is gone
        "permission_missing_15078",  # a scope is missing (e.g. Instagram insights)
        "unsupported_15080",  # the operation is not supported
        "quota_15070",  # the upstream platform's daily quota is spent (category quota, not retryable)
        "echo_cursor",  # a works page hands back the cursor it was given, with hasNext true
    }
)


@dataclass
class Fault:
    """Inject `kind` into the next `times` matching requests (None: every one), after `skip`.

    A request matches when its path contains `path_contains` and, if set, its accountId equals
    `account_id` and its decoded query string contains `query_contains` (e.g. `types[]=tiktok`).
    """

    kind: str
    times: int | None = 1
    path_contains: str = "/works/"
    account_id: str | None = None
    query_contains: str | None = None
    skip: int = 0
    delay_seconds: float = 5.0  # "slow": how long the answer takes
    reset_ms: int = 50  # "envelope_429", "http_429": X-RateLimit-Reset is now + reset_ms
    limit: int = 30  # "envelope_429", "http_429": X-RateLimit-Limit, the requests allowed per window
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault {self.kind!r}; choose from {sorted(FAULT_KINDS)}")


@dataclass
class FaultPlan:
    """The faults in force; thread-safe, shared by the server's handler threads."""

    faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, kind: str, **options: object) -> Fault:
        fault = Fault(kind, **options)  # type: ignore[arg-type]
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def pick(self, path: str, account_id: str | None, query: str = "") -> Fault | None:
        """The fault to inject into this request, if any (and count it as fired)."""
        with self._lock:
            for fault in self.faults:
                if fault.path_contains not in path or (fault.account_id and fault.account_id != account_id):
                    continue
                if fault.query_contains and fault.query_contains not in query:
                    continue
                fault.seen += 1
                if fault.seen <= fault.skip or (fault.times is not None and fault.fired >= fault.times):
                    continue
                fault.fired += 1
                return fault
        return None
