"""Backoff: exponential, jittered, capped, and a server's reset time honoured."""

from __future__ import annotations

import random

import pytest

from aitoearn_assets.api.pace import AdaptivePace
from aitoearn_assets.api.retry import RetryPolicy


def test_delays_double_with_jitter_and_stay_capped():
    policy = RetryPolicy(base_delay_seconds=1.0, max_delay_seconds=5.0)
    rng = random.Random(1)
    for retry, cap in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        delays = [policy.delay(retry, rng=rng) for _ in range(200)]
        assert cap / 2 <= min(delays) and max(delays) <= cap
        assert max(delays) - min(delays) > cap / 4  # jittered, not a fixed wait


def test_a_later_server_reset_wins_but_never_past_the_cap():
    policy = RetryPolicy(base_delay_seconds=0.1, max_delay_seconds=3.0)
    assert policy.delay(1, server_hint_seconds=2.0) == 2.0
    assert policy.delay(1, server_hint_seconds=60.0) == 3.0


@pytest.mark.parametrize("bad", [{"max_attempts": 0}, {"base_delay_seconds": -1}])
def test_nonsense_settings_are_refused(bad):
    with pytest.raises(ValueError):
        RetryPolicy(**bad)
    with pytest.raises(ValueError, match="max_requests_per_second"):
        AdaptivePace(0)


def test_envelope_429_waits_for_the_servers_reset(make_client, sandbox):
    sandbox.faults.add("envelope_429", times=1, path_contains="/accounts", reset_ms=300)
    client = make_client(retry=RetryPolicy(max_attempts=3, base_delay_seconds=0.001, max_delay_seconds=1.0))
    client.list_accounts()
    assert client.stats.retries == 1 and 0.2 <= client.stats.wait_seconds <= 1.0
