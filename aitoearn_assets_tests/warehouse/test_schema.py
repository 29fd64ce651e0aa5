"""One declaration per table: the DDL, the Dagster column schema and the README agree with columns.py."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from aitoearn_assets.warehouse import columns as declared
from aitoearn_assets.warehouse.schema import DECLARED_TABLES, create_table_sql, ensure_schema

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
STORED = {
    "raw_works": declared.RAW_WORKS_COLUMNS,
    "accounts": declared.ACCOUNTS_COLUMNS,
    "work_metrics": declared.WORK_METRICS_COLUMNS,
    **DECLARED_TABLES,
}


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect(":memory:")
    ensure_schema(con, "sandbox")
    yield con
    con.close()


@pytest.mark.parametrize("table", sorted(STORED))
def test_the_table_in_duckdb_is_its_declaration(con, table):
    got = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    want = [(name, type_.split()[0]) for name, (type_, _) in STORED[table].items()]
    assert got == want


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("work_growth", declared.WORK_GROWTH_COLUMNS),
        ("account_growth", declared.ACCOUNT_GROWTH_COLUMNS),
        *DECLARED_TABLES.items(),
    ],
)
def test_every_column_is_in_the_readme(table, columns):
    section = README.split(f"`{table}`", 1)[1]
    for name in columns:
        assert f"{name}" in section, f"{table}.{name} is missing from the README"


def test_the_growth_tables_have_the_declared_columns(tmp_path):
    from aitoearn_assets.warehouse.growth import compute_account_growth, compute_work_growth

    with duckdb.connect(":memory:") as con:
        ensure_schema(con, "sandbox")
        work = compute_work_growth(con)
        assert work.columns == list(declared.WORK_GROWTH_COLUMNS)
        assert compute_account_growth(con, work).columns == list(declared.ACCOUNT_GROWTH_COLUMNS)


def test_ddl_is_produced_from_the_declaration():
    assert create_table_sql("t", {"a": ("VARCHAR NOT NULL", "x"), "b": ("BIGINT", "y")}) == (
        "CREATE TABLE IF NOT EXISTS t (\n    a VARCHAR NOT NULL,\n    b BIGINT\n);"
    )
