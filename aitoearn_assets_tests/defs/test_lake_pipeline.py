"""Every asset, check, the IO manager and the report on a DuckLake: the same tables, columns and numbers as on a
DuckDB file (needs Postgres)."""

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
from aitoearn_assets.defs.assets.report import engagement_report
from aitoearn_assets.defs.assets.work_metrics import work_metrics
from aitoearn_assets.defs.resources.aitoearn import AiToEarnCredentials, AiToEarnResource
from aitoearn_assets.defs.resources.polars_io import WarehouseIOManager
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START
from aitoearn_assets.sandbox import SANDBOX_API_KEY, SandboxApi, SandboxDataset, serve_in_thread
from aitoearn_assets.tables import DERIVED_TABLES, STORED_TABLES
from aitoearn_assets.warehouse import lake as lk

from .. import independent as ind

DAYS = (date(2026, 11, 10), date(2026, 11, 17))
EVERY_PLATFORM = {PARTITION_RANGE_START: "douyin", PARTITION_RANGE_END: "google_business"}
#: work_metrics asks a part of the works a day (each day's rows, and a backlog left for the next), one at a time.
BUDGET = {"ops": {"work_metrics": {"config": {"max_requests": 100}}}}
#: Columns that name the run or the wall clock, and so differ between any two runs.
RUN_COLUMNS = {"run_id", "root_run_id", "recorded_at", "written_at", "seconds", "computed_at"}


@dg.asset(group_name="user")
def platform_counts(raw_works: pl.DataFrame) -> pl.DataFrame:
    """A user's asset through the IO manager: reads a table as polars, stores its result as a table."""
    return raw_works.group_by("platform").agg(pl.len().alias("works"), pl.col("view_count").sum().alias("views"))


def dataset(day: date) -> SandboxDataset:
    """Two accounts a platform, 100-600 works each (one posting every few hours: breakouts), some metrics left
    out, wrongly typed items set aside."""
    return SandboxDataset(accounts_per_platform=2, works_range=(100, 600), missing_metrics_share=0.1,
                          bad_items=True, busy_accounts=1, as_of=datetime.combine(day, time(12)))  # fmt: skip


def run_days(warehouse: WarehouseResource) -> None:
    api = SandboxApi(dataset(DAYS[0]))
    pinned = os.environ["AITOEARN_AS_OF"]
    with serve_in_thread(api) as server:

        def client(concurrency: int) -> AiToEarnResource:
            return AiToEarnResource(
                credentials=AiToEarnCredentials(api_key=SANDBOX_API_KEY, base_url=server.base_url),
                max_requests_per_second=None, max_concurrency=concurrency, backoff_base_seconds=0.01,
            )  # fmt: skip

        res = {"aitoearn": client(8), "warehouse": warehouse, "io_manager": WarehouseIOManager(warehouse=warehouse)}
        # analytics one request at a time: how many works a platform's requests in flight ask before it
        # answers "not supported" depends on timing, and both warehouses must be served alike
        serial = {**res, "aitoearn": client(1)}
        analytics = [account_engagement, top_works, work_growth, account_growth, insights, engagement_report]
        try:
            for day in DAYS:
                os.environ["AITOEARN_AS_OF"] = day.isoformat()
                api.dataset = dataset(day)
                assert dg.materialize([accounts], resources=res).success
                assert dg.materialize([raw_works], tags=EVERY_PLATFORM, resources=res).success
                assert dg.materialize([work_metrics], tags=EVERY_PLATFORM, resources=serial, run_config=BUDGET).success
                assert dg.materialize(analytics, resources=res).success
            assert dg.materialize([raw_works, platform_counts], selection=[platform_counts], resources=res).success
        finally:
            os.environ["AITOEARN_AS_OF"] = pinned


@pytest.fixture(scope="module")
def both(postgres, tmp_path_factory) -> dict[str, duckdb.DuckDBPyConnection]:
    folder = tmp_path_factory.mktemp("lake-vs-file")
    file = WarehouseResource(database=str(folder / "w.duckdb"))
    lake = WarehouseResource(database=postgres.catalog(), lake_data_path=str(folder / "lake") + "/")
    for warehouse in (file, lake):
        run_days(warehouse)
    cons = {
        "file": duckdb.connect(file.database, read_only=True),
        "lake": lk.connect(lake.database, read_only=True),
    }
    cons["folder"] = folder  # type: ignore[assignment]
    yield cons
    cons["file"].close()
    cons["lake"].close()


def ordered(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    frame = con.sql(f"SELECT * FROM {table}").pl()
    frame = frame.select([c for c in frame.columns if c not in RUN_COLUMNS])
    sortable = [c for c, t in frame.schema.items() if not isinstance(t, pl.List | pl.Struct)]
    return frame.sort(sortable, nulls_last=True)


@pytest.mark.parametrize("table", [*STORED_TABLES, *DERIVED_TABLES, "platform_counts"])
def test_every_table_on_the_lake_equals_the_file(both, table):
    lake, file = ordered(both["lake"], table), ordered(both["file"], table)
    assert lake.schema == file.schema
    assert lake.height == file.height and lake.height > 0
    differing = [c for c in lake.columns if not lake[c].equals(file[c])]
    if differing:
        rows = [i for i in range(lake.height) if lake.row(i) != file.row(i)]
        pytest.fail(
            f"{table}: {differing} differ: {[lake.row(i) for i in rows[:3]]} vs {[file.row(i) for i in rows[:3]]}"
        )


def test_the_lake_holds_realistic_numbers_and_matches_the_independent_computation(both):
    con = both["lake"]
    (works, largest, nulls) = con.execute(
        "SELECT count(*), max(exposure), count(*) FILTER (interactions IS NULL) FROM work_engagement"
    ).fetchone()
    assert works > 3_000 and largest > 1_000_000 and nulls > 100  # counts into the millions, NULL-heavy platforms
    inputs = ind.Inputs.read(con)
    engagement = ind.work_engagement(inputs)
    ind.compare("account_engagement", con.sql("SELECT * FROM account_engagement").pl(),
                ind.account_engagement(inputs, engagement), ind.ACCOUNT)  # fmt: skip
    ind.compare("work_growth", con.sql("SELECT * FROM work_growth").pl(), ind.work_growth(inputs), ind.WORK)


def test_the_report_of_a_lake_goes_beside_its_data_folder(both):
    report = Path(both["folder"]) / "lake_report.html"
    assert report.is_file() and "engagement rate" in report.read_text(encoding="utf-8").lower()
    assert not list((Path(both["folder"]) / "lake").glob("*.html"))  # never inside the folder DuckLake owns
