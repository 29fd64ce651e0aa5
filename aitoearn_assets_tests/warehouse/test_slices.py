"""posting_times and content_type_engagement by hand: the slot in the reporting timezone, the three figures."""

from __future__ import annotations

from datetime import datetime

import pytest

from aitoearn_assets.warehouse.slices import compute_content_type_engagement, compute_posting_times, read_works

from .insight_data import add_work


@pytest.fixture
def con(con):
    # Monday 2026-11-16 after 16:00 UTC is Tuesday past midnight in Shanghai (UTC+8)
    add_work(con, "w1", datetime(2026, 11, 16, 17, 30), 1_000, 100)  # rate 0.1
    add_work(con, "w2", datetime(2026, 11, 16, 17, 5), 3_000, 90, mode="article")  # rate 0.03
    add_work(con, "w3", datetime(2026, 11, 16, 17, 59), None, 7)  # not rated: no exposure
    add_work(con, "w4", datetime(2026, 11, 16, 15, 59), 500, None)  # 23:59 in Shanghai: still Monday
    add_work(con, "w5", None, 800, 8)  # no publish time: in no slot
    return con


def slots(con, timezone: str) -> dict:
    frame = compute_posting_times(read_works(con), timezone)
    return {(r["weekday"], r["hour"]): r for r in frame.iter_rows(named=True)}


def test_a_work_moves_across_midnight_with_the_timezone(con):
    shanghai = slots(con, "Asia/Shanghai")
    assert set(shanghai) == {(2, 1), (1, 23)}  # Tuesday 01:00 and Monday 23:00
    assert set(slots(con, "UTC")) == {(1, 17), (1, 15)}
    assert shanghai[(1, 23)]["works"] == 1 and shanghai[(1, 23)]["works_rated"] == 0


def test_the_figures_of_a_slot(con):
    slot = slots(con, "Asia/Shanghai")[(2, 1)]
    assert slot["works"] == 3 and slot["works_rated"] == 2 and slot["exposure"] == 4_000
    assert slot["engagement_rate"] == pytest.approx(190 / 4_000)  # pooled, not the mean of 0.1 and 0.03
    assert slot["median_engagement_rate"] == pytest.approx((0.1 + 0.03) / 2)
    assert slot["median_interactions"] == 90  # of 100, 90 and 7


def test_an_unrated_slot_has_no_rate(con):
    slot = slots(con, "Asia/Shanghai")[(1, 23)]
    assert slot["engagement_rate"] is None and slot["median_engagement_rate"] is None
    assert slot["exposure"] is None and slot["median_interactions"] is None  # w4 reports no interactions


def test_content_types(con):
    rows = {r["content_mode"]: r for r in compute_content_type_engagement(read_works(con)).iter_rows(named=True)}
    assert rows["article"]["works"] == 1 and rows["article"]["engagement_rate"] == pytest.approx(0.03)
    assert rows["video"]["works"] == 4 and rows["video"]["works_rated"] == 2  # w1 and w5 (w3, w4 lack a measure)
    assert rows["video"]["engagement_rate"] == pytest.approx((100 + 8) / (1_000 + 800))
