"""How fast a client starts requests: as fast as the API allows, never above the user's ceiling.

The API's guard answers `429` (with its reset time, and `X-RateLimit-Limit`: the requests it allows
per window) when asked too fast, and its rate is not published. So the pace adapts: unpaced (or at the
ceiling, `max_requests_per_second`) until a refusal; then 90 % of the lowest of the pace it had, the rate
the server was accepting (over the last second, or since the last slow-down when that is more recent)
and the guard's limit read as a rate per second (a guard's window is a second or longer), with no
request started before the reset time the refusal gave; after that, 1 % faster for every second of
clean answers, up to the ceiling. Only a refusal of a request let start after the last slow-down slows
it again: the requests already under way were started at the old pace. Thread-safe; knows nothing of
Dagster.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

#: The window over which the rate the server accepts is measured.
WINDOW_SECONDS = 1.0
#: After a refusal, the new rate: this share of the lowest bound (pace, accepted rate, guard's limit).
DECREASE = 0.9
#: While answers come back clean, the rate grows by this factor per second.
INCREASE_PER_SECOND = 1.01
#: The slowest pace ever set (requests per second), unless the ceiling is slower still.
FLOOR = 0.5
#: Accepted answers needed (over the span measured) to infer a rate from them.
MIN_EVIDENCE = 5
#: The accepted rate is measured since the last slow-down (its hold over) once that is this long ago;
#: before that, over the whole window.
MIN_SPAN_SECONDS = 0.25


class AdaptivePace:
    """Spaces request starts across threads. `ceiling`: requests per second never exceeded (None: none).

    `acquire()` before each request; then `accepted()` or `refused(reset_seconds, limit)` with its answer,
    from the thread that acquired (a refusal is matched to its request through the thread).
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
        self._slowdowns = 0  # a request let start under an earlier count was started at an older pace
        self._measured_from = float("-inf")  # the last slow-down's hold end
        self._grown_at = clock()
        self._accepted: deque[float] = deque()
        self._request = threading.local()  # the slow-down count this thread's request was let start under
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until this caller may start a request; return the seconds waited. A slow-down while it
        waits schedules it again, at the new pace and after the new hold."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._grow(now)
                start = max(now, self._hold_until, self._next_start if self.rate else now)
                if self.rate:
                    self._next_start = start + 1.0 / self.rate
                slowdowns = self._slowdowns
            self._request.slowdowns = slowdowns
            if start <= now:
                return waited
            time.sleep(start - now)
            waited += start - now
            with self._lock:
                if self._slowdowns == slowdowns:
                    return waited

    def accepted(self) -> None:
        """An answer that was not a refusal."""
        with self._lock:
            now = self._clock()
            self._accepted.append(now)
            self._forget(now)

    def refused(self, reset_seconds: float | None = None, limit: float | None = None) -> None:
        """A rate-limit answer: slow down and hold new starts until the reset time. `limit`: the guard's
        `X-RateLimit-Limit`, requests per window."""
        started_under = getattr(self._request, "slowdowns", None)
        with self._lock:
            now = self._clock()
            self.refusals += 1
            if reset_seconds:
                self._hold_until = max(self._hold_until, now + reset_seconds)
            self._forget(now)
            if started_under is not None and started_under != self._slowdowns:
                return  # let start before the last slow-down, at the old pace
            bounds = [bound for bound in (self.rate, limit, self._accepted_rate(now)) if bound]
            if not bounds:
                return  # nothing to infer a rate from: the reset time alone paces
            self.rate = max(FLOOR, DECREASE * min(bounds))
            if self.ceiling is not None:
                self.rate = min(self.rate, self.ceiling)
            self._next_start = max(self._next_start, now + 1.0 / self.rate)
            self._slowdowns += 1
            self._measured_from = self._grown_at = max(now, self._hold_until)

    def _accepted_rate(self, now: float) -> float | None:
        """The rate the server accepted over the window, or since the last slow-down's hold ended when
        that is more recent (that slow-down found the guard's allowance spent, so what came through since
        is its rate alone). None: too few answers to tell."""
        span = min(WINDOW_SECONDS, now - self._measured_from)
        if span < MIN_SPAN_SECONDS:
            span = WINDOW_SECONDS
        count = sum(1 for at in self._accepted if at >= now - span)
        return count / span if count >= MIN_EVIDENCE else None

    def _grow(self, now: float) -> None:
        if self.rate is None:
            return
        elapsed = now - self._grown_at
        if elapsed >= 1.0:
            self.rate *= INCREASE_PER_SECOND**elapsed
            if self.ceiling is not None:
                self.rate = min(self.rate, self.ceiling)
            self._grown_at = now

    def _forget(self, now: float) -> None:
        while self._accepted and self._accepted[0] < now - WINDOW_SECONDS:
            self._accepted.popleft()
