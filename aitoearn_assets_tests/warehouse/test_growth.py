"""Growth definitions, checked by hand: gains between real observations, never carried-over values.

The snapshots here are written as the pipeline writes them: the twelve metrics, and exposure and
interactions with the metric each used and the date each was observed (`*_observed_on`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from aitoearn_assets.warehouse import growth as growth_module
from aitoearn_assets.warehouse.growth import compute_account_growth, compute_work_growth, negative_gains

D = date(2026, 11, 20)  # the latest run date in these tests
T = datetime(2026, 11, 20, 12)


def snap(
    con,
    work: str,
    day: date,
    views: int | None = None,
    likes: int | None = None,
    *,
    seen: date | None = None,
    likes_seen: date | None = None,
    exposure_metric: str = "view_count",
    platform: str = "tiktok",
    account: str = "a",
) -> None:
    """A snapshot on `day` of views and likes, observed on `seen` (default: that day: a new observation)."""
    seen = seen or day
    con.execute(
        "INSERT INTO work_snapshots (platform, account_id, platform_work_id, snapshot_date, view_count, like_count, "
        "fetched_at, exposure, exposure_metric, exposure_observed_on, interactions, interactions_metric, "
        "interactions_observed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [platform, account, work, day, views, likes, T, views, exposure_metric if views is not None else None,
         seen if views is not None else None, likes, "like_count" if likes is not None else None,
         (likes_seen or seen) if likes is not None else None],
    )  # fmt: skip


def work(con, work_id: str, published: date | None, platform: str = "tiktok", account: str = "a") -> None:
    con.execute(
        "INSERT INTO raw_works (platform, account_id, platform_work_id, published_at, fetched_at, observed_on) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [platform, account, work_id, datetime.combine(published, datetime.min.time()) if published else None, T, D],
    )


def growth(con) -> dict:
    return {r["platform_work_id"]: r for r in compute_work_growth(con).iter_rows(named=True)}


@pytest.fixture(params=["one pass", "a pass per work"])
def passes(request, monkeypatch):
    """Every work in one pass over the snapshots, or (as past growth.WORKS_PER_PASS works) works in passes."""
    if request.param == "a pass per work":
        monkeypatch.setattr(growth_module, "WORKS_PER_PASS", 1)
    return request.param


def test_gains_by_hand(con, passes):
    old = D - timedelta(days=100)
    # w1: observed every day; views 100/day, likes 10/day
    work(con, "w1", old)
    for back in range(0, 30):
        snap(con, "w1", D - timedelta(days=back), 10_000 - 100 * back, 1_000 - 10 * back)
    # w2: seen today and 10 days ago only: 1-day window [D-2, D-1] empty; 7-day window [D-14, D-7] has D-10
    work(con, "w2", old)
    snap(con, "w2", D, 500, 50)
    snap(con, "w2", D - timedelta(days=10), 300, 20)
    # w3: published 3 days ago: its 7- and 28-day baselines are 0, its 1-day one is yesterday's snapshot
    work(con, "w3", D - timedelta(days=3))
    snap(con, "w3", D, 900, 90)
    snap(con, "w3", D - timedelta(days=1), 600, None)
    # w4: exposure measured with views today, impressions a week ago: no exposure gain across measures
    work(con, "w4", old)
    snap(con, "w4", D, 400, 4)
    snap(con, "w4", D - timedelta(days=7), 100, 1, exposure_metric="impression_count")
    # w5: the platform lowered a count: a negative gain, not clamped
    work(con, "w5", old)
    snap(con, "w5", D, 90, 9)
    snap(con, "w5", D - timedelta(days=1), 100, 10)

    g = growth(con)
    assert (g["w1"]["exposure"], g["w1"]["interactions"]) == (10_000, 1_000)
    assert (g["w1"]["exposure_gain_1d"], g["w1"]["exposure_gain_7d"], g["w1"]["exposure_gain_28d"]) == (100, 700, 2_800)
    assert (g["w1"]["interactions_gain_1d"], g["w1"]["interactions_gain_7d"]) == (10, 70)
    assert g["w1"]["interactions_gain_28d"] == 280
    assert g["w2"]["exposure_gain_1d"] is None and (g["w2"]["exposure_gain_7d"], g["w2"]["interactions_gain_7d"]) == (
        200,
        30,
    )
    assert g["w2"]["exposure_gain_28d"] is None  # no observation between D-56 and D-28
    assert (g["w3"]["exposure_gain_1d"], g["w3"]["exposure_gain_7d"], g["w3"]["exposure_gain_28d"]) == (300, 900, 900)
    assert g["w3"]["interactions_gain_1d"] is None and g["w3"]["interactions_gain_7d"] == 90  # no baseline; fresh
    assert g["w4"]["exposure_gain_7d"] is None and g["w4"]["interactions_gain_7d"] == 3
    assert (g["w5"]["exposure_gain_1d"], g["w5"]["interactions_gain_1d"]) == (-10, -1)
    assert negative_gains(compute_work_growth(con))["platform_work_id"].to_list() == ["w5"]
    assert all(r["snapshot_date"] == D for r in g.values())


def test_weekly_analytics_give_no_daily_gain_and_an_exact_weekly_one(con, passes):
    """A YouTube work's numbers come from work analytics, asked every 7 days; the daily snapshots between
    show the last answer (carried over). Three weeks by hand."""
    start = D - timedelta(days=14)
    answers = {start: (1_000, 40), start + timedelta(days=7): (1_600, 70), D: (2_050, 95)}  # views, likes
    for wid, published in (("fresh", start - timedelta(days=3)), ("old", D - timedelta(days=200))):
        work(con, wid, published, platform="youtube")
        for back in range(0, 15):
            day = D - timedelta(days=back)
            asked = max(a for a in answers if a <= day)  # the latest answer by that day
            snap(con, wid, day, *answers[asked], seen=asked, platform="youtube")
    g = growth(con)
    for wid in ("fresh", "old"):
        assert g[wid]["exposure"] == 2_050 and g[wid]["exposure_observed_on"] == D
        assert g[wid]["exposure_gain_1d"] is None and g[wid]["interactions_gain_1d"] is None  # nothing observed D-1
        assert (g[wid]["exposure_gain_7d"], g[wid]["interactions_gain_7d"]) == (2_050 - 1_600, 95 - 70)
    assert (g["fresh"]["exposure_gain_28d"], g["fresh"]["interactions_gain_28d"]) == (2_050, 95)  # all within 28 days
    assert g["old"]["exposure_gain_28d"] is None  # its first answer is 14 days old: no baseline 28-56 days back

    # the day after an answer: the latest observation is still D, a carried snapshot changes nothing
    snap(con, "old", D + timedelta(days=1), 2_050, 95, seen=D, platform="youtube")
    again = growth(con)["old"]
    assert again["snapshot_date"] == D + timedelta(days=1) and again["exposure_observed_on"] == D
    assert again["exposure_gain_7d"] == 2_050 - 1_600 and again["exposure_gain_1d"] is None


def test_interactions_are_observed_when_their_stalest_part_is(con):
    """Instagram: likes come from the list (daily), saves from weekly analytics; their sum is only observed
    on the day both were: a day with fresh likes and week-old saves is no observation of interactions."""
    work(con, "ig", D - timedelta(days=60), platform="instagram")
    snap(con, "ig", D - timedelta(days=7), 500, 60, platform="instagram", exposure_metric="reach_count")
    snap(con, "ig", D - timedelta(days=1), 550, 75, likes_seen=D - timedelta(days=7), platform="instagram",
         exposure_metric="reach_count")  # fmt: skip
    snap(con, "ig", D, 600, 90, platform="instagram", exposure_metric="reach_count")
    g = growth(con)["ig"]
    assert (g["exposure_gain_1d"], g["exposure_gain_7d"]) == (50, 100)
    assert (g["interactions_gain_1d"], g["interactions_gain_7d"]) == (None, 30)


def daily(con, work_id: str, day: date, impressions: int) -> None:
    con.execute(
        "INSERT INTO work_metrics_daily (platform, account_id, platform_work_id, day, impression_count, save_count, "
        "fetched_at) VALUES ('pinterest', 'a', ?, ?, ?, 1, ?)",
        [work_id, day, impressions, T],
    )


def test_a_daily_series_gains_the_sum_of_its_last_days_and_nothing_with_a_gap(con):
    work(con, "p1", D - timedelta(days=60), platform="pinterest")
    snap(con, "p1", D, 99_999, 7, platform="pinterest", exposure_metric="impression_count")  # window totals: unused
    for back in range(0, 40):
        if back != 10:  # day D-10 was never answered
            daily(con, "p1", D - timedelta(days=back), 10 + back)
    p = growth(con)["p1"]
    assert p["exposure_gain_1d"] == 10 and p["exposure_gain_7d"] == sum(10 + b for b in range(7))
    assert p["interactions_gain_7d"] == 7  # one save a day
    assert p["exposure_gain_28d"] is None and p["interactions_gain_28d"] is None  # a day of the 28 is missing


def account_snapshot(con, day: date, followers: int, source: str = "analytics", seen: date | None = None) -> None:
    con.execute(
        "INSERT INTO account_snapshots (platform, account_id, snapshot_date, followers, source, fetched_at, "
        "observed_on) VALUES ('tiktok', 'a', ?, ?, ?, ?, ?)",
        [day, followers, source, T, seen or (day if source == "analytics" else None)],
    )


def test_account_growth_by_hand(con):
    con.execute(
        "INSERT INTO accounts (account_id, platform, fans_count, fetched_at) VALUES ('a', 'tiktok', 900, ?)", [T]
    )
    for back, followers in ((0, 1_500), (7, 1_200), (30, 1_000)):
        account_snapshot(con, D - timedelta(days=back), followers)
    work(con, "w1", D - timedelta(days=2))  # published in the last 7 days
    work(con, "w2", D - timedelta(days=20))  # in the last 28
    work(con, "w3", D - timedelta(days=200))
    snap(con, "w1", D, 1_000, 50)  # fresh: gains 1000 and 50
    snap(con, "w2", D, 700, 30)
    snap(con, "w2", D - timedelta(days=8), 500, 10)  # gains 200 and 20
    snap(con, "w3", D, 50)  # no interactions: not in the rate
    snap(con, "w3", D - timedelta(days=7), 40)
    snap(con, "gone", D, 5_000, 500)  # no longer in raw_works: its gains do not count
    snap(con, "gone", D - timedelta(days=7), 1_000, 100)
    (a,) = compute_account_growth(con, compute_work_growth(con)).iter_rows(named=True)
    assert (a["followers"], a["followers_source"]) == (1_500, "analytics")  # live, not the cached 900
    assert (a["followers_gain_7d"], a["followers_gain_28d"]) == (300, 500)
    assert (a["exposure_gain_7d"], a["interactions_gain_7d"]) == (1_000 + 200 + 10, 50 + 20)
    assert a["engagement_rate_7d"] == pytest.approx((50 + 20) / (1_000 + 200))
    assert (a["works_published_7d"], a["works_published_28d"], a["snapshot_date"]) == (1, 2, D)


def test_cached_followers_gain_between_the_dates_aitoearn_fetched_them(con):
    """No live counter: the cached one counts, observed on its lastStatsTime; copies of one cached value on
    later days are no new observation."""
    con.execute(
        "INSERT INTO accounts (account_id, platform, fans_count, last_stats_time, fetched_at) "
        "VALUES ('a', 'tiktok', 700, ?, ?)",
        [datetime.combine(D - timedelta(days=2), datetime.min.time()), T],
    )
    for back, followers, fetched in ((0, 700, 2), (1, 700, 2), (3, 640, 10), (9, 640, 10), (11, 600, 11)):
        account_snapshot(con, D - timedelta(days=back), followers, "accounts", D - timedelta(days=fetched))
    (a,) = compute_account_growth(con, compute_work_growth(con)).iter_rows(named=True)
    assert (a["followers"], a["followers_source"]) == (700, "accounts")
    # latest observation D-2 (700); in [D-16, D-9]: D-10 (640)
    assert a["followers_gain_7d"] == 60 and a["followers_gain_28d"] is None


def test_only_works_work_engagement_shows_have_growth(con, passes):
    """A work gone from raw_works, and the works of an account the key no longer lists, have no growth rows
    (the report's gains add work_growth up)."""
    con.execute(
        "INSERT INTO accounts (account_id, platform, fetched_at, removed_at) VALUES ('a', 'tiktok', ?, NULL), "
        "('r', 'tiktok', ?, ?)",
        [T, T, T],
    )
    for account in ("a", "r"):
        work(con, f"{account}1", D - timedelta(days=100), account=account)
        for back in (0, 7):
            snap(con, f"{account}1", D - timedelta(days=back), 100 - back, account=account)
    snap(con, "gone", D, 5_000)
    snap(con, "gone", D - timedelta(days=7), 1_000)
    assert set(growth(con)) == {"a1"}
    assert growth(con)["a1"]["exposure_gain_7d"] == 7


def test_a_stored_day_before_the_publication_day_leaves_the_daily_gain_defined(con):
    """Pinterest's days follow the platform's clock: a day stored before the UTC publication day (here the
    16th, for a work published on the 17th at 01:00 UTC) is data, not an extra day that voids the sums."""
    con.execute(
        "INSERT INTO raw_works (platform, account_id, platform_work_id, published_at, fetched_at, observed_on) "
        "VALUES ('pinterest', 'a', 'p2', ?, ?, ?)",
        [datetime(2026, 11, 17, 1), T, D],
    )
    snap(con, "p2", D, 1, 1, platform="pinterest", exposure_metric="impression_count")
    for day in range(16, 21):
        daily(con, "p2", date(2026, 11, day), day)
    p = growth(con)["p2"]
    assert p["exposure_gain_1d"] == 20 and p["exposure_gain_7d"] == sum(range(16, 21))
    assert p["exposure_gain_28d"] == sum(range(16, 21))


def test_works_last_observed_before_the_recent_days_are_looked_for_in_their_whole_history(con, passes):
    """A work with no snapshot in the recent days, one whose views were last observed before them, and one
    whose platform never reports views: each gets the gains of its real observations."""
    old = D - timedelta(days=100)
    work(con, "w1", old)  # keeps the latest snapshot date at D
    snap(con, "w1", D, 10, 1)
    # gone: its snapshots stop 10 days before D (views +100 a day, likes +10)
    work(con, "gone", old)
    for back in range(10, 40):
        snap(con, "gone", D - timedelta(days=back), 10_000 - 100 * back, 1_000 - 10 * back)
    # carried: views last observed 9 days before D and carried over since (+50 a day before); likes every day (+5)
    work(con, "carried", old)
    for back in range(0, 40):
        seen = max(back, 9)
        snap(con, "carried", D - timedelta(days=back), 5_000 - 50 * seen, 500 - 5 * back,
             seen=D - timedelta(days=seen), likes_seen=D - timedelta(days=back))  # fmt: skip

    # never: its platform reports no views (no exposure in any snapshot); likes every day (+3)
    work(con, "never", old, platform="xhs")
    for back in range(0, 40):
        snap(con, "never", D - timedelta(days=back), None, 300 - 3 * back, platform="xhs")

    g = growth(con)
    assert g["never"]["exposure"] is None and g["never"]["exposure_observed_on"] is None
    assert [g["never"][f"exposure_gain_{n}d"] for n in (1, 7, 28)] == [None, None, None]
    assert [g["never"][f"interactions_gain_{n}d"] for n in (1, 7, 28)] == [3, 21, 84]
    assert g["never"]["interactions_observed_on"] == D
    assert g["gone"]["snapshot_date"] == D - timedelta(days=10)
    assert (g["gone"]["exposure_gain_1d"], g["gone"]["exposure_gain_7d"], g["gone"]["exposure_gain_28d"]) == (
        100,
        700,
        2_800,
    )
    assert g["gone"]["interactions_gain_7d"] == 70
    assert (g["carried"]["exposure"], g["carried"]["exposure_observed_on"]) == (4_550, D - timedelta(days=9))
    assert (g["carried"]["exposure_gain_1d"], g["carried"]["exposure_gain_7d"], g["carried"]["exposure_gain_28d"]) == (
        50,
        350,
        1_400,
    )
    assert (g["carried"]["interactions_gain_1d"], g["carried"]["interactions_gain_28d"]) == (5, 140)
