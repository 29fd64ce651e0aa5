"""account_benchmarks by hand: peers with 5 rated works, the share strictly lower, ties, the median."""

from __future__ import annotations

from datetime import datetime

import pytest

from aitoearn_assets.warehouse.benchmarks import compute_account_benchmarks
from aitoearn_assets.warehouse.engagement import build_account_engagement

from .insight_data import T, add_work


def account(con, name: str, rated: int, likes_per_100: int, platform: str = "tiktok") -> None:
    for n in range(rated):
        add_work(con, f"{name}{n}", datetime(2026, 11, 1), 100, likes_per_100, account=name, platform=platform)


def test_percentiles_among_the_accounts_with_five_rated_works(con):
    account(con, "low", 5, 1)  # rate 0.01
    account(con, "mid", 6, 3)
    account(con, "tie", 5, 3)  # the same rate as mid
    account(con, "top", 9, 8)
    account(con, "four", 4, 50)  # 4 rated works: not ranked, and no peer
    account(con, "alone", 7, 2, platform="KWAI")
    build_account_engagement(con, T)
    rows = {r["account_id"]: r for r in compute_account_benchmarks(con).iter_rows(named=True)}
    assert {a: rows[a]["percentile"] for a in ("low", "mid", "tie", "top", "four")} == {
        "low": 0.0, "mid": 0.25, "tie": 0.25, "top": 0.75, "four": None,
    }  # fmt: skip
    assert all(rows[a]["platform_accounts"] == 4 for a in ("low", "four"))
    assert rows["four"]["platform_median_rate"] == pytest.approx(0.03)  # of 0.01, 0.03, 0.03, 0.08
    assert rows["four"]["engagement_rate"] == pytest.approx(0.5) and rows["four"]["works_rated"] == 4
    assert (rows["alone"]["percentile"], rows["alone"]["platform_accounts"]) == (0.0, 1)
