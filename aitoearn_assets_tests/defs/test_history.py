"""History through Dagster: pinned days build snapshots, and the growth tables follow real observations."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta

import dagster as dg
import polars as pl
import pytest

from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.defs.assets.engagement import account_engagement, top_works
from aitoearn_assets.defs.assets.growth import account_growth, work_growth
from aitoearn_assets.defs.assets.raw_works import raw_works
from aitoearn_assets.defs.assets.work_metrics import work_metrics
from aitoearn_assets.defs.resources.polars_io import WarehouseIOManager
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START
from aitoearn_assets.sandbox import SandboxDataset

from .helpers import resources, table

DAY0, DAY1, DAY8 = date(2026, 11, 10), date(2026, 11, 11), date(2026, 11, 18)
SOME = {PARTITION_RANGE_START: "tiktok", PARTITION_RANGE_END: "pinterest"}  # list, analytics, a daily series


def noon(day: date) -> datetime:
    """A pinned date is noon UTC of that day (clock.py)."""
    return datetime.combine(day, time(12))


def dataset(day: date) -> SandboxDataset:
    return SandboxDataset(accounts_per_platform=2, works_per_account=12, as_of=noon(day))


def run_day(aitoearn, db_path, sandbox, monkeypatch, day: date, tags: dict = SOME, **analytics) -> None:
    """The daily job on `day`: the clock pinned, the sandbox's counts as of that day."""
    monkeypatch.setenv("AITOEARN_AS_OF", day.isoformat())
    sandbox.dataset = dataset(day)
    res = resources(aitoearn, db_path)
    assert dg.materialize([accounts], resources=res).success
    assert dg.materialize([raw_works], tags=tags, resources=res).success
    config = {"ops": {"work_metrics": {"config": analytics}}}
    assert dg.materialize([work_metrics], tags=tags, resources=res, run_config=config).success
    assert dg.materialize([work_growth, account_growth, account_engagement], resources=res).success


@pytest.fixture
def history(aitoearn, db_path, sandbox, monkeypatch):
    for day in (DAY0, DAY1, DAY8):
        run_day(aitoearn, db_path, sandbox, monkeypatch, day)
    return db_path


def views(platform: str, day: date, seq: int, account: int = 0) -> int:
    """What the sandbox serves as the work's views at noon of `day`."""
    return dataset(day).metrics(platform, account, seq, ("viewCount",))["viewCount"]


def test_three_days_leave_three_snapshot_dates(history):
    assert table(history, "SELECT DISTINCT snapshot_date FROM work_snapshots ORDER BY 1") == [(DAY0,), (DAY1,), (DAY8,)]
    assert table(history, "SELECT DISTINCT snapshot_date FROM account_snapshots ORDER BY 1") == [
        (DAY0,),
        (DAY1,),
        (DAY8,),
    ]
    sources = dict(table(history, "SELECT platform, any_value(source) FROM account_snapshots GROUP BY 1"))
    assert sources["tiktok"] == "analytics" and sources["instagram"] == "accounts"  # instagram: a daily series only


def test_growth_equals_a_hand_computation(history):
    seq = dataset(DAY0).listed_seq("tiktok", 0, 2)  # a tiktok work listed on every day: its views come daily
    work_id = dataset(DAY0).work_id("tiktok", 0, seq)
    ((exposure, gain_1d, gain_7d, gain_28d),) = table(
        history,
        "SELECT exposure, exposure_gain_1d, exposure_gain_7d, exposure_gain_28d FROM work_growth "
        f"WHERE platform_work_id = '{work_id}'",
    )
    assert exposure == views("tiktok", DAY8, seq)
    assert gain_1d is None  # no run on day 6 or 7: a 1-day gain is never a week's gain in disguise
    assert gain_7d == views("tiktok", DAY8, seq) - views("tiktok", DAY1, seq)  # baseline: latest in [day 8-14, 8-7]
    published = dataset(DAY0).published_at("tiktok", 0, seq).date()
    assert published > DAY8 - timedelta(days=28) and gain_28d == views("tiktok", DAY8, seq)  # all of it: fresh

    def fans(day: date) -> int:
        return dataset(day).account_analytics("tiktok", 0)["metrics"]["fansCount"]

    account = dataset(DAY0).account_id("tiktok", 0)
    ((followers, source, gain),) = table(
        history,
        f"SELECT followers, followers_source, followers_gain_7d FROM account_growth WHERE account_id = '{account}'",
    )
    assert (followers, source, gain) == (fans(DAY8), "analytics", fans(DAY8) - fans(DAY1))
    assert table(history, f"SELECT followers, followers_source FROM account_engagement WHERE account_id = '{account}'") == [
        (fans(DAY8), "analytics")
    ]  # one followers figure in both tables  # fmt: skip
    ((pins, with_gain),) = table(
        history,
        "SELECT count(*), count(exposure_gain_7d) FROM work_growth AS g JOIN raw_works AS r "
        "USING (platform, account_id, platform_work_id) WHERE g.platform = 'pinterest'",
    )
    assert with_gain == pins  # every pin: the sum of its daily impressions over the last 7 days


def test_weekly_analytics_give_no_daily_gain_and_an_exact_weekly_gain(aitoearn, db_path, sandbox, monkeypatch):
    """YouTube's numbers come from work analytics. Asked once a week (here: every work counts as old), the days
    between show the last answer, which is no new observation; three weeks, by hand."""
    start = date(2026, 11, 10)
    youtube = {PARTITION_RANGE_START: "youtube", PARTITION_RANGE_END: "youtube"}
    for back in (0, 1, 7, 8, 14):
        run_day(aitoearn, db_path, sandbox, monkeypatch, start + timedelta(days=back), youtube, recent_days=0)
    last, asked = start + timedelta(days=14), start + timedelta(days=7)
    ds = dataset(start)
    for j in range(2):
        seq = ds.listed_seq("youtube", j, 0)  # the account's newest work on the first day
        work_id = ds.work_id("youtube", j, seq)
        ((exposure, gain_1d, gain_7d, gain_28d, i_gain_1d),) = table(
            db_path,
            "SELECT exposure, exposure_gain_1d, exposure_gain_7d, exposure_gain_28d, interactions_gain_1d "
            f"FROM work_growth WHERE platform_work_id = '{work_id}'",
        )
        assert table(db_path, f"SELECT observed_on FROM work_metrics WHERE platform_work_id = '{work_id}'") == [(last,)]
        day_after = table(
            db_path, "SELECT exposure, exposure_observed_on FROM work_snapshots "
            f"WHERE platform_work_id = '{work_id}' AND snapshot_date = DATE '{asked + timedelta(days=1)}'",
        )  # fmt: skip
        assert day_after == [(views("youtube", asked, seq, j), asked)]  # the answer of the day before, carried
        assert exposure == views("youtube", last, seq, j)
        assert gain_1d is None and i_gain_1d is None
        assert gain_7d == views("youtube", last, seq, j) - views("youtube", asked, seq, j)
        assert gain_28d == views("youtube", last, seq, j)  # published within 28 days: all of it was gained


def test_a_run_that_crosses_utc_midnight_writes_one_snapshot_date(aitoearn, db_path, sandbox, monkeypatch):
    """The clock passes midnight while the run fetches: every snapshot the run writes carries the run's date."""
    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-20T23:59:58")
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, works_per_account=12, as_of=datetime(2026, 11, 20, 23))

    answer = sandbox.handle

    def past_midnight(request):  # the clock moves on past midnight once the fetch is under way
        if "/works/" in request.target:
            os.environ["AITOEARN_AS_OF"] = "2026-11-21T00:00:03"
        return answer(request)

    monkeypatch.setattr(sandbox, "handle", past_midnight)
    result = dg.materialize([raw_works, work_metrics], tags=SOME, resources=resources(aitoearn, db_path))
    assert result.success
    assert table(db_path, "SELECT DISTINCT snapshot_date FROM work_snapshots") == [(date(2026, 11, 20),)]
    assert table(db_path, "SELECT DISTINCT observed_on FROM raw_works") == [(date(2026, 11, 20),)]
    assert table(db_path, "SELECT DISTINCT observed_on FROM work_metrics WHERE observed_on IS NOT NULL") == [
        (date(2026, 11, 20),)
    ]
    fetched = {d for (d,) in table(db_path, "SELECT DISTINCT fetched_at::DATE FROM analytics_runs")}
    assert fetched == {date(2026, 11, 21)}  # work_metrics asked after midnight, and still wrote the 20th


def test_todays_snapshot_holds_the_analytics_that_work_metrics_just_read(history):
    """Facebook's impressions come from work analytics: the day's snapshot shows what that day's
    work_metrics read, not the previous reading that raw_works saw earlier in the run."""
    ((snapshots, with_impressions, differing),) = table(
        history,
        "SELECT count(*), count(s.impression_count), "
        "count(*) FILTER (WHERE s.impression_count IS DISTINCT FROM m.impression_count) "
        "FROM work_snapshots AS s JOIN work_metrics AS m USING (platform, account_id, platform_work_id) "
        "WHERE s.platform = 'facebook' AND s.snapshot_date = DATE '2026-11-18' AND m.status = 'ok'",
    )
    assert snapshots > 0 and with_impressions == snapshots and differing == 0


def test_rerunning_a_day_changes_no_earlier_date(history, aitoearn, sandbox, monkeypatch):
    earlier = "SELECT * FROM work_snapshots WHERE snapshot_date < DATE '2026-11-18' ORDER BY ALL"
    accounts_earlier = "SELECT * FROM account_snapshots WHERE snapshot_date < DATE '2026-11-18' ORDER BY ALL"
    before = table(history, earlier), table(history, accounts_earlier)
    day8 = table(history, "SELECT count(*) FROM work_snapshots WHERE snapshot_date = DATE '2026-11-18'")
    run_day(aitoearn, history, sandbox, monkeypatch, DAY8)
    assert (table(history, earlier), table(history, accounts_earlier)) == before
    assert table(history, "SELECT count(*) FROM work_snapshots WHERE snapshot_date = DATE '2026-11-18'") == day8


def test_a_user_asset_gets_warehouse_tables_as_polars(aitoearn, db_path, sandbox, monkeypatch):
    run_day(aitoearn, db_path, sandbox, monkeypatch, DAY0)

    @dg.asset
    def my_report(top_works: pl.DataFrame, account_growth: pl.DataFrame) -> pl.DataFrame:
        return top_works.filter(pl.col("rank") == 1).join(
            account_growth.select("platform", "account_id", "followers"), on=["platform", "account_id"]
        )

    warehouse = WarehouseResource(database=db_path)
    result = dg.materialize(
        [accounts, raw_works, work_growth, top_works, account_growth, my_report],
        selection=["top_works", "work_growth", "account_growth", "my_report"],  # with its upstream, in one run
        resources={"aitoearn": aitoearn, "warehouse": warehouse, "io_manager": WarehouseIOManager(warehouse=warehouse)},
    )
    assert result.success
    report = table(db_path, "SELECT platform, count(*), count(followers) FROM my_report GROUP BY 1 ORDER BY 1")
    assert report == [(p, 2, 2) for p in ("facebook", "instagram", "pinterest", "threads", "tiktok")]
