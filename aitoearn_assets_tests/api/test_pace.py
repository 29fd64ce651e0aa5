"""The adaptive pace: slower after a refusal, faster again after clean answers, the reset time honoured,
the ceiling never passed; then against the sandbox's token bucket over real HTTP."""

from __future__ import annotations

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


def refused_after(ceiling: float, accepted: int, every: float) -> tuple[AdaptivePace, Clock]:
    """A pace that had `accepted` clean answers `every` seconds apart, then one refusal."""
    clock = Clock()
    pace = AdaptivePace(ceiling, clock)
    for _ in range(accepted):
        clock.now += every
        pace.accepted()
    pace.refused()
    return pace, clock


def test_the_requests_already_in_flight_slow_it_once():
    pace, clock = refused_after(100.0, 50, 0.01)
    first = pace.rate
    clock.now += 0.05
    pace.refused()  # an answer to a request sent before the first refusal
    assert pace.rate == first == pytest.approx(DECREASE * 50) and pace.refusals == 2


def test_clean_answers_bring_the_rate_back_up_to_the_ceiling_never_past_it():
    pace, clock = refused_after(50.0, 20, 0.05)
    low = pace.rate
    assert low == pytest.approx(DECREASE * 20)
    clock.now += 10
    pace.acquire()
    assert pace.rate == pytest.approx(low * INCREASE_PER_SECOND ** (10 - 0.25), rel=1e-6)
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
    assert client.stats.rate_limited == sandbox.rate_limited and client.pace.rate <= 60
