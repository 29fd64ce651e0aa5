"""Hashtags by hand: where one starts and ends, case folding, xhs's topic form, once per work, 3 works or more."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from aitoearn_assets.warehouse.hashtags import compute_hashtag_engagement, work_hashtags
from aitoearn_assets.warehouse.slices import read_works

from .insight_data import add_work

P = datetime(2026, 11, 16, 12)


def tags_of(con, title: str | None, description: str | None = None, platform: str = "tiktok") -> list[str]:
    con.execute("DELETE FROM raw_works")
    add_work(con, "w", P, 10, 1, platform=platform, title=title, description=description)
    return sorted(work_hashtags(read_works(con))["hashtag"].to_list())


@pytest.mark.parametrize(
    ("title", "description", "expected"),
    [
        ("Trip #Travel, #food!", None, ["food", "travel"]),
        ("#travel in the title", "and #TRAVEL in the description", ["travel"]),  # once per work, case-folded
        ("#话题[话题]# and #美食[话题]#", None, ["美食", "话题"]),  # xhs's topic form
        ("#旅行[话题]#今天去了海边", None, ["旅行"]),  # text right after the closing # is no hashtag
        ("#tech_tips2026 #2026", None, ["2026", "tech_tips2026"]),
        ("# alone, ## and #-dash", None, []),
        ("#Straße", "#STRASSE", ["strasse"]),  # case folding, not lower case: ß folds to ss
        ("#café's", None, ["café"]),
        (None, None, []),
    ],
)
def test_what_a_hashtag_is(con, title, description, expected):
    assert tags_of(con, title, description) == expected


def test_hashtags_on_three_works_or_more(con):
    add_work(con, "w1", P, 1_000, 100, title="#travel #rare")
    add_work(con, "w2", P, 3_000, 90, title="x", description="#Travel #rare", account="b")
    add_work(con, "w3", P, None, 7, title="#TRAVEL")  # not rated
    add_work(con, "w4", P, 10, 1, title="#travel", platform="xhs")  # another platform
    rows = compute_hashtag_engagement(read_works(con))
    assert rows["hashtag"].to_list() == ["travel"]  # rare is on 2 works only
    travel = rows.row(0, named=True)
    assert travel == {
        "platform": "tiktok", "hashtag": "travel", "accounts": 2, "works": 3, "works_rated": 2, "exposure": 4_000,
        "engagement_rate": pytest.approx(190 / 4_000), "median_interactions": 90.0,
    }  # fmt: skip
    assert rows.schema["works"] == pl.Int64
