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
        ).fetchall() == [(100, "view_count", date(2026, 10, 30), 7, "like_count")]
        assert columns_of(con, "raw_works")[-1] == ("observed_on", "DATE")
        assert con.execute("SELECT exposure, engagement_rate FROM work_engagement").fetchall() == [(100, 0.07)]


OLD_SNAPSHOTS = (
    "CREATE TABLE work_snapshots (platform VARCHAR NOT NULL, account_id VARCHAR NOT NULL, "
    "platform_work_id VARCHAR NOT NULL, snapshot_date DATE NOT NULL, view_count BIGINT, like_count BIGINT, "
    "metrics_source VARCHAR, fetched_at TIMESTAMP NOT NULL)"
)


def test_older_snapshots_count_a_carried_over_value_as_observed_once(tmp_path):
    """A weekly-asked work showed the same analytics values all week: only the first day of each value is an
    observation (so its daily gains stay NULL, not 0). A list value is observed on every run."""
    path = str(tmp_path / "old.duckdb")
    with duckdb.connect(path) as old:
        old.execute(OLD_SNAPSHOTS)
        for day, views, source in ((1, 100, "analytics"), (2, 100, "analytics"), (3, 100, "analytics"),
                                   (8, 170, "analytics"), (9, 170, "analytics")):  # fmt: skip
            old.execute("INSERT INTO work_snapshots VALUES ('youtube', 'a', 'w', ?, ?, NULL, ?, now())",
                        [date(2026, 10, day), views, source])  # fmt: skip
        for day in (1, 2):
            old.execute("INSERT INTO work_snapshots VALUES ('tiktok', 'a', 'l', ?, 50, 5, 'list', now())",
                        [date(2026, 10, day)])  # fmt: skip
    with duckdb.connect(path) as con:
        ensure_schema(con, "sandbox")
        seen = con.execute(
            "SELECT platform_work_id, day(snapshot_date), day(exposure_observed_on), day(interactions_observed_on) "
            "FROM work_snapshots ORDER BY ALL"
        ).fetchall()
    assert seen == [("l", 1, 1, 1), ("l", 2, 2, 2), ("w", 1, 1, None), ("w", 2, 1, None), ("w", 3, 1, None),
                    ("w", 8, 8, None), ("w", 9, 8, None)]  # fmt: skip


def test_a_migration_killed_half_way_is_finished_by_the_next_start(tmp_path):
    """The column was added but the process died before its backfill: the pending record makes the next
    start backfill it (a column found present is otherwise never backfilled)."""
    path = str(tmp_path / "old.duckdb")
    with duckdb.connect(path) as old:
        old.execute(
            "CREATE TABLE raw_works (platform VARCHAR NOT NULL, account_id VARCHAR NOT NULL, "
            "platform_work_id VARCHAR NOT NULL, fetched_at TIMESTAMP NOT NULL)"
        )
        old.execute("INSERT INTO raw_works VALUES ('tiktok', 'a', 'w', TIMESTAMP '2026-10-30 08:00')")
        old.execute(create_table_sql("warehouse_info", STORED_TABLES["warehouse_info"]))
        # what the killed start had done: recorded the pending backfill, added the column, nothing more
        old.execute("INSERT INTO warehouse_info VALUES ('pending_backfill', 'raw_works.observed_on')")
        old.execute("ALTER TABLE raw_works ADD COLUMN observed_on DATE")
    with duckdb.connect(path) as con:
        ensure_schema(con, "sandbox")
        assert con.execute("SELECT observed_on FROM raw_works").fetchall() == [(date(2026, 10, 30),)]
        assert con.execute("SELECT count(*) FROM warehouse_info WHERE key = 'pending_backfill'").fetchone() == (0,)


def test_older_sums_name_the_parts_they_added(tmp_path):
    path = str(tmp_path / "old.duckdb")
    with duckdb.connect(path) as old:
        ensure_schema(old, "sandbox")
        old.execute("DELETE FROM warehouse_info WHERE key = 'migrated'")  # as a release before the change left it
        old.execute(
            "INSERT INTO work_snapshots (platform, account_id, platform_work_id, snapshot_date, like_count, "
            "comment_count, fetched_at, interactions, interactions_metric) VALUES "
            "('instagram', 'a', 'w', DATE '2026-10-01', 5, 2, now(), 7, 'sum_of_parts')"
        )
    with duckdb.connect(path) as con:
        ensure_schema(con, "sandbox")
        assert con.execute("SELECT interactions_metric FROM work_snapshots").fetchone() == ("like_count+comment_count",)
