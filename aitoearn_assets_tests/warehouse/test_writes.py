"""Writes are all-or-nothing: a failure or a kill -9 leaves the previous data; SQL is parameterized."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import textwrap
from datetime import datetime, timedelta

import duckdb
import polars as pl
import pytest

from aitoearn_assets.fetch.staging import STAGE_MEMORY_BYTES, StageMemory, WorksStage
from aitoearn_assets.fetch.work_rows import RAW_WORKS_SCHEMA
from aitoearn_assets.warehouse.schema import WarehouseModeError, ensure_schema
from aitoearn_assets.warehouse.writes import IncomingWorks, replace_account_works, replace_table_from_frame

T = datetime(2026, 11, 1)
D = T.date()  # the run date
HOSTILE = "'); DROP TABLE raw_works;--"


def staged(account_ids: list[str], n: int, title: str = "t", *, spill: bool = False) -> IncomingWorks:
    """Stage n works per account as the fetch does (in memory, or spilled to Parquet); hand them to the writer."""
    stage = WorksStage(tempfile.mkdtemp(), StageMemory(0 if spill else STAGE_MEMORY_BYTES))
    frame = works(account_ids, n, title)
    for account_id in account_ids:
        stage.add(account_id, frame.filter(pl.col("account_id") == account_id))
    return incoming(stage, account_ids)


def incoming(stage: WorksStage, account_ids: list[str]) -> IncomingWorks:
    return IncomingWorks(account_ids, stage.in_memory(account_ids), stage.spilled(account_ids))


def works(account_ids: list[str], n: int, title: str = "t") -> pl.DataFrame:
    rows = [
        {
            "platform": "tiktok",
            "account_id": a,
            "platform_work_id": f"w{i}",
            "title": title,
            "like_count": i,
            "fetched_at": T,
        }
        for a in account_ids
        for i in range(n)
    ]
    return pl.DataFrame(rows, schema=RAW_WORKS_SCHEMA)


def no_rejected() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"platform": pl.String, "account_id": pl.String, "platform_work_id": pl.String,
                "reason": pl.String, "raw_json": pl.String, "fetched_at": pl.Datetime("us")}
    )  # fmt: skip


def record(**extra) -> dict:
    return {"run_id": "r", "fetched_at": T, **extra}


def snapshot(con) -> list[tuple]:
    return con.execute("SELECT * FROM raw_works ORDER BY ALL").fetchall()


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con, "live")
    replace_account_works(con, "tiktok", staged(["a", "b"], 5), no_rejected(), record(), run_date=D)
    yield con
    con.close()


def test_only_the_fetched_accounts_are_replaced(con):
    replace_account_works(con, "tiktok", staged(["a"], 3, title="new"), no_rejected(), record(), run_date=D)
    got = con.execute("SELECT account_id, count(*), min(title) FROM raw_works GROUP BY 1 ORDER BY 1").fetchall()
    assert got == [("a", 3, "new"), ("b", 5, "t")]


def test_a_listing_below_half_is_held_unless_allowed(con):
    written = replace_account_works(
        con, "tiktok", staged(["a", "b"], 2, title="new"), no_rejected(), record(), run_date=D
    )
    assert written.accounts_written == [] and [h["account_id"] for h in written.accounts_held] == ["a", "b"]
    assert con.execute("SELECT count(*), min(title) FROM raw_works").fetchone() == (10, "t")
    (held,) = con.execute("SELECT accounts_held FROM ingest_runs WHERE len(accounts_held) > 0").fetchone()
    assert "returned 2 works where 5 are stored" in held[0]["reason"]

    written = replace_account_works(
        con, "tiktok", staged(["a"], 2), no_rejected(), record(), run_date=D, allow_shrink=True
    )
    assert written.accounts_written == ["a"] and written.works_written == 2


def test_an_empty_listing_is_held(con):
    written = replace_account_works(con, "tiktok", IncomingWorks(["a"]), no_rejected(), record(), run_date=D)
    assert [h["account_id"] for h in written.accounts_held] == ["a"]
    assert con.execute("SELECT count(*) FROM raw_works WHERE account_id = 'a'").fetchone() == (5,)


@pytest.mark.parametrize("budget", [STAGE_MEMORY_BYTES, 0], ids=["in_memory", "spilled"])
def test_a_failing_write_changes_nothing(con, budget):
    before = snapshot(con)
    stage = WorksStage(tempfile.mkdtemp(), StageMemory(budget))
    stage.add("a", works(["a"], 3).with_columns(pl.lit("not a timestamp").alias("published_at")))
    with pytest.raises(duckdb.Error):
        replace_account_works(con, "tiktok", incoming(stage, ["a"]), no_rejected(), record(), run_date=D)
    assert snapshot(con) == before
    assert con.execute("SELECT count(*) FROM ingest_runs").fetchone() == (1,)


def test_hostile_strings_are_data_not_sql(con):
    replace_account_works(
        con,
        "tiktok",
        staged([HOSTILE], 2, title=HOSTILE),
        no_rejected(),
        record(accounts_skipped=[{"account_id": HOSTILE, "reason": HOSTILE}]),
        run_date=D,
    )
    replace_account_works(con, "tiktok", staged([HOSTILE], 2, title=HOSTILE), no_rejected(), record(), run_date=D)
    assert con.execute(
        "SELECT count(*) FROM raw_works WHERE account_id = ? AND title = ?", [HOSTILE, HOSTILE]
    ).fetchone() == (2,)
    assert con.execute("SELECT count(*) FROM raw_works").fetchone() == (12,)


def test_a_file_never_mixes_sandbox_and_live(con):
    with pytest.raises(WarehouseModeError, match="AITOEARN_DUCKDB_PATH"):
        ensure_schema(con, "sandbox")


CHILD = textwrap.dedent(
    """
    import sys, time, duckdb
    from datetime import datetime
    from aitoearn_assets_tests.warehouse.test_writes import staged, no_rejected, record
    from aitoearn_assets.warehouse.writes import IncomingWorks, replace_account_works
    from aitoearn_assets.warehouse.session import quiet

    class PausingConnection:
        # Delegates to DuckDB; stops for good just before COMMIT, with the rows deleted and inserted.
        def __init__(self, con):
            self.con = con
        def __getattr__(self, name):
            return getattr(self.con, name)
        def execute(self, sql, *args):
            if sql.startswith("COMMIT"):
                print("IN TRANSACTION", flush=True)
                time.sleep(600)
            return self.con.execute(sql, *args)

    con = quiet(duckdb.connect(sys.argv[1]))  # its progress bar would come before the line the test waits for
    replace_account_works(PausingConnection(con), "tiktok", staged(["a", "b"], 300_000, title="half"),
                          no_rejected(), record(fetched_at=datetime(2026, 11, 2)),
                          run_date=datetime(2026, 11, 2).date())  # the next day's snapshot too
    """
)


def test_kill_9_in_the_middle_of_a_write_leaves_the_previous_data(tmp_path):
    path = str(tmp_path / "killed.duckdb")
    with duckdb.connect(path) as con:
        ensure_schema(con, "live")
        replace_account_works(con, "tiktok", staged(["a", "b"], 5), no_rejected(), record(), run_date=D)
        before = snapshot(con)
        snapshots_before = con.execute("SELECT * FROM work_snapshots ORDER BY ALL").fetchall()
        assert len(snapshots_before) == 10

    errors = tmp_path / "child.stderr"
    with errors.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-c", CHILD, path], stdout=subprocess.PIPE, stderr=stderr, text=True
        )
    try:
        # 600,000 rows written, not committed (a child that died before shows why)
        line = child.stdout.readline()
        assert line.strip() == "IN TRANSACTION", f"{line!r}; its stderr: {errors.read_text()[-4000:]}"
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()  # also when it never reached the COMMIT: it would otherwise sleep on after the test
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    with duckdb.connect(path) as con:  # the file opens, the old rows are there, the next write works
        assert snapshot(con) == before
        assert con.execute("SELECT * FROM work_snapshots ORDER BY ALL").fetchall() == snapshots_before
        replace_account_works(con, "tiktok", staged(["a"], 1), no_rejected(), record(), run_date=D, allow_shrink=True)
        assert con.execute("SELECT count(*) FROM raw_works").fetchone() == (6,)


@pytest.mark.parametrize("budget", ["all", "first chunk", "none"])
def test_staged_rows_are_written_alike_from_memory_and_from_files(tmp_path, budget):
    """The last-served copy of a repeated work wins, whether the account's chunks were in memory or on disk."""
    first, second = works(["a"], 3, title="first"), works(["a"], 2, title="second")  # w0, w1 served again
    limits = {"all": STAGE_MEMORY_BYTES, "first chunk": first.estimated_size(), "none": 0}
    stage = WorksStage(tmp_path / "stage", StageMemory(limits[budget]))
    stage.add("a", first)
    stage.add("a", second)
    stage.add("b", works(["b"], 2))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con, "live")
    written = replace_account_works(con, "tiktok", incoming(stage, ["a", "b"]), no_rejected(), record(), run_date=D)
    assert written.works_written == 5
    got = con.execute("SELECT account_id, platform_work_id, title FROM raw_works ORDER BY 1, 2").fetchall()
    assert got == [
        ("a", "w0", "second"),
        ("a", "w1", "second"),
        ("a", "w2", "first"),
        ("b", "w0", "t"),
        ("b", "w1", "t"),
    ]


@pytest.mark.parametrize("budget", [STAGE_MEMORY_BYTES, 0], ids=["in_memory", "spilled"])
def test_a_held_account_in_a_shared_chunk_keeps_its_rows(con, budget):
    stage = WorksStage(tempfile.mkdtemp(), StageMemory(budget))
    stage.add_accounts(pl.concat([works(["a"], 2, title="new"), works(["b"], 5, title="new")]))  # a shrinks: held
    written = replace_account_works(con, "tiktok", incoming(stage, ["a", "b"]), no_rejected(), record(), run_date=D)
    assert [h["account_id"] for h in written.accounts_held] == ["a"] and written.works_written == 5
    got = con.execute("SELECT account_id, count(*), min(title) FROM raw_works GROUP BY 1 ORDER BY 1").fetchall()
    assert got == [("a", 5, "t"), ("b", 5, "new")]


def rejected(account_id: str, work_id: str | None) -> pl.DataFrame:
    return pl.DataFrame(
        [{"platform": "tiktok", "account_id": account_id, "platform_work_id": work_id, "reason": "likeCount is not a "
          "count ('1.2w')", "raw_json": "{}", "fetched_at": T}],
        schema=no_rejected().schema,
    )  # fmt: skip


def test_a_partial_listing_adds_and_updates_works_and_deletes_none(con):
    served = pl.concat([works(["a"], 4, title="again").filter(pl.col("platform_work_id") == "w3"),
                        works(["a"], 8, title="new").filter(pl.col("platform_work_id") == "w7")])  # fmt: skip
    written = replace_account_works(
        con, "tiktok", IncomingWorks(["a"], served, partial=frozenset({"a"})), no_rejected(), record(), run_date=D
    )
    assert written.accounts_written == ["a"] and written.accounts_held == []  # 2 of 5 served: not a shrink
    got = con.execute("SELECT platform_work_id, title FROM raw_works WHERE account_id = 'a' ORDER BY 1").fetchall()
    assert got == [("w0", "t"), ("w1", "t"), ("w2", "t"), ("w3", "again"), ("w4", "t"), ("w7", "new")]
    assert con.execute("SELECT count(*) FROM raw_works WHERE account_id = 'b'").fetchone() == (5,)


def test_a_work_set_aside_keeps_its_stored_row_and_the_others_are_replaced(con):
    stored = con.execute("SELECT * FROM raw_works WHERE platform_work_id = 'w4' AND account_id = 'a'").fetchall()
    served = works(["a"], 4, title="today")  # w0..w3 readable; w4 came as "1.2w"
    replace_account_works(con, "tiktok", IncomingWorks(["a"], served), rejected("a", "w4"), record(), run_date=D)
    got = con.execute("SELECT platform_work_id, title FROM raw_works WHERE account_id = 'a' ORDER BY 1").fetchall()
    assert got == [("w0", "today"), ("w1", "today"), ("w2", "today"), ("w3", "today"), ("w4", "t")]
    assert (
        con.execute("SELECT * FROM raw_works WHERE platform_work_id = 'w4' AND account_id = 'a'").fetchall() == stored
    )
    assert con.execute("SELECT platform_work_id FROM rejected_works").fetchall() == [("w4",)]

    readable = works(["a"], 5, title="next day")  # the next day it reads fine: replaced like the others
    replace_account_works(con, "tiktok", IncomingWorks(["a"], readable), no_rejected(), record(), run_date=D)
    assert con.execute("SELECT DISTINCT title FROM raw_works WHERE account_id = 'a'").fetchall() == [("next day",)]
    assert con.execute("SELECT count(*) FROM rejected_works").fetchone() == (0,)


def test_rows_are_stamped_with_the_run_date_and_snapshots_carry_it(con):
    later = datetime(2026, 11, 3, 0, 30)  # fetched after midnight, in a run that started on the 2nd
    replace_account_works(con, "tiktok", staged(["a"], 5), no_rejected(), record(fetched_at=later),
                          run_date=later.date() - timedelta(days=1))  # fmt: skip
    assert con.execute("SELECT DISTINCT observed_on FROM raw_works WHERE account_id = 'a'").fetchall() == [
        (datetime(2026, 11, 2).date(),)
    ]
    assert con.execute("SELECT DISTINCT snapshot_date FROM work_snapshots WHERE account_id = 'a' ORDER BY 1").fetchall() == [
        (D,), (datetime(2026, 11, 2).date(),)
    ]  # fmt: skip


def test_a_frame_written_in_order_reads_back_in_its_order_and_unordered_holds_the_same_rows(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    frame = pl.DataFrame({"n": range(1_000_000, 0, -1)})  # many chunks, which an unordered write interleaves
    replace_table_from_frame(con, "ranked", frame)
    assert con.sql("SELECT * FROM ranked").pl().equals(frame)  # as a user's asset read by the IO manager
    replace_table_from_frame(con, "loose", frame, keep_order=False)
    assert con.sql("SELECT * FROM loose ORDER BY n DESC").pl().equals(frame)
