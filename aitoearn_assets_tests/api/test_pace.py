"""The adaptive pace: slower after a refusal, faster again after clean answers, the reset time honoured,
the ceiling never passed; then against the sandbox's token bucket over real HTTP."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from aitoearn_assets.api.pace import DECREASE, INCREASE_PER_SECOND, AdaptivePace
from aitoearn_assets.api.retry import RetryPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_refusal_sets_the_rate_below_what_the_server_accepted():
    clock = Clock()
    pace = AdaptivePace(None, clock)
    assert pace.rate is None  # unpaced until the server refuses
    for _ in range(40):  # 40 answers accepted within the last second
        clock.now += 0.02
        pace.accepted()
    pace.refused(reset_seconds=0.1)
    assert pace.rate == pytest.approx(DECREASE * 40)


def refused_after(
    ceiling: float | None, accepted: int, every: float, limit: float | None = None
) -> tuple[AdaptivePace, Clock]:
    """A pace that had `accepted` clean answers `every` seconds apart, then one refusal (`limit`: the guard's
    X-RateLimit-Limit)."""
    clock = Clock()
    pace = AdaptivePace(ceiling, clock)
    for _ in range(accepted):
        clock.now += every
        pace.accepted()
    pace.refused(limit=limit)
    return pace, clock


def test_the_requests_already_in_flight_slow_it_once():
    clock = Clock()
    pace = AdaptivePace(100.0, clock)
    pace.acquire()  # a request let start at the old pace
    for _ in range(50):
        clock.now += 0.01
        pace.accepted()
    other = threading.Thread(target=pace.refused)  # another request's refusal, first to come back
    other.start()
    other.join()
    assert pace.rate == pytest.approx(DECREASE * 50)
    clock.now += 0.05
    pace.refused()  # the answer to the request started before the slow-down
    assert pace.rate == pytest.approx(DECREASE * 50) and pace.refusals == 2


def test_a_request_started_after_the_slow_down_and_refused_slows_it_by_what_came_through_since():
    clock = Clock()
    pace = AdaptivePace(None, clock)
    for _ in range(80):  # the guard's stored allowance and more, spent in the first second
        clock.now += 0.012
        pace.accepted()
    clock.now += 0.012
    pace.refused()
    assert pace.rate == pytest.approx(DECREASE * 80)
    for _ in range(20):  # half a second at the guard's own rate, 40 per second
        clock.now += 0.025
        pace.accepted()
    pace.acquire()  # started after the slow-down
    pace.refused()
    assert pace.rate == pytest.approx(DECREASE * 40)


def test_the_guards_limit_bounds_the_new_rate():
    pace, _ = refused_after(None, 80, 0.0125, limit=40.0)  # X-RateLimit-Limit: 40 per window
    assert pace.rate == pytest.approx(DECREASE * 40)
    pace, _ = refused_after(None, 30, 0.02, limit=600.0)  # a longer window's limit: the accepted rate is lower
    assert pace.rate == pytest.approx(DECREASE * 30)


def test_a_request_waiting_through_a_slow_down_waits_for_the_new_hold_and_counts_as_new():
    pace = AdaptivePace(10.0)  # a start every 0.1 s
    pace.acquire()
    waited: list[float] = []
    queued = threading.Thread(target=lambda: (waited.append(pace.acquire()), pace.refused()))
    queued.start()  # scheduled 0.1 s ahead, it sleeps
    time.sleep(0.02)
    pace.refused(reset_seconds=0.3)  # this thread's own request, refused
    queued.join()
    assert waited[0] >= 0.25  # rescheduled after the hold, not at its old slot
    assert pace.rate == pytest.approx(DECREASE * DECREASE * 10) and pace.refusals == 2  # its refusal is new


def test_a_ceiling_below_the_floor_still_holds():
    pace, _ = refused_after(0.2, 40, 0.02)
    assert pace.rate == 0.2


def test_clean_answers_bring_the_rate_back_up_to_the_ceiling_never_past_it():
    pace, clock = refused_after(50.0, 20, 0.05)
    low = pace.rate
    assert low == pytest.approx(DECREASE * 20)
    clock.now += 10
    pace.acquire()
    assert pace.rate == pytest.approx(low * INCREASE_PER_SECOND**10, rel=1e-6)
    clock.now += 1_000
    pace.acquire()
    assert pace.rate == 50.0  # the user's ceiling


def test_no_request_starts_before_the_reset_time():
    pace = AdaptivePace(None)
    pace.accepted()
    pace.refused(reset_seconds=0.3)
    started = time.monotonic()
    waited = pace.acquire()
    assert 0.25 <= waited <= 0.35 and time.monotonic() - started >= 0.25


def test_the_ceiling_spaces_request_starts():
    pace = AdaptivePace(50.0)
    started = time.monotonic()
    for _ in range(26):
        pace.acquire()
    assert time.monotonic() - started >= 0.45  # 25 intervals of 20 ms


def test_against_the_guards_token_bucket_it_keeps_pace_with_few_refusals(make_client, sandbox):
    """Unpaced, eight at a time, against a guard allowing 50 requests per second: the run keeps close to 50
    per second, and few requests are refused."""
    sandbox.rate_limit_per_second = 50
    sandbox.latency_seconds = 0.005
    client = make_client(max_concurrency=8, max_requests_per_second=None,
                         retry=RetryPolicy(max_attempts=8, base_delay_seconds=0.01, max_delay_seconds=1.0))  # fmt: skip
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.get("/platforms"), range(250)))
    elapsed = time.monotonic() - started
    answered = client.stats.requests - sandbox.rate_limited
    assert answered == 250
    assert answered / elapsed >= 0.8 * 50  # the burst of the first second makes the start faster still
    assert sandbox.rate_limited <= 0.04 * client.stats.requests, (sandbox.rate_limited, client.stats.requests)
    assert client.stats.rate_limited == sandbox.rate_limited and client.pace.rate <= 50  # the guard's limit


def test_the_client_reads_the_guards_limit_from_its_refusal(make_client, sandbox):
    """Two answers are too few to infer a rate from: the refusal's X-RateLimit-Limit (2 per second) sets it."""
    sandbox.rate_limit_per_second = 2
    client = make_client(max_requests_per_second=None, retry=RetryPolicy(max_attempts=3, base_delay_seconds=0.01))
    for _ in range(3):
        client.get("/platforms")
    assert sandbox.rate_limited == 1 == client.pace.refusals
    assert client.pace.rate == pytest.approx(DECREASE * 2)


def test_an_http_429_is_read_like_the_guards_envelope(make_client, sandbox):
    sandbox.faults.add("http_429", path_contains="/platforms", reset_ms=300, limit=20)
    client = make_client(max_requests_per_second=None, retry=RetryPolicy(max_attempts=3, base_delay_seconds=0.001))
    client.get("/platforms")
    assert client.stats.retries == 1 and client.stats.wait_seconds >= 0.25  # the reset time, from its header
    assert client.pace.rate == pytest.approx(DECREASE * 20)  # its X-RateLimit-Limit
