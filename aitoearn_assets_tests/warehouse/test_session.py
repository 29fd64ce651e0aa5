"""Every connection the project opens draws no progress bar on stdout, however long a query runs."""

from __future__ import annotations

import duckdb
import pytest

from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.warehouse.location import WarehouseLocation
from aitoearn_assets.warehouse.session import quiet, unordered

LONG_QUERY = "SELECT sum(i * i) FROM range(200_000_000) t(i)"


def impatient() -> duckdb.DuckDBPyConnection:
    """A connection whose bar shows from the first millisecond, as any query's does after 2 s
    (setting the time turns the bar on again, so it comes before `quiet`)."""
    con = duckdb.connect(":memory:")
    con.execute("SET progress_bar_time = 0")
    return con


def test_duckdb_draws_its_bar_on_stdout_unless_quieted(capfd):
    impatient().execute(LONG_QUERY).fetchall()
    assert "100%" in capfd.readouterr().out  # the defect: DuckDB's C++ writes it to fd 1
    con = quiet(impatient())
    capfd.readouterr()  # the SET itself ran with the bar on, and drew its 100 %
    con.execute(LONG_QUERY).fetchall()
    assert capfd.readouterr().out == ""


def progress_bar_on(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0]


def test_the_warehouse_resource_and_the_analyst_connection_are_quiet(tmp_path):
    path = str(tmp_path / "w.duckdb")
    warehouse = WarehouseResource(database=path)
    with warehouse.get_connection() as con:
        assert not progress_bar_on(con)
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    warehouse.publish()
    with WarehouseLocation(path).connect_read_only() as con:
        assert not progress_bar_on(con)


def test_a_lake_connection_is_quiet(lake):
    warehouse = WarehouseResource(
        database=lake["AITOEARN_DUCKDB_PATH"], lake_data_path=lake["AITOEARN_DUCKLAKE_DATA_PATH"]
    )
    with warehouse.get_connection() as con:
        assert not progress_bar_on(con)


def preserves_order(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]


def test_unordered_drops_row_order_for_its_duration_and_sets_back_what_was_set():
    con = duckdb.connect(":memory:")
    with unordered(con):
        assert not preserves_order(con)
        with unordered(con):  # nested: the outer setting is what comes back
            assert not preserves_order(con)
        assert not preserves_order(con)
    assert preserves_order(con)
    con.execute("SET preserve_insertion_order = false")
    with unordered(con):
        pass
    assert not preserves_order(con)


def test_unordered_sets_order_back_when_the_block_fails():
    con = duckdb.connect(":memory:")
    with pytest.raises(RuntimeError), unordered(con):
        raise RuntimeError("a failed write")
    assert preserves_order(con)


def test_a_statement_that_fails_inside_a_transaction_is_the_error_unordered_raises():
    con = duckdb.connect(":memory:")
    con.execute("BEGIN")
    with pytest.raises(duckdb.ConversionException), unordered(con):  # not "transaction is aborted" from the SET
        con.execute("SELECT CAST('x' AS INTEGER)")
    con.execute("ROLLBACK")
