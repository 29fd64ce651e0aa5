"""The warehouse on a DuckLake: a real Postgres catalog, Parquet files in a folder (needs Postgres)."""

from __future__ import annotations

import glob
import threading
from datetime import datetime

import duckdb
import pytest

from aitoearn_assets.tables import PARTITIONED_BY_PLATFORM, STORED_TABLES
from aitoearn_assets.warehouse import lake as lk
from aitoearn_assets.warehouse.location import LocationError, WarehouseLocation
from aitoearn_assets.warehouse.schema import WarehouseModeError, ensure_schema
from aitoearn_assets.warehouse.transactions import atomic, transaction
from aitoearn_assets.warehouse.writes import record_ingest_run, replace_account_works

from .test_writes import D, no_rejected, staged

RUN = {"run_id": "r1", "root_run_id": "r1", "fetched_at": datetime(2026, 11, 1), "accounts_listed": [],
       "accounts_skipped": []}  # fmt: skip


@pytest.fixture
def lake_con(lake):
    con = lk.connect(lake["AITOEARN_DUCKDB_PATH"], lake["AITOEARN_DUCKLAKE_DATA_PATH"])
    ensure_schema(con, "sandbox")
    yield con
    con.close()


def snapshots(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchone()[0]


def test_a_new_lake_gets_every_table_and_a_second_start_writes_nothing(lake, lake_con):
    tables = {r[0] for r in lake_con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(STORED_TABLES) | {"work_engagement", "account_followers"} <= tables
    before = snapshots(lake_con)
    again = lk.connect(lake["AITOEARN_DUCKDB_PATH"])  # the catalog remembers its data path
    ensure_schema(again, "sandbox")  # views current, mode claimed: no commit, nothing for concurrent runs to meet
    assert snapshots(again) == before
    with pytest.raises(WarehouseModeError, match="holds sandbox data"):
        ensure_schema(again, "live")


def test_platform_tables_write_one_folder_per_platform(lake, lake_con):
    replace_account_works(lake_con, "tiktok", staged(["a1", "a2"], 40), no_rejected(), RUN, run_date=D)
    data = lake["AITOEARN_DUCKLAKE_DATA_PATH"]
    assert glob.glob(f"{data}main/raw_works/platform=tiktok/*.parquet")
    assert glob.glob(f"{data}main/work_snapshots/platform=tiktok/*.parquet")
    partitioned = {
        r[0]
        for r in lake_con.execute(
            "SELECT t.table_name FROM __ducklake_metadata_lake.ducklake_partition_info p "
            "JOIN __ducklake_metadata_lake.ducklake_table t USING (table_id) WHERE t.end_snapshot IS NULL"
        ).fetchall()
    }
    assert partitioned == {*PARTITIONED_BY_PLATFORM, "write_marks"}
    assert lake_con.execute("SELECT count(*) FROM raw_works").fetchone()[0] == 80


def test_a_write_that_meets_a_concurrent_commit_runs_again_whole(lake, lake_con):
    record_ingest_run(lake_con, {**RUN, "platform": "KWAI", "run_id": "r0"})
    other = lk.connect(lake["AITOEARN_DUCKDB_PATH"])
    tries = []

    @atomic
    def replace_kwai_runs(con: duckdb.DuckDBPyConnection) -> None:
        tries.append(len(tries) + 1)
        with transaction(con):
            con.execute("DELETE FROM ingest_runs WHERE platform = 'KWAI'")
            if len(tries) == 1:  # another process commits into the same table meanwhile
                record_ingest_run(other, {**RUN, "platform": "tiktok", "run_id": "other"})
            record_ingest_run(con, {**RUN, "platform": "KWAI"})

    replace_kwai_runs(lake_con)
    assert tries == [1, 2]
    rows = lake_con.execute("SELECT platform, run_id FROM ingest_runs ORDER BY 1").fetchall()
    assert rows == [("KWAI", "r1"), ("tiktok", "other")]  # both writes landed, none lost
    other.close()


def test_two_writes_of_one_platform_on_a_new_lake_never_both_insert(lake, lake_con, monkeypatch):
    """Both transactions delete nothing (no rows yet) and insert: only the write mark makes them collide."""
    from aitoearn_assets.warehouse import writes

    both_inside = threading.Barrier(2, timeout=30)
    insert = writes._insert_works

    def insert_together(con, *args, **kwargs):
        if threading.current_thread().name.endswith("first"):  # only each thread's first try waits
            threading.current_thread().name = "again"
            both_inside.wait()
        return insert(con, *args, **kwargs)

    monkeypatch.setattr(writes, "_insert_works", insert_together)

    def write() -> None:
        con = lk.connect(lake["AITOEARN_DUCKDB_PATH"])
        replace_account_works(con, "tiktok", staged(["a1", "a2"], 40), no_rejected(), RUN, run_date=D)
        con.close()

    threads = [threading.Thread(target=write, name=f"{n}-first") for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    works = lake_con.execute("SELECT count(*), count(DISTINCT (account_id, platform_work_id)) FROM raw_works")
    assert works.fetchone() == (80, 80)
    assert lake_con.execute("SELECT count(*) FROM ingest_runs").fetchone() == (2,)  # both landed, one re-run


def test_a_read_only_session_reads_and_cannot_write(lake, lake_con):
    record_ingest_run(lake_con, {**RUN, "platform": "KWAI"})
    reader = WarehouseLocation(lake["AITOEARN_DUCKDB_PATH"]).connect_read_only()
    assert reader.execute("SELECT count(*) FROM ingest_runs").fetchone() == (1,)
    with pytest.raises(duckdb.InvalidInputException, match="read-only"):
        reader.execute("DELETE FROM ingest_runs")
    reader.close()


@pytest.mark.parametrize(
    ("catalog", "expected"),
    [
        ("ducklake:postgres:dbname=l password='two words' host=h", "ducklake:postgres:dbname=l password=*** host=h"),
        ("ducklake:postgres:postgresql://u:s3cret@h/db", "ducklake:postgres:postgresql://u:***@h/db"),
        ("md:aitoearn?motherduck_token=s3cret", "md:aitoearn?motherduck_token=***"),
    ],
)
def test_every_form_of_a_secret_is_masked(catalog, expected):
    assert lk.shown(catalog) == expected


def test_an_attach_error_does_not_quote_the_password(postgres):
    with pytest.raises(duckdb.Error) as refused:
        lk.connect(f"ducklake:postgres:dbname=nope host=127.0.0.1 port={postgres.port} user=nobody password=s3cret")
    assert "s3cret" not in str(refused.value) and "password=***" in str(refused.value)


def test_the_analyst_cli_gets_the_password_from_the_environment_not_its_command_line():
    from aitoearn_assets.analyst import cli_arguments

    arguments, variables = cli_arguments(WarehouseLocation("ducklake:postgres:dbname=l host=h password=s3cret"))
    assert "s3cret" not in " ".join(arguments) and variables == {"PGPASSWORD": "s3cret"}


def test_a_password_in_the_catalog_string_is_never_shown():
    where = WarehouseLocation("ducklake:postgres:dbname=lake host=db password=s3cret user=u", "/srv/lake/")
    assert "s3cret" not in where.shown and "s3cret" not in where.analyst_target
    assert where.shown == "ducklake:postgres:dbname=lake host=db password=*** user=u (data /srv/lake/)"
    assert where.report_path == "/srv/lake_report.html"  # beside the data folder, never inside DuckLake's own
    with pytest.raises(LocationError, match="AITOEARN_REPORT_PATH"):
        _ = WarehouseLocation("ducklake:postgres:dbname=lake", "s3://bucket/lake/").report_path
    assert WarehouseLocation("ducklake:postgres:x", "s3://b/", report="/r/x.html").report_path == "/r/x.html"


def test_the_extensions_come_from_the_wheels():
    for name in lk.EXTENSIONS:
        assert f"/v{duckdb.__version__}/{name}.duckdb_extension" in lk.extension_file(name)


def test_a_hosted_database_is_no_file_here():
    where = WarehouseLocation("md:aitoearn")
    assert where.is_hosted and not where.is_lake and where.analyst_target == "md:aitoearn"
    with pytest.raises(LocationError, match="AITOEARN_REPORT_PATH"):
        _ = where.report_path
