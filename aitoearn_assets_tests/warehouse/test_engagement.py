"""The written definitions, checked on small hand-computed data."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from aitoearn_assets.warehouse.engagement import build_account_engagement, build_top_works
from aitoearn_assets.warehouse.schema import ensure_schema

COMPUTED_AT = datetime(2026, 11, 29, 3, 0)
T = datetime(2026, 1, 1)

# (platform, account, work, published day, view, play, like, comment, share, collect, save)
WORKS = [
    ("tiktok", "acc_a", "a1", 1, 1000, None, 10, 5, None, None, None),  # 15 / 1000 by view_count
    ("tiktok", "acc_a", "a2", 2, None, 200, 20, None, None, None, None),  # 20 / 200 by play_count
    ("tiktok", "acc_a", "a3", 3, 500, None, None, None, None, None, None),  # no interactions: not rated
    ("tiktok", "acc_a", "a4", 4, 0, None, 3, None, None, None, None),  # zero exposure: not rated
    ("tiktok", "acc_a", "a5", 5, None, None, 7, None, None, None, 1),  # no exposure: not rated
    ("tiktok", "acc_b", "b1", 1, 100, None, None, None, None, None, None),  # nothing but views
    ("KWAI", "acc_c", "c1", 1, 100, None, 10, None, None, None, None),
    ("KWAI", "acc_c", "c2", 3, 100, None, 10, None, None, None, None),  # ties c1 and c3 on interactions
    ("KWAI", "acc_c", "c3", 3, 100, None, 10, None, None, None, None),  # and c2 on published_at
    ("KWAI", "acc_c", "c4", 2, 50, None, None, 1, 1, None, None),
    ("KWAI", "acc_d", "d1", 1, 10, None, 0, None, None, None, None),  # interactions 0: median 0
]
ACCOUNTS = [("acc_a", "tiktok", "A", 100), ("acc_b", "tiktok", "B", 0), ("acc_d", "KWAI", "D", None)]


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con, "sandbox")
    for p, a, w, day, view, play, like, comment, share, collect, save in WORKS:
        con.execute(
            "INSERT INTO raw_works (platform, account_id, platform_work_id, published_at, view_count, play_count, "
            "like_count, comment_count, share_count, collect_count, save_count, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [p, a, w, T.replace(day=day), view, play, like, comment, share, collect, save, T],
        )
    for account_id, platform, nickname, fans in ACCOUNTS:
        con.execute(
            "INSERT INTO accounts (account_id, platform, nickname, fans_count, fetched_at) VALUES (?, ?, ?, ?, ?)",
            [account_id, platform, nickname, fans, T],
        )
    yield con
    con.close()


def rows(con, sql: str) -> dict:
    frame = con.sql(sql).pl()
    return {r.pop("key"): r for r in frame.iter_rows(named=True)}


def test_per_work_definitions(con):
    got = rows(
        con,
        "SELECT platform_work_id AS key, interactions, exposure, exposure_metric, engagement_rate FROM work_engagement",
    )
    assert got["a1"] == {
        "interactions": 15,
        "exposure": 1000,
        "exposure_metric": "view_count",
        "engagement_rate": 0.015,
    }
    assert got["a2"] == {"interactions": 20, "exposure": 200, "exposure_metric": "play_count", "engagement_rate": 0.1}
    assert got["a3"] == {
        "interactions": None,
        "exposure": 500,
        "exposure_metric": "view_count",
        "engagement_rate": None,
    }
    assert got["a4"]["engagement_rate"] is None and got["a4"]["exposure"] == 0
    assert got["a5"] == {"interactions": 8, "exposure": None, "exposure_metric": None, "engagement_rate": None}


def test_account_engagement(con):
    assert build_account_engagement(con, COMPUTED_AT) == 4
    got = rows(con, "SELECT account_id AS key, * EXCLUDE (account_id, platform) FROM account_engagement")
    a = got["acc_a"]
    assert (a["nickname"], a["works"], a["works_rated"], a["interactions"], a["exposure"]) == ("A", 5, 2, 46, 1200)
    assert a["engagement_rate"] == pytest.approx(35 / 1200)
    assert a["median_engagement_rate"] == pytest.approx((0.015 + 0.1) / 2)  # even count: the mean of the middle two
    assert a["followers"] == 100
    assert a["engagement_rate_by_followers"] == pytest.approx((46 / 4) / 100)
    assert (a["first_published_at"], a["last_published_at"]) == (T, T.replace(day=5))
    assert a["computed_at"] == COMPUTED_AT

    b = got["acc_b"]  # only views reported: NULL, never zero
    assert (b["works"], b["works_rated"], b["interactions"], b["exposure"]) == (1, 0, None, None)
    assert b["engagement_rate"] is None and b["median_engagement_rate"] is None
    assert b["followers"] == 0 and b["engagement_rate_by_followers"] is None

    c = got["acc_c"]  # not in accounts
    assert c["nickname"] is None and c["followers"] is None and c["engagement_rate_by_followers"] is None
    assert c["engagement_rate"] == pytest.approx(32 / 350) and c["median_engagement_rate"] == pytest.approx(0.1)

    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'account_engagement'"
        ).fetchall()
    )
    assert types["works"] == types["interactions"] == types["exposure"] == types["followers"] == "BIGINT"


def test_top_works_order_ties_and_median(con):
    assert build_top_works(con, 2) == 5
    got = con.sql("SELECT account_id, rank, platform_work_id, interactions_vs_account_median FROM top_works").fetchall()
    assert got == [
        ("acc_c", 1, "c2", 1.0),  # c1, c2, c3 tie on interactions and exposure: newest first,
        ("acc_c", 2, "c3", 1.0),  # then platform_work_id
        ("acc_d", 1, "d1", None),  # fewer than N works; the account median is 0
        ("acc_a", 1, "a2", pytest.approx(20 / 11.5)),  # median of 15, 20, 3, 8
        ("acc_a", 2, "a1", pytest.approx(15 / 11.5)),
    ]


def test_top_n_must_be_a_positive_whole_number(con):
    for bad in (0, -1, 2.5, "3; DROP TABLE raw_works"):
        with pytest.raises(ValueError, match="at least 1"):
            build_top_works(con, bad)


def test_tables_are_replaced_not_appended(con):
    build_top_works(con, 1)
    build_top_works(con, 1)
    assert con.execute("SELECT count(*) FROM top_works").fetchone() == (3,)


def add_analytics(con, platform: str, account: str, work: str, status: str = "ok", **metrics) -> None:
    """A work_metrics row: values observed (an ok answer) or, for another status, a latest attempt and no values."""
    columns = ", ".join(metrics)
    marks = ", ".join("?" for _ in metrics)
    observed = T.date() if status == "ok" else None
    con.execute(
        f"INSERT INTO work_metrics (platform, account_id, platform_work_id, status, fetched_at, observed_on"
        f"{', ' if metrics else ''}{columns}) VALUES (?, ?, ?, ?, ?, ?{', ' if metrics else ''}{marks})",
        [platform, account, work, status, T, observed, *metrics.values()],
    )


def test_each_metric_is_the_list_value_else_the_analytics_value(con):
    # a1: list views 1000, likes 10, comments 5; analytics says likes 99 (ignored: the list reported it) and saves 4
    add_analytics(con, "tiktok", "acc_a", "a1", like_count=99, save_count=4)
    # a3: list views 500 and no interactions; analytics adds likes 25
    add_analytics(con, "tiktok", "acc_a", "a3", like_count=25)
    # b1: an analytics row with no observed values (only a failed attempt) never counts
    add_analytics(con, "tiktok", "acc_b", "b1", status="error", like_count=7)
    got = rows(
        con,
        "SELECT platform_work_id AS key, like_count, save_count, interactions, engagement_rate, metrics_source "
        "FROM work_engagement WHERE platform_work_id IN ('a1', 'a3', 'b1', 'a2')",
    )
    assert got["a1"] == {"like_count": 10, "save_count": 4, "interactions": 19, "engagement_rate": 19 / 1000,
                         "metrics_source": "list+analytics"}  # fmt: skip
    (measure,) = con.execute("SELECT interactions_metric FROM work_engagement WHERE platform_work_id = 'a1'").fetchone()
    assert measure == "like_count+comment_count+save_count"  # the parts it added, in the declared order
    assert got["a3"]["interactions"] == 25 and got["a3"]["engagement_rate"] == 25 / 500
    assert got["b1"]["like_count"] is None and got["b1"]["metrics_source"] == "list"
    assert got["a2"]["metrics_source"] == "list"


def test_facebook_rate_is_engaged_users_over_impressions(con):
    con.execute(
        "INSERT INTO raw_works (platform, account_id, platform_work_id, fetched_at) VALUES "
        "('facebook', 'fb', 'f1', ?), ('facebook', 'fb', 'f2', ?), ('facebook', 'fb', 'f3', ?)",
        [T, T, T],
    )
    add_analytics(con, "facebook", "fb", "f1", impression_count=400, engagement_count=30, click_count=12)
    add_analytics(con, "facebook", "fb", "f2", impression_count=100, engagement_count=10)
    got = rows(
        con,
        "SELECT platform_work_id AS key, interactions, interactions_metric, exposure, exposure_metric, "
        "engagement_rate, metrics_source FROM work_engagement WHERE platform = 'facebook'",
    )
    assert got["f1"] == {"interactions": 30, "interactions_metric": "engagement_count", "exposure": 400,
                         "exposure_metric": "impression_count", "engagement_rate": 30 / 400,
                         "metrics_source": "analytics"}  # fmt: skip
    assert got["f3"] == {"interactions": None, "interactions_metric": None, "exposure": None, "exposure_metric": None,
                         "engagement_rate": None, "metrics_source": None}  # fmt: skip
    build_account_engagement(con, COMPUTED_AT)
    (rate,) = con.execute("SELECT engagement_rate FROM account_engagement WHERE account_id = 'fb'").fetchone()
    assert rate == pytest.approx((30 + 10) / (400 + 100))


def test_exposure_prefers_views_then_impressions_then_reach_then_plays(con):
    con.execute(
        "INSERT INTO raw_works (platform, account_id, platform_work_id, impression_count, play_count, reach_count, "
        "like_count, fetched_at) VALUES ('pinterest', 'p', 'p1', 900, 50, NULL, 9, ?), "
        "('pinterest', 'p', 'p2', NULL, 50, 70, 7, ?)",
        [T, T],
    )
    got = rows(
        con, "SELECT platform_work_id AS key, exposure, exposure_metric FROM work_engagement WHERE account_id = 'p'"
    )
    assert got == {"p1": {"exposure": 900, "exposure_metric": "impression_count"},
                   "p2": {"exposure": 70, "exposure_metric": "reach_count"}}  # fmt: skip
