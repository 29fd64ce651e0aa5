"""The README's example queries run against a warehouse built from the sandbox, so the docs cannot rot."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from aitoearn_assets.api.platforms import PLATFORMS
from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.defs.assets.growth import account_growth, work_growth
from aitoearn_assets.defs.assets.insights import insights
from aitoearn_assets.defs.assets.raw_works import raw_works
from aitoearn_assets.defs.assets.work_metrics import work_metrics
from aitoearn_assets.defs.resources.aitoearn import AiToEarnCredentials, AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START
from aitoearn_assets.tables import (
    ACCOUNT_ENGAGEMENT_COLUMNS,
    RAW_WORKS_COLUMNS,
    TOP_WORKS_COLUMNS,
    WORK_METRICS_COLUMNS,
)
from aitoearn_assets.warehouse.publish import analyst_copy_path

from .defs.helpers import materialize_analytics

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
QUERY_SECTION = README.split("## Query the warehouse", 1)[1].split("\n## ", 1)[0]
EXAMPLES = re.findall(r"```sql\n(.*?)```", QUERY_SECTION, flags=re.DOTALL)


@pytest.fixture(scope="module")
def analyst_db(tmp_path_factory) -> str:
    """A warehouse built from the sandbox on two pinned days a week apart, ending today, as `make run` would
    (the sandbox's works are dated from the pipeline's clock: the README's "last 30 days" finds them)."""
    db = str(tmp_path_factory.mktemp("readme") / "sandbox.duckdb")
    sandbox = AiToEarnResource(credentials=AiToEarnCredentials(sandbox=True))
    resources = {"aitoearn": sandbox, "warehouse": WarehouseResource(database=db)}
    everything = {PARTITION_RANGE_START: PLATFORMS[0], PARTITION_RANGE_END: PLATFORMS[-1]}
    pinned = os.environ["AITOEARN_AS_OF"]
    try:
        for day in (date.today() - timedelta(days=7), date.today()):
            os.environ["AITOEARN_AS_OF"] = day.isoformat()
            assert dg.materialize([accounts], resources=resources).success
            assert dg.materialize([raw_works], tags=everything, resources=resources).success
            assert dg.materialize([work_metrics], tags=everything, resources=resources).success
            assert materialize_analytics(sandbox, db).success
            assert dg.materialize([work_growth, account_growth], resources=resources).success
            assert dg.materialize([insights], resources=resources).success
    finally:
        os.environ["AITOEARN_AS_OF"] = pinned
    return analyst_copy_path(db)


def test_there_are_at_least_six_examples():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("sql", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_example_query_runs_on_the_analyst_copy(analyst_db, sql):
    with duckdb.connect(analyst_db, read_only=True) as con:
        result = con.sql(sql)
        assert len(result.columns) >= 3
        rows = result.fetchall()
    assert rows, "the example finds nothing in the sandbox warehouse"


def test_every_column_is_documented():
    for columns in (RAW_WORKS_COLUMNS, ACCOUNT_ENGAGEMENT_COLUMNS, TOP_WORKS_COLUMNS, WORK_METRICS_COLUMNS):
        for name in columns:
            assert re.search(rf"\b{name}\b", QUERY_SECTION), f"column {name} is missing from the README"


def test_the_readmes_table_reference_is_the_declaration():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_tables", Path(__file__).parents[1] / "docs" / "make_tables.py")
    make_tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_tables)
    assert make_tables.readme_with_tables(README) == README, "run .venv/bin/python docs/make_tables.py"


def test_analytics_metadata_carries_the_column_schema(analyst_db):
    from aitoearn_assets.definitions import defs

    spec = defs.resolve_assets_def("account_engagement").specs_by_key[dg.AssetKey("account_engagement")]
    schema = spec.metadata["dagster/column_schema"]
    assert [c.name for c in schema.columns] == list(ACCOUNT_ENGAGEMENT_COLUMNS)
    assert all(c.description for c in schema.columns)
