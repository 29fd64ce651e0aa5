"""One declaration per table: the DDL, the views, the growth frames and the README agree with tables.py."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from aitoearn_assets.tables import DERIVED_TABLES, STORED_TABLES, column_type
from aitoearn_assets.warehouse.engagement import build_account_engagement, build_top_works
from aitoearn_assets.warehouse.growth import compute_account_growth, compute_work_growth
from aitoearn_assets.warehouse.schema import create_table_sql, ensure_schema

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect(":memory:")
    ensure_schema(con, "sandbox")
    build_account_engagement(con, datetime(2026, 11, 1))
    build_top_works(con)
    yield con
    con.close()


def columns_of(con, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()


@pytest.mark.parametrize("table", sorted(STORED_TABLES))
def test_a_stored_table_is_its_declaration(con, table):
    assert columns_of(con, table) == [(name, column_type(t)) for name, (t, _) in STORED_TABLES[table].items()]


@pytest.mark.parametrize("table", ["work_engagement", "account_followers", "account_engagement", "top_works"])
def test_a_view_or_sql_table_has_the_declared_columns(con, table):
    assert columns_of(con, table) == [(name, column_type(t)) for name, (t, _) in DERIVED_TABLES[table].items()]


def test_the_growth_tables_have_the_declared_columns(con):
    work = compute_work_growth(con)
    assert work.columns == list(DERIVED_TABLES["work_growth"])
    assert compute_account_growth(con, work).columns == list(DERIVED_TABLES["account_growth"])


@pytest.mark.parametrize("table", sorted(STORED_TABLES.keys() | DERIVED_TABLES.keys()))
def test_every_column_is_in_the_readme(table):
    assert f"`{table}`" in README, f"{table} is missing from the README"
    section = README.split(f"`{table}` (", 1)[-1] if f"`{table}` (" in README else README.split(f"`{table}`", 1)[1]
    for name in STORED_TABLES.get(table) or DERIVED_TABLES[table]:
        assert name in section, f"{table}.{name} is missing from the README"


def test_ddl_is_produced_from_the_declaration():
    assert create_table_sql("t", {"a": ("VARCHAR NOT NULL", "x"), "b": ("BIGINT DEFAULT 0", "y")}) == (
        "CREATE TABLE IF NOT EXISTS t (\n    a VARCHAR NOT NULL,\n    b BIGINT DEFAULT 0\n);"
    )


def test_an_older_file_gains_the_new_columns_with_the_values_its_rows_imply(tmp_path):
    """A warehouse of the previous release (no observation dates, no removed_at) migrates in place."""
    path = str(tmp_path / "old.duckdb")
    with duckdb.connect(path) as old:
        old.execute(
            "CREATE TABLE raw_works (platform VARCHAR NOT NULL, account_id VARCHAR NOT NULL, "
            "platform_work_id VARCHAR NOT NULL, view_count BIGINT, like_count BIGINT, fetched_at TIMESTAMP NOT NULL)"
        )
        old.execute("INSERT INTO raw_works VALUES ('tiktok', 'a', 'w', 100, 7, TIMESTAMP '2026-10-30 08:00')")
        old.execute(
            "CREATE TABLE work_snapshots (platform VARCHAR NOT NULL, account_id VARCHAR NOT NULL, "
            "platform_work_id VARCHAR NOT NULL, snapshot_date DATE NOT NULL, view_count BIGINT, like_count BIGINT, "
            "fetched_at TIMESTAMP NOT NULL)"
        )
        old.execute("INSERT INTO work_snapshots VALUES ('tiktok', 'a', 'w', DATE '2026-10-30', 100, 7, now())")
    with duckdb.connect(path) as con:
        ensure_schema(con, "sandbox")
        assert con.execute("SELECT source, observed_on FROM raw_works").fetchall() == [("list", date(2026, 10, 30))]
        assert con.execute(
            "SELECT exposure, exposure_metric, exposure_observed_on, interactions, interactions_metric "
            "FROM work_snapshots"
        ).fetchall() == [(100, "view_count", date(2026, 10, 30), 7, "sum_of_parts")]
        assert columns_of(con, "raw_works")[-1] == ("observed_on", "DATE")
        assert con.execute("SELECT exposure, engagement_rate FROM work_engagement").fetchall() == [(100, 0.07)]
