"""Atomic writes: each function is one DuckDB transaction, so a failure changes nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import polars as pl

from aitoearn_assets.warehouse.columns import METRIC_COLUMNS
from aitoearn_assets.warehouse.schema import read_sql


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK and re-raise."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@dataclass(frozen=True)
class WorksWrite:
    """What `replace_account_works` wrote."""

    works_written: int
    metrics_reported: list[str]


def replace_account_works(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    account_ids: Sequence[str],
    staged_files: Sequence[str],
    rejected: pl.DataFrame,
    run_record: dict[str, object],
) -> WorksWrite:
    """Replace the works (and set-aside items) of `account_ids` on `platform`; keep every other row.

    The works come from the staged Parquet files (see ingest/staging.py); a work staged twice
    keeps its last-served copy. Appends `run_record` to `ingest_runs`. All in one transaction.
    """
    ids = list(account_ids)
    with transaction(con):
        for table in ("raw_works", "rejected_works"):
            con.execute(f"DELETE FROM {table} WHERE platform = ? AND list_contains(?, account_id)", [platform, ids])
        written = 0
        if staged_files:
            (written,) = con.execute(read_sql("insert_staged_works"), [list(staged_files)]).fetchone()  # type: ignore[misc]
        if rejected.height:
            con.register("incoming_rejected", rejected)
            con.execute("INSERT INTO rejected_works BY NAME SELECT * FROM incoming_rejected")
            con.unregister("incoming_rejected")
        metrics = _reported_metrics(con, platform, ids)
        con.execute(
            "INSERT INTO ingest_runs BY NAME SELECT ?::VARCHAR AS platform, ?::VARCHAR AS run_id, "
            "?::TIMESTAMP AS fetched_at, ?::BIGINT AS works_written, ?::VARCHAR[] AS accounts_listed, "
            "?::VARCHAR[] AS accounts_fetched, "
            "?::STRUCT(account_id VARCHAR, reason VARCHAR)[] AS accounts_skipped, "
            "?::VARCHAR[] AS metrics_reported, ?::VARCHAR AS cannot_list_reason",
            [
                platform, run_record["run_id"], run_record["fetched_at"], written,
                run_record["accounts_listed"], ids, run_record["accounts_skipped"],
                metrics, run_record.get("cannot_list_reason"),
            ],
        )  # fmt: skip
    return WorksWrite(works_written=int(written), metrics_reported=metrics)


def _reported_metrics(con: duckdb.DuckDBPyConnection, platform: str, account_ids: list[str]) -> list[str]:
    """The metric columns that at least one just-written work of these accounts reports."""
    flags = ", ".join(f"count({c}) > 0" for c in METRIC_COLUMNS)
    row = con.execute(
        f"SELECT {flags} FROM raw_works WHERE platform = ? AND list_contains(?, account_id)", [platform, account_ids]
    ).fetchone()
    return [c for c, reported in zip(METRIC_COLUMNS, row or (), strict=False) if reported]


def replace_accounts(con: duckdb.DuckDBPyConnection, accounts: pl.DataFrame) -> None:
    """Replace the whole `accounts` table with `accounts` (one transaction)."""
    with transaction(con):
        con.execute("DELETE FROM accounts")
        if accounts.height:
            con.register("incoming_accounts", accounts)
            con.execute("INSERT INTO accounts BY NAME SELECT * FROM incoming_accounts")
            con.unregister("incoming_accounts")


def replace_table_as(
    con: duckdb.DuckDBPyConnection, table: str, select_sql: str, params: Sequence[object] | Mapping[str, object] = ()
) -> int:
    """`CREATE OR REPLACE TABLE table AS select_sql` in one transaction; returns the row count.

    `table` must be a plain identifier chosen by the code, never by data or config.
    """
    if not table.isidentifier():
        raise ValueError(f"not a table name: {table!r}")
    with transaction(con):
        con.execute(
            f"CREATE OR REPLACE TABLE {table} AS {select_sql}", params if isinstance(params, Mapping) else list(params)
        )
        (count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[misc]
    return int(count)
