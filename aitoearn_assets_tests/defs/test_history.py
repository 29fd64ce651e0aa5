"""History through Dagster: three pinned days build snapshots, and the growth tables follow them."""

from __future__ import annotations

from datetime import date

import dagster as dg
import polars as pl
import pytest

from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.defs.assets.engagement import top_works
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


def run_day(aitoearn, db_path, sandbox, monkeypatch, day: date) -> None:
    """The daily job on `day`: the clock pinned, the sandbox's counts as of that day."""
    monkeypatch.setenv("AITOEARN_AS_OF", day.isoformat())
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, works_per_account=12, as_of=day)
    res = resources(aitoearn, db_path)
    assert dg.materialize([accounts], resources=res).success
    assert dg.materialize([raw_works], tags=SOME, resources=res).success
    assert dg.materialize([work_metrics], tags=SOME, resources=res).success
    assert dg.materialize([work_growth, account_growth], resources=res).success


@pytest.fixture
def history(aitoearn, db_path, sandbox, monkeypatch):
    for day in (DAY0, DAY1, DAY8):
        run_day(aitoearn, db_path, sandbox, monkeypatch, day)
    return db_path


def views(day: date, i: int) -> int:
    return SandboxDataset(accounts_per_platform=2, works_per_account=12, as_of=day).work("tiktok", 0, i)["metrics"][
        "viewCount"
    ]


def test_three_days_leave_three_snapshot_dates(history):
    assert table(history, "SELECT DISTINCT snapshot_date FROM work_snapshots ORDER BY 1") == [(DAY0,), (DAY1,), (DAY8,)]
    assert table(history, "SELECT DISTINCT snapshot_date FROM account_snapshots ORDER BY 1") == [
        (DAY0,),
        (DAY1,),
        (DAY8,),
    ]
    sources = dict(table(history, "SELECT platform, any_value(source) FROM account_snapshots GROUP BY 1"))
    assert sources["tiktok"] == "analytics" and sources["instagram"] == "accounts"  # instagram: a daily series only


def test_growth_equals_a_hand_computation(history, sandbox):
    ds = sandbox.dataset
    work_id = ds.work_id("tiktok", 0, 2)
    ((exposure, gain_1d, gain_7d, gain_28d),) = table(
        history,
        "SELECT exposure, exposure_gain_1d, exposure_gain_7d, exposure_gain_28d FROM work_growth "
        f"WHERE platform_work_id = '{work_id}'",
    )
    assert exposure == views(DAY8, 2)
    assert gain_1d is None  # no snapshot on day 6 or 7: a 1-day gain is never a week's gain in disguise
    assert gain_7d == views(DAY8, 2) - views(DAY1, 2)  # baseline: the latest snapshot between day 8-14 and day 8-7
    assert gain_28d == views(DAY8, 2)  # published 2026-11-01, within 28 days: baseline 0, all of it was gained

    def fans(day: date) -> int:
        return SandboxDataset(accounts_per_platform=2, as_of=day).account_analytics("tiktok", 0)["metrics"]["fansCount"]

    account = ds.account_id("tiktok", 0)
    ((followers, gain),) = table(
        history, f"SELECT followers, followers_gain_7d FROM account_growth WHERE account_id = '{account}'"
    )
    assert (followers, gain) == (fans(DAY8), fans(DAY8) - fans(DAY1))
    ((pinterest_gain,),) = table(
        history, "SELECT count(exposure_gain_7d) FROM work_growth WHERE platform = 'pinterest'"
    )
    assert pinterest_gain == 24  # every pin: the sum of its daily impressions over the last 7 days


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
