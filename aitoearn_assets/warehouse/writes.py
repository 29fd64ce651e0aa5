"""Atomic writes: each function is one DuckDB transaction, so a failure changes nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import duckdb
import polars as pl


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


def replace_account_works(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    account_ids: Sequence[str],
    works: pl.DataFrame,
    rejected: pl.DataFrame,
    run_record: dict[str, object],
) -> None:
    """Replace the works (and set-aside items) of `account_ids` on `platform`; keep every other row.

    Also appends `run_record` to `ingest_runs`. All in one transaction.
    """
    ids = list(account_ids)
    with transaction(con):
        for table in ("raw_works", "rejected_works"):
            con.execute(f"DELETE FROM {table} WHERE platform = ? AND list_contains(?, account_id)", [platform, ids])
        if works.height:
            con.register("incoming_works", works)
            con.execute("INSERT INTO raw_works BY NAME SELECT * FROM incoming_works")
            con.unregister("incoming_works")
        if rejected.height:
            con.register("incoming_rejected", rejected)
            con.execute("INSERT INTO rejected_works BY NAME SELECT * FROM incoming_rejected")
            con.unregister("incoming_rejected")
        con.execute(
            "INSERT INTO ingest_runs BY NAME SELECT ?::VARCHAR AS platform, ?::VARCHAR AS run_id, "
            "?::TIMESTAMP AS fetched_at, ?::BIGINT AS works_written, ?::VARCHAR[] AS accounts_listed, "
            "?::VARCHAR[] AS accounts_fetched, "
            "?::STRUCT(account_id VARCHAR, reason VARCHAR)[] AS accounts_skipped, "
            "?::VARCHAR[] AS metrics_reported, ?::VARCHAR AS cannot_list_reason",
            [
                platform, run_record["run_id"], run_record["fetched_at"], works.height,
                run_record["accounts_listed"], ids, run_record["accounts_skipped"],
                run_record["metrics_reported"], run_record.get("cannot_list_reason"),
            ],
        )  # fmt: skip


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
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {select_sql}", params if isinstance(params, Mapping) else list(params))
        (count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[misc]
    return int(count)
