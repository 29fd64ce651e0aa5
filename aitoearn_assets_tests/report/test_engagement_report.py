"""The report's per-account sections at agency scale: a chosen few accounts of each platform, and a note of the rest."""

from __future__ import annotations

from datetime import date

import polars as pl

from aitoearn_assets.report.engagement_report import (
    ACCOUNTS_SHOWN,
    accounts_per_platform,
    per_platform,
    shown_note,
)


def account_rates() -> pl.DataFrame:
    """20 tiktok accounts (account k has k rated works) and 2 xhs ones, in the report's order (by rate)."""
    rows = [("tiktok", f"tiktok / a{k:02d}", 10.0 - k / 10, k) for k in range(1, 21)]
    rows += [("xhs", "xhs / b1", 3.0, 1), ("xhs", "xhs / b2", 2.0, None)]
    return pl.DataFrame(rows, schema=["platform", "account", "rate_pct", "works_rated"], orient="row")


def test_a_platform_with_more_accounts_than_shown_keeps_those_with_the_most_rated_works_in_the_reports_order():
    shown = per_platform(account_rates(), ACCOUNTS_SHOWN, "works_rated")
    assert ACCOUNTS_SHOWN == 15
    assert shown["account"].to_list() == [f"tiktok / a{k:02d}" for k in range(6, 21)] + ["xhs / b1", "xhs / b2"]


def test_a_capped_section_says_how_many_it_shows_and_where_the_rest_are():
    every = account_rates()
    shown = per_platform(every, ACCOUNTS_SHOWN, "works_rated")
    assert shown_note(
        shown, every, "the 15 accounts of each platform with the most rated works", "account_engagement"
    ) == (
        " Shown: the 15 accounts of each platform with the most rated works (17 of 22 accounts; all of them are in "
        "account_engagement)."
    )
    assert shown_note(every, every, "anything", "account_engagement") == ""  # nothing left out: nothing said


def test_an_account_is_chosen_by_its_latest_observation_and_keeps_every_one_of_its_rows():
    # 16 accounts observed on two days: account k has 100 followers on the first day and k on the second
    rows = [
        ("twitter", f"twitter / c{k:02d}", day, followers)
        for k in range(1, 17)
        for day, followers in ((date(2026, 11, 1), 100), (date(2026, 11, 8), k))
    ]
    followers = pl.DataFrame(rows, schema=["platform", "account", "observed_on", "followers"], orient="row")
    shown = accounts_per_platform(followers, "followers", latest_by="observed_on")
    assert sorted(set(shown["account"])) == [f"twitter / c{k:02d}" for k in range(2, 17)]  # c01 has the fewest now
    assert shown.height == 2 * ACCOUNTS_SHOWN and shown.equals(followers.filter(pl.col("account") != "twitter / c01"))
