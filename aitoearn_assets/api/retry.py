"""Retry policy: exponential backoff with jitter, bounded (the request pace is api/pace.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed request.

    The n-th retry waits `base_delay_seconds * 2**(n-1)`, capped at `max_delay_seconds`, with
    "equal jitter" (between half and all of it). A server-sent reset time replaces the computed
    delay when it is later. No request is tried more than `max_attempts` times, and the waits of
    one request never add up to more than `max_total_wait_seconds`.
    """

    max_attempts: int = 5
    base_delay_seconds: float = 0.5
    max_delay_seconds: float = 30.0
    max_total_wait_seconds: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay_seconds, self.max_delay_seconds, self.max_total_wait_seconds) < 0:
            raise ValueError("retry delays must not be negative")

    def delay(
        self, retry_number: int, server_hint_seconds: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds to wait before retry number `retry_number` (1-based)."""
        cap = min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (retry_number - 1))
        jittered = cap / 2 + (rng or random).uniform(0, cap / 2)
        if server_hint_seconds is not None:
            return min(max(jittered, server_hint_seconds), self.max_delay_seconds)
        return jittered
