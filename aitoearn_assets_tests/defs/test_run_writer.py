"""`RunWriter` on a real DuckDB file: the run's one writer connection and its early checkpoint."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from aitoearn_assets.defs.assets.run_writer import RunWriter, early_checkpoint_due
from aitoearn_assets.defs.resources.warehouse import WarehouseResource

from .helpers import table


def test_the_checkpoint_before_the_last_platform_moves_the_committed_rows_from_the_wal_into_the_file(db_path):
    with RunWriter(WarehouseResource(database=db_path), logging.getLogger(__name__)) as writer:
        con = writer.connection()  # commits append to the WAL until the checkpoint (threshold 1 GB)
        con.execute("CREATE TABLE landed AS SELECT range AS n FROM range(100000)")
        wal = Path(db_path + ".wal")
        assert wal.stat().st_size > 0
        writer.checkpoint()
        assert not wal.exists() or wal.stat().st_size == 0
    assert table(db_path, "SELECT count(*) FROM landed") == [(100000,)]


def test_a_checkpoint_that_fails_is_a_warning_in_the_run_log_and_the_last_platform_still_lands(db_path, caplog):
    log = logging.getLogger("raw_works_run_log")
    with RunWriter(WarehouseResource(database=db_path), log) as writer:
        con = writer.connection()
        con.execute("CREATE TABLE landed (platform VARCHAR)")
        con.execute("BEGIN; INSERT INTO landed VALUES ('uncommitted')")  # DuckDB refuses CHECKPOINT in this state
        with caplog.at_level(logging.WARNING, logger=log.name):
            writer.checkpoint()
        con.execute("ROLLBACK")
        con.execute("INSERT INTO landed VALUES ('pinterest')")
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "the early checkpoint failed" in caplog.records[0].getMessage()
    assert table(db_path, "SELECT * FROM landed") == [("pinterest",)]


@pytest.mark.parametrize(
    ("share_fetched", "landed", "platforms", "due"),
    [(0.5, 3, 15, False), (0.75, 3, 15, True), (0.9, 12, 15, True), (0.2, 14, 15, True), (1.0, 15, 15, False),
     (1.0, 1, 1, False)],
)  # fmt: skip
def test_the_early_checkpoint_comes_at_three_quarters_of_the_accounts_or_before_the_last_platform_never_after(
    share_fetched, landed, platforms, due
):
    assert early_checkpoint_due(share_fetched, landed, platforms) is due


def test_the_early_checkpoint_runs_once_per_run(db_path):
    with RunWriter(WarehouseResource(database=db_path), logging.getLogger(__name__)) as writer:
        con = writer.connection()
        wal = Path(db_path + ".wal")
        con.execute("CREATE TABLE landed AS SELECT range AS n FROM range(100000)")
        writer.platform_written(landed=12, platforms=15, share_fetched=0.8)  # due: the checkpoint empties the WAL
        assert not wal.exists() or wal.stat().st_size == 0
        con.execute("INSERT INTO landed SELECT range FROM range(100000)")
        writer.platform_written(landed=14, platforms=15, share_fetched=0.9)  # due again, but it ran already
        assert wal.stat().st_size > 0
    assert table(db_path, "SELECT count(*) FROM landed") == [(200000,)]
