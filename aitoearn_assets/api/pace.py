"""How fast a client starts requests: as fast as the API allows, never above the user's ceiling.

The API's guard answers `code 429` (with its reset time) when asked too fast, and its rate is not
published. So the pace adapts: unpaced (or at the ceiling, `max_requests_per_second`) until a
refusal; then 90 % of the rate the server was accepting over the last second (when it accepted
enough answers to tell: otherwise the reset time alone paces), with no request started before the
reset time the refusal gave; after that, 1 % faster for every second of clean
answers, up to the ceiling. One refusal burst (the requests already in flight) slows the pace once.
Thread-safe; knows nothing of Dagster.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

#: The window over which the rate the server accepts is measured.
WINDOW_SECONDS = 1.0
#: After a refusal, the new rate: this share of the accepted rate.
DECREASE = 0.9
#: While answers come back clean, the rate grows by this factor per second.
INCREASE_PER_SECOND = 1.01
#: The slowest pace ever set (requests per second).
FLOOR = 0.5
#: Accepted answers within the window needed to infer a rate from them.
MIN_EVIDENCE = 5
#: Refusals within this long after a decrease (requests that were already in flight) do not slow it again.
SETTLE_SECONDS = 0.25


class AdaptivePace:
    """Spaces request starts across threads. `ceiling`: requests per second never exceeded (None: none).

    `acquire()` before each request; then `accepted()` or `refused(reset_seconds)` with its answer.
    """

    def __init__(self, ceiling: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        if ceiling is not None and ceiling <= 0:
            raise ValueError("max_requests_per_second must be positive (or unset for no limit)")
        self.ceiling = ceiling
        self.rate: float | None = ceiling  # None: unpaced
        self.refusals = 0
        self._clock = clock
        self._next_start = 0.0
        self._hold_until = 0.0  # the server's reset time: nothing starts before it
        self._settled_at = 0.0
        self._grown_at = clock()
        self._accepted: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until this caller may start a request; return the seconds waited."""
        with self._lock:
            now = self._clock()
            self._grow(now)
            start = max(now, self._hold_until, self._next_start if self.rate else now)
            if self.rate:
                self._next_start = start + 1.0 / self.rate
        wait = start - now
        if wait > 0:
            time.sleep(wait)
        return max(0.0, wait)

    def accepted(self) -> None:
        """An answer that was not a refusal."""
        with self._lock:
            now = self._clock()
            self._accepted.append(now)
            self._forget(now)

    def refused(self, reset_seconds: float | None = None) -> None:
        """A rate-limit answer: slow down (once per burst) and hold new starts until the reset time."""
        with self._lock:
            now = self._clock()
            self.refusals += 1
            if reset_seconds:
                self._hold_until = max(self._hold_until, now + reset_seconds)
            self._forget(now)
            if now < self._settled_at or len(self._accepted) < MIN_EVIDENCE:
                return
            accepted_rate = len(self._accepted) / WINDOW_SECONDS
            current = accepted_rate if self.rate is None else min(self.rate, accepted_rate)
            self.rate = max(FLOOR, DECREASE * current)
            self._next_start = max(self._next_start, now + 1.0 / self.rate)
            self._settled_at = now + max(SETTLE_SECONDS, reset_seconds or 0.0)
            self._grown_at = now

    def _grow(self, now: float) -> None:
        if self.rate is None:
            return
        elapsed = now - max(self._grown_at, self._settled_at)
        if elapsed >= 1.0:
            self.rate *= INCREASE_PER_SECOND**elapsed
            if self.ceiling is not None:
                self.rate = min(self.rate, self.ceiling)
            self._grown_at = now

    def _forget(self, now: float) -> None:
        while self._accepted and self._accepted[0] < now - WINDOW_SECONDS:
            self._accepted.popleft()
