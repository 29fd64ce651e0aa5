"""The report's per-account sections at agency scale: a chosen few accounts of each platform, and a note of the rest."""

from __future__ import annotations

from datetime import date

import polars as pl

from aitoearn_assets.report.engagement_report import ACCOUNTS_SHOWN, accounts_per_platform, per_platform, shown_note

MORE = ACCOUNTS_SHOWN + 5


def account_rates() -> pl.DataFrame:
    """MORE tiktok accounts in the report's order (the highest rate first): account k has MORE + 1 - k rated works,
    so the fewest are last; a NULL and a tie among the first; and 2 xhs accounts."""
    rows = [("tiktok", f"tiktok / a{k:02d}", 10.0 - k / 10, MORE + 1 - k) for k in range(1, MORE + 1)]
    rows[0] = ("tiktok", "tiktok / a01", 10.0, None)  # no count: after every counted one
    rows[2] = ("tiktok", "tiktok / a03", 9.7, rows[1][3])  # the same count as a02: both stay, in the report's order
    rows += [("xhs", "xhs / b1", 3.0, 1), ("xhs", "xhs / b2", 2.0, None)]
    return pl.DataFrame(rows, schema=["platform", "account", "rate_pct", "works_rated"], orient="row")


def test_a_platform_with_more_accounts_than_shown_keeps_those_with_the_most_rated_works_in_the_reports_order():
    shown = per_platform(account_rates(), ACCOUNTS_SHOWN, "works_rated")
    tiktok = [f"tiktok / a{k:02d}" for k in range(2, ACCOUNTS_SHOWN + 2)]  # a01 (NULL) and the fewest left out
    assert shown["account"].to_list() == [*tiktok, "xhs / b1", "xhs / b2"]


def test_a_capped_section_says_how_many_it_shows_and_where_the_rest_are():
    every = account_rates()
    shown = per_platform(every, ACCOUNTS_SHOWN, "works_rated")
    assert shown_note(shown, every, "the accounts with the most rated works", "account_engagement") == (
        f" Shown: the accounts with the most rated works ({ACCOUNTS_SHOWN + 2} of {MORE + 2} accounts; all of them "
        "are in account_engagement)."
    )
    assert shown_note(every, every, "anything", "account_engagement") == ""  # nothing left out: nothing said
    assert shown_note(shown, every, "of these, the top", "top_works", accounts=False).startswith(
        f" Shown: of these, the top ({ACCOUNTS_SHOWN + 2} of {MORE + 2} works;"
    )


def test_an_account_is_chosen_by_its_latest_observation_and_keeps_every_one_of_its_rows():
    # MORE accounts observed on two days: account k has 100 followers on the first day and k on the second
    rows = [
        ("twitter", f"twitter / c{k:02d}", day, followers)
        for k in range(1, MORE + 1)
        for day, followers in ((date(2026, 11, 1), 100), (date(2026, 11, 8), k))
    ]
    followers = pl.DataFrame(rows, schema=["platform", "account", "observed_on", "followers"], orient="row")
    shown = accounts_per_platform(followers, ACCOUNTS_SHOWN, "followers", row_by="observed_on")
    kept = [f"twitter / c{k:02d}" for k in range(MORE - ACCOUNTS_SHOWN + 1, MORE + 1)]  # the most followers now
    assert shown.equals(followers.filter(pl.col("account").is_in(kept)))


def test_an_accounts_best_slot_is_its_first_row():
    # slot 1 is each account's best: account k's best slot has rate k, its second slot rate 100 (never chosen by)
    rows = [
        ("xhs", f"xhs / d{k:02d}", rank, rate)
        for k in range(1, MORE + 1)
        for rank, rate in ((1, float(k)), (2, 100.0 - k))
    ]
    slots = pl.DataFrame(rows, schema=["platform", "account", "slot_rank", "rate_pct"], orient="row")
    shown = accounts_per_platform(slots, ACCOUNTS_SHOWN, "rate_pct", row_by="slot_rank", last=False)
    assert sorted(set(shown["account"])) == [f"xhs / d{k:02d}" for k in range(MORE - ACCOUNTS_SHOWN + 1, MORE + 1)]
