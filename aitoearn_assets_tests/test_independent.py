"""Every derived table against an independent computation, on sandbox data at realistic magnitudes.

60 accounts over the 15 platforms, 20,000+ works with counts from 0 into the tens of millions (some
account's sums pass 2**31), the NULL-heavy platforms as the faithful sandbox serves them, three run
dates with work analytics asked on their own schedule (a budget, recent and stale works), all over
real HTTP through Dagster. Small hand-made data hides engine bugs; this does not.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.defs.assets.engagement import account_engagement, top_works
from aitoearn_assets.defs.assets.growth import account_growth, work_growth
from aitoearn_assets.defs.assets.insights import insights
from aitoearn_assets.defs.assets.raw_works import raw_works
from aitoearn_assets.defs.assets.work_metrics import work_metrics
from aitoearn_assets.defs.resources.aitoearn import AiToEarnCredentials, AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START, REPORT_TIMEZONE_VARIABLE
from aitoearn_assets.report.engagement_report import report_data
from aitoearn_assets.sandbox import SANDBOX_API_KEY, SandboxApi, SandboxDataset, serve_in_thread
from aitoearn_assets.tables import ABOUT, DERIVED_TABLES
from aitoearn_assets.warehouse.schema import ensure_schema

from . import independent as ind

DAYS = (date(2026, 11, 10), date(2026, 11, 11), date(2026, 11, 18))
#: Posting times read 8 hours behind UTC: works published in the evening UTC change day, and US summer time
#: ended on 2026-11-01, inside the data.
TIMEZONE = "America/Los_Angeles"
EVERY_PLATFORM = {PARTITION_RANGE_START: "douyin", PARTITION_RANGE_END: "google_business"}
ANALYTICS = {"ops": {"work_metrics": {"config": {"max_requests": 700}}}}  # the backlog drains over the days


#: Two tiktok accounts under one name, as an agency's regional accounts are: the report tells them apart.
SHARED_NAME = {SandboxDataset().account_id("tiktok", j): "Brand 官方" for j in (1, 2)}


def dataset(day: date) -> SandboxDataset:
    return SandboxDataset(
        accounts_per_platform=4, works_range=(320, 1700), busy_accounts=1, as_of=datetime.combine(day, time(12)),
        nicknames=SHARED_NAME,
    )  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    db = str(tmp_path_factory.mktemp("independent") / "w.duckdb")
    api = SandboxApi(dataset(DAYS[0]))
    pinned = os.environ["AITOEARN_AS_OF"]
    os.environ[REPORT_TIMEZONE_VARIABLE] = TIMEZONE
    with serve_in_thread(api) as server:
        aitoearn = AiToEarnResource(
            credentials=AiToEarnCredentials(api_key=SANDBOX_API_KEY, base_url=server.base_url),
            max_requests_per_second=None, max_concurrency=8, backoff_base_seconds=0.01,
        )  # fmt: skip
        res = {"aitoearn": aitoearn, "warehouse": WarehouseResource(database=db)}
        try:
            for day in DAYS:
                os.environ["AITOEARN_AS_OF"] = day.isoformat()
                api.dataset = dataset(day)
                assert dg.materialize([accounts], resources=res).success
                assert dg.materialize([raw_works], tags=EVERY_PLATFORM, resources=res).success
                assert dg.materialize([work_metrics], tags=EVERY_PLATFORM, resources=res, run_config=ANALYTICS).success
                assert dg.materialize(
                    [account_engagement, top_works, work_growth, account_growth, insights], resources=res
                ).success
        finally:
            os.environ["AITOEARN_AS_OF"] = pinned
            del os.environ[REPORT_TIMEZONE_VARIABLE]
    con = duckdb.connect(db, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def computed(warehouse):
    """The independent twins of the derived tables."""
    inputs = ind.Inputs.read(warehouse)
    works = ind.work_engagement(inputs)
    engagement = ind.account_engagement(inputs, works)
    growth = ind.work_growth(inputs)
    top = ind.top_works(works)
    return {"inputs": inputs, "work_engagement": works, "account_engagement": engagement, "top_works": top,
            "work_growth": growth, "account_growth": ind.account_growth(inputs, growth),
            "posting_times": ind.posting_times(works, TIMEZONE),
            "content_type_engagement": ind.content_type_engagement(works),
            "hashtag_engagement": ind.hashtag_engagement(works),
            "work_age_metrics": ind.work_age_metrics(inputs, works),
            "work_breakouts": ind.work_breakouts(inputs, works, list(DAYS)),
            "account_benchmarks": ind.account_benchmarks(engagement),
            "report": ind.report_figures(inputs, engagement, works, growth, top) | ind.insight_figures(works, TIMEZONE)}  # fmt: skip


def test_the_data_is_at_realistic_magnitudes(warehouse):
    (accounts_, works, platforms, top) = warehouse.execute(
        "SELECT count(DISTINCT account_id), count(*), count(DISTINCT platform), max(greatest(view_count, "
        "impression_count)) FROM raw_works"
    ).fetchone()
    assert accounts_ >= 50 and works >= 20_000 and platforms == 15 and top >= 10_000_000
    (largest,) = warehouse.execute("SELECT max(exposure) FROM account_engagement").fetchone()
    assert largest > 2**31  # a sum that an 8- or 32-bit accumulator would wrap
    assert warehouse.execute("SELECT count(DISTINCT snapshot_date) FROM work_snapshots").fetchone() == (3,)
    # analytics on their own schedule: not every work asked on every run date
    observed = dict(warehouse.execute("SELECT observed_on, count(*) FROM work_metrics GROUP BY 1").fetchall())
    assert len([d for d in observed if d is not None]) == 3
    (divided_by_zero,) = warehouse.execute(
        "SELECT count(*) FROM work_engagement WHERE exposure = 0 AND engagement_rate IS NOT NULL"
    ).fetchone()
    assert divided_by_zero == 0  # a work with no exposure yet has no rate (NULL), never a division by 0


#: The derived tables compared row by row; account_followers is compared through account_engagement's followers.
COMPARED = [table for table in DERIVED_TABLES if table != "account_followers"]


def key_of(table: str) -> list[str]:
    """The table's key, as tables.ABOUT declares it."""
    return ABOUT[table][0].split(", ")


@pytest.mark.parametrize("table", COMPARED)
def test_a_derived_table_equals_its_independent_computation(warehouse, computed, table):
    got = warehouse.sql(f"SELECT * FROM {table}").pl()
    ind.compare(table, got, computed[table], key_of(table))


def test_the_growth_tables_show_real_gains(computed):
    growth = computed["work_growth"]
    assert (
        growth["exposure_gain_7d"].drop_nulls().len() > 1_000 and growth["exposure_gain_1d"].drop_nulls().len() > 1_000
    )
    assert computed["account_growth"]["followers_gain_7d"].drop_nulls().len() >= 20


def test_the_insights_find_something_at_every_level(warehouse, computed):
    (breakouts, dates, ages) = warehouse.execute(
        "SELECT count(*), count(DISTINCT detected_on), count(DISTINCT age_days) FROM work_breakouts"
    ).fetchone()
    assert breakouts >= 10 and dates >= 2 and ages == 2  # found on several run dates, at both ages
    tags = set(computed["hashtag_engagement"].filter(pl.col("platform") == "xhs")["hashtag"])
    assert {"旅行", "美食", "travel"} <= tags  # xhs writes them #旅行[话题]#
    (ranked, unranked) = warehouse.execute(
        "SELECT count(percentile), count(*) - count(percentile) FROM account_benchmarks"
    ).fetchone()
    assert ranked >= 30 and unranked >= 1
    (at_28,) = warehouse.execute("SELECT count(exposure_at_28d) FROM work_age_metrics").fetchone()
    assert at_28 > 0


@pytest.mark.parametrize(
    "figure", ["platform_rates", "account_rates", "top_works", "gains", "cadence", "posting_heatmap", "content_types"]
)
def test_the_reports_figures_equal_their_independent_computation(warehouse, computed, figure):
    got = report_data(warehouse).frames()[figure]
    key = {"platform_rates": ["platform"], "account_rates": ["account"], "top_works": [*ind.ACCOUNT, "rank"],
           "gains": ["platform"], "cadence": ["platform", "week"], "posting_heatmap": ["platform", "weekday", "hour"],
           "content_types": ["platform", "content_mode"]}[figure]  # fmt: skip
    ind.compare(f"report.{figure}", got, computed["report"][figure], key)


def test_the_report_names_two_accounts_that_share_a_nickname_apart(warehouse):
    both = sorted(f"tiktok / Brand 官方 ({account_id})" for account_id in SHARED_NAME)
    figures = report_data(warehouse).frames()
    for figure in ("account_rates", "followers", "best_slots", "benchmarks"):
        labels = figures[figure].filter(pl.col("account").str.contains("Brand 官方"))["account"].unique().sort()
        assert labels.to_list() == both, figure


def test_the_report_names_the_timezone_posting_times_was_built_in(warehouse):
    assert os.environ.get(REPORT_TIMEZONE_VARIABLE) != TIMEZONE  # the setting has moved on since the build
    assert report_data(warehouse).timezone == TIMEZONE


FIXTURE = Path(__file__).parent / "fixtures" / "duckdb_2_0_1_wrong_sums"


def test_the_warehouse_duckdb_2_summed_wrong_is_exact_now(tmp_path):
    """The fixture (25 accounts, 669 works) on which DuckDB 2.0.1 wrapped 13 accounts' interactions to 8 bits:
    under this DuckDB the project's SQL equals the independent computation and the expected sums. (Under
    2.0.1, `python -m aitoearn_assets_tests.independent FILE --release cfa507c` reports the difference.)"""
    path = str(tmp_path / "fixture.duckdb")
    with duckdb.connect(path) as con:
        ensure_schema(con, "sandbox")
        for t in ("raw_works", "work_metrics", "accounts"):
            con.execute(f"INSERT INTO {t} BY NAME SELECT * FROM read_parquet(?)", [str(FIXTURE / f"{t}.parquet")])
    assert ind.main([path]) == 0
    with duckdb.connect(path) as con:
        got = dict(con.execute("SELECT account_id, interactions FROM account_engagement").fetchall())
        expected = con.execute(
            "SELECT account_id, interactions FROM read_csv(?)", [str(FIXTURE / "expected_list_interactions.csv")]
        ).fetchall()
    assert len(expected) == 25 and all(got[a] == n for a, n in expected)


@pytest.mark.parametrize("table", sorted(ABOUT))
def test_every_table_holds_one_row_per_key_it_declares(warehouse, table):
    key = ", ".join(key_of(table))
    repeated = warehouse.execute(
        f"SELECT {key}, count(*) AS n FROM {table} GROUP BY ALL HAVING n > 1 ORDER BY n DESC LIMIT 3"
    ).fetchall()
    assert repeated == [], f"{table}: keys ({key}) held more than once, e.g. {repeated}"
