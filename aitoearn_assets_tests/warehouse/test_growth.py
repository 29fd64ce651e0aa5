"""Growth definitions: checked by hand on small data, and against a plain SQL version on random data."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import duckdb
import pytest

from aitoearn_assets.warehouse.growth import compute_account_growth, compute_work_growth, negative_gains
from aitoearn_assets.warehouse.schema import ensure_schema

D = date(2026, 11, 20)  # the latest snapshot date in these tests
T = datetime(2026, 11, 20, 12)


@pytest.fixture
def con():
    con = duckdb.connect(":memory:")
    ensure_schema(con, "sandbox")
    yield con
    con.close()


def snap(con, work: str, day: date, platform: str = "tiktok", account: str = "a", **metrics) -> None:
    cols = ", ".join(["platform", "account_id", "platform_work_id", "snapshot_date", "fetched_at", *metrics])
    marks = ", ".join("?" for _ in range(5 + len(metrics)))
    con.execute(
        f"INSERT INTO work_snapshots ({cols}) VALUES ({marks})", [platform, account, work, day, T, *metrics.values()]
    )


def work(con, work_id: str, published: date | None, platform: str = "tiktok", account: str = "a") -> None:
    con.execute(
        "INSERT INTO raw_works (platform, account_id, platform_work_id, published_at, fetched_at) VALUES (?, ?, ?, ?, ?)",
        [platform, account, work_id, datetime.combine(published, datetime.min.time()) if published else None, T],
    )


def growth(con) -> dict:
    return {r["platform_work_id"]: r for r in compute_work_growth(con).iter_rows(named=True)}


def test_gains_by_hand(con):
    old = D - timedelta(days=100)
    # w1: daily snapshots; views 100/day, likes 10/day
    work(con, "w1", old)
    for back in range(0, 30):
        snap(con, "w1", D - timedelta(days=back), view_count=10_000 - 100 * back, like_count=1_000 - 10 * back)
    # w2: seen today and 10 days ago only: 1-day window [D-2, D-1] empty; 7-day window [D-14, D-7] has D-10
    work(con, "w2", old)
    snap(con, "w2", D, view_count=500, like_count=50)
    snap(con, "w2", D - timedelta(days=10), view_count=300, like_count=20)
    # w3: published 3 days ago: its 7- and 28-day baselines are 0, its 1-day one is yesterday's snapshot
    work(con, "w3", D - timedelta(days=3))
    snap(con, "w3", D, view_count=900, like_count=90)
    snap(con, "w3", D - timedelta(days=1), view_count=600, like_count=None)
    # w4: exposure measured with views today, impressions a week ago: no exposure gain across measures
    work(con, "w4", old)
    snap(con, "w4", D, view_count=400, like_count=4)
    snap(con, "w4", D - timedelta(days=7), impression_count=100, like_count=1)
    # w5: the platform lowered a count: a negative gain, not clamped
    work(con, "w5", old)
    snap(con, "w5", D, view_count=90, like_count=9)
    snap(con, "w5", D - timedelta(days=1), view_count=100, like_count=10)

    g = growth(con)
    assert (g["w1"]["exposure"], g["w1"]["interactions"]) == (10_000, 1_000)
    assert (g["w1"]["exposure_gain_1d"], g["w1"]["exposure_gain_7d"], g["w1"]["exposure_gain_28d"]) == (100, 700, 2_800)
    assert (g["w1"]["interactions_gain_1d"], g["w1"]["interactions_gain_7d"], g["w1"]["interactions_gain_28d"]) == (
        10,
        70,
        280,
    )
    assert (
        g["w2"]["exposure_gain_1d"] is None
        and g["w2"]["exposure_gain_7d"] == 200
        and g["w2"]["interactions_gain_7d"] == 30
    )
    assert g["w2"]["exposure_gain_28d"] is None  # no snapshot between D-56 and D-28
    assert (g["w3"]["exposure_gain_1d"], g["w3"]["exposure_gain_7d"], g["w3"]["exposure_gain_28d"]) == (300, 900, 900)
    assert g["w3"]["interactions_gain_1d"] is None and g["w3"]["interactions_gain_7d"] == 90  # NULL baseline; fresh
    assert g["w4"]["exposure_gain_7d"] is None and g["w4"]["interactions_gain_7d"] == 3
    assert (g["w5"]["exposure_gain_1d"], g["w5"]["interactions_gain_1d"]) == (-10, -1)
    assert negative_gains(compute_work_growth(con))["platform_work_id"].to_list() == ["w5"]
    assert all(r["snapshot_date"] == D for r in g.values())


def test_a_daily_series_gains_the_sum_of_its_days(con):
    work(con, "p1", D - timedelta(days=60), platform="pinterest")
    snap(con, "p1", D, platform="pinterest", impression_count=99_999, save_count=7)  # window totals: not used
    for back in range(0, 40):
        con.execute(
            "INSERT INTO work_metrics_daily (platform, account_id, platform_work_id, day, impression_count, save_count, "
            "fetched_at) VALUES ('pinterest', 'a', 'p1', ?, ?, ?, ?)",
            [D - timedelta(days=back), 10 + back, 1, T],
        )
    p = growth(con)["p1"]
    assert p["exposure_gain_1d"] == 10 and p["exposure_gain_7d"] == sum(10 + b for b in range(7))
    assert p["exposure_gain_28d"] == sum(10 + b for b in range(28)) and p["interactions_gain_28d"] == 28


def test_account_growth_by_hand(con):
    for back, followers in ((0, 1_500), (7, 1_200), (30, 1_000)):
        con.execute(
            "INSERT INTO account_snapshots (platform, account_id, snapshot_date, followers, source, fetched_at) "
            "VALUES ('tiktok', 'a', ?, ?, 'analytics', ?)",
            [D - timedelta(days=back), followers, T],
        )
    work(con, "w1", D - timedelta(days=2))  # published in the last 7 days
    work(con, "w2", D - timedelta(days=20))  # in the last 28
    work(con, "w3", D - timedelta(days=200))
    snap(con, "w1", D, view_count=1_000, like_count=50)  # fresh: gains 1000 and 50
    snap(con, "w2", D, view_count=700, like_count=30)
    snap(con, "w2", D - timedelta(days=8), view_count=500, like_count=10)  # gains 200 and 20
    snap(con, "w3", D, view_count=50)  # no interactions: not in the rate
    snap(con, "w3", D - timedelta(days=7), view_count=40)
    (a,) = compute_account_growth(con, compute_work_growth(con)).iter_rows(named=True)
    assert (a["followers"], a["followers_gain_7d"], a["followers_gain_28d"]) == (1_500, 300, 500)
    assert (a["exposure_gain_7d"], a["interactions_gain_7d"]) == (1_000 + 200 + 10, 50 + 20)
    assert a["engagement_rate_7d"] == pytest.approx((50 + 20) / (1_000 + 200))
    assert (a["works_published_7d"], a["works_published_28d"]) == (1, 2)


REFERENCE_SQL = """
WITH m AS (
    SELECT s.*,
           CASE WHEN like_count IS NOT NULL OR comment_count IS NOT NULL OR share_count IS NOT NULL
                  OR collect_count IS NOT NULL OR save_count IS NOT NULL
                THEN coalesce(like_count, 0) + coalesce(comment_count, 0) + coalesce(share_count, 0)
                   + coalesce(collect_count, 0) + coalesce(save_count, 0)
                ELSE engagement_count END AS i,
           CASE WHEN like_count IS NOT NULL OR comment_count IS NOT NULL OR share_count IS NOT NULL
                  OR collect_count IS NOT NULL OR save_count IS NOT NULL THEN 'parts'
                WHEN engagement_count IS NOT NULL THEN 'engagement' END AS im,
           coalesce(view_count, impression_count, reach_count, play_count) AS e,
           CASE WHEN view_count IS NOT NULL THEN 'v' WHEN impression_count IS NOT NULL THEN 'im'
                WHEN reach_count IS NOT NULL THEN 'r' WHEN play_count IS NOT NULL THEN 'p' END AS em
    FROM work_snapshots AS s
),
l AS (SELECT platform, account_id, platform_work_id, max(snapshot_date) AS latest FROM m GROUP BY ALL)
SELECT l.platform, l.account_id, l.platform_work_id, l.latest AS snapshot_date, cur.e AS exposure, cur.i AS interactions,
       {gains}
FROM l
JOIN m AS cur USING (platform, account_id, platform_work_id)
LEFT JOIN raw_works AS r USING (platform, account_id, platform_work_id)
WHERE cur.snapshot_date = l.latest
ORDER BY ALL
"""
GAIN = """
CASE WHEN r.published_at::DATE > l.latest - {n} THEN cur.{v}
     ELSE (SELECT CASE WHEN b.{m} = cur.{m} THEN cur.{v} - b.{v} END FROM m AS b
           WHERE b.platform = l.platform AND b.account_id = l.account_id AND b.platform_work_id = l.platform_work_id
             AND b.snapshot_date = (SELECT max(x.snapshot_date) FROM m AS x
                                    WHERE x.platform = l.platform AND x.account_id = l.account_id
                                      AND x.platform_work_id = l.platform_work_id
                                      AND x.snapshot_date BETWEEN l.latest - {twice} AND l.latest - {n}))
END AS {name}_gain_{n}d
"""


def test_polars_equals_plain_sql_on_random_data(con):
    rng = random.Random(7)
    for w in range(300):
        work(con, f"w{w}", None if w % 11 == 0 else D - timedelta(days=rng.randint(0, 90)), account=f"a{w % 9}")
        days = sorted(rng.sample(range(0, 70), rng.randint(1, 25)))
        shift = rng.choice([0, 0, 0, 3])  # some works were last seen days ago
        for back in days:

            def value():
                return None if rng.random() < 0.15 else rng.randint(0, 10_000)

            snap(con, f"w{w}", D - timedelta(days=back + shift), account=f"a{w % 9}",
                 view_count=value() if w % 3 else None, impression_count=value(), like_count=value(),
                 save_count=value() if w % 4 == 0 else None, engagement_count=value())  # fmt: skip
    gains = ",\n".join(
        GAIN.format(n=n, twice=2 * n, v=v, m=m, name=name)
        for name, v, m in (("exposure", "e", "em"), ("interactions", "i", "im"))
        for n in (1, 7, 28)
    )
    expected = con.sql(REFERENCE_SQL.format(gains=gains)).pl()
    got = compute_work_growth(con).sort("platform", "account_id", "platform_work_id")
    expected = expected.select(got.columns).sort("platform", "account_id", "platform_work_id")
    assert got.height == 300 and got.equals(expected.cast(got.schema))
    assert got["exposure_gain_7d"].null_count() not in (0, 300)  # both kinds of case occur
    assert (got["interactions_gain_1d"] < 0).any()
