"""Atomic writes: each function is one DuckDB transaction, so a failure changes nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

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
    """What `replace_account_works` wrote, and which accounts it held back."""

    works_written: int
    metrics_reported: list[str]
    accounts_written: list[str]
    accounts_held: list[dict[str, str]]


#: ingest_runs columns and their DuckDB types, in the order `record_ingest_run` binds them.
INGEST_RUN_FIELDS: dict[str, str] = {
    "platform": "VARCHAR",
    "run_id": "VARCHAR",
    "fetched_at": "TIMESTAMP",
    "status": "VARCHAR",
    "error": "VARCHAR",
    "source": "VARCHAR",
    "works_written": "BIGINT",
    "accounts_listed": "VARCHAR[]",
    "accounts_fetched": "VARCHAR[]",
    "accounts_skipped": "STRUCT(account_id VARCHAR, reason VARCHAR)[]",
    "accounts_failed": "STRUCT(account_id VARCHAR, reason VARCHAR)[]",
    "accounts_held": "STRUCT(account_id VARCHAR, reason VARCHAR)[]",
    "metrics_reported": "VARCHAR[]",
    "cannot_list_reason": "VARCHAR",
    "requests": "BIGINT",
    "retries": "BIGINT",
    "seconds": "DOUBLE",
}
_RUN_DEFAULTS: dict[str, object] = {
    "status": "ok",
    "error": None,
    "source": "list",
    "works_written": 0,
    "accounts_listed": [],
    "accounts_fetched": [],
    "accounts_skipped": [],
    "accounts_failed": [],
    "accounts_held": [],
    "metrics_reported": [],
    "cannot_list_reason": None,
    "requests": 0,
    "retries": 0,
    "seconds": 0.0,
}


def record_ingest_run(con: duckdb.DuckDBPyConnection, record: Mapping[str, object]) -> None:
    """Append one row to `ingest_runs` (missing fields take their defaults)."""
    values = {**_RUN_DEFAULTS, **record}
    unknown = set(values) - set(INGEST_RUN_FIELDS)
    if unknown:
        raise ValueError(f"not ingest_runs columns: {sorted(unknown)}")
    select = ", ".join(f"?::{type_} AS {name}" for name, type_ in INGEST_RUN_FIELDS.items())
    con.execute(f"INSERT INTO ingest_runs BY NAME SELECT {select}", [values[name] for name in INGEST_RUN_FIELDS])


@dataclass(frozen=True)
class IncomingWorks:
    """The works of completely fetched accounts, ready to replace theirs.

    `in_memory` holds one row per work with the `raw_works` columns; `spilled` maps other accounts
    to Parquet chunk files whose `_seq` column numbers their rows in served order (a work served
    twice keeps its last-served copy; a file may hold other accounts' rows too, which are not read).
    An account in neither came back with no works.
    """

    account_ids: list[str]
    in_memory: pl.DataFrame | None = None
    spilled: Mapping[str, Sequence[str]] = field(default_factory=dict)


def replace_account_works(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    incoming: IncomingWorks,
    rejected: pl.DataFrame,
    run_record: Mapping[str, object],
    *,
    allow_shrink: bool = False,
) -> WorksWrite:
    """Replace the works (and set-aside items) of the accounts in `incoming` on `platform`; keep every other row.

    An account whose complete listing came back empty, or with fewer than half the works stored for
    it, is *held*: its stored rows stay and it is named in `accounts_held`, unless `allow_shrink`.
    Appends `run_record` to `ingest_runs`. All in one transaction.
    """
    with transaction(con):
        held = [] if allow_shrink else shrinking_accounts(con, platform, incoming)
        held_ids = {h["account_id"] for h in held}
        ids = [a for a in incoming.account_ids if a not in held_ids]
        for table in ("raw_works", "rejected_works"):
            con.execute(f"DELETE FROM {table} WHERE platform = ? AND list_contains(?, account_id)", [platform, ids])
        written = _insert_works(con, incoming, ids)
        rejected = rejected.filter(pl.col("account_id").is_in(ids))
        if rejected.height:
            with registered(con, "incoming_rejected", rejected):
                con.execute("INSERT INTO rejected_works BY NAME SELECT * FROM incoming_rejected")
        metrics = _reported_metrics(con, platform, ids)
        fetched_at = run_record["fetched_at"]
        snapshot_accounts(con, platform, ids, fetched_at.date(), fetched_at)  # type: ignore[union-attr]
        record_ingest_run(
            con,
            {
                **run_record,
                "platform": platform,
                "works_written": written,
                "accounts_fetched": ids,
                "accounts_held": held,
                "metrics_reported": metrics,
            },
        )
    return WorksWrite(written, metrics, ids, held)


def _insert_works(con: duckdb.DuckDBPyConnection, incoming: IncomingWorks, account_ids: list[str]) -> int:
    written = 0
    frame = incoming.in_memory
    if frame is not None and frame.height:
        if set(account_ids) != set(incoming.account_ids):
            frame = frame.filter(pl.col("account_id").is_in(account_ids))
        with registered(con, "incoming_works", frame):
            (written,) = con.execute("INSERT INTO raw_works BY NAME SELECT * FROM incoming_works").fetchone()  # type: ignore[misc]
    files = sorted({f for a in account_ids for f in incoming.spilled.get(a, ())})
    if files:
        (from_files,) = con.execute(read_sql("insert_staged_works"), [files, account_ids]).fetchone()  # type: ignore[misc]
        written += from_files
    return int(written)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """`frame` readable as the view `name` for the duration (handed over through Arrow, no copy of strings)."""
    con.register(name, frame.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        yield
    finally:
        con.unregister(name)


def shrinking_accounts(con: duckdb.DuckDBPyConnection, platform: str, incoming: IncomingWorks) -> list[dict[str, str]]:
    """Accounts whose incoming works are none, or fewer than half of those stored (with the reason)."""
    stored = dict(
        con.execute(
            "SELECT account_id, count(*) FROM raw_works WHERE platform = ? AND list_contains(?, account_id) GROUP BY 1",
            [platform, incoming.account_ids],
        ).fetchall()
    )
    if not stored:
        return []
    counts = _incoming_counts(con, incoming)
    held = []
    for account_id, before in sorted(stored.items()):
        now = counts.get(account_id, 0)
        if now == 0 or 2 * now < before:
            held.append(
                {
                    "account_id": account_id,
                    "reason": f"a complete listing returned {now} works where {before} are stored; kept the "
                    "stored rows (run config allow_shrink: true accepts the smaller listing)",
                }
            )
    return held


def _incoming_counts(con: duckdb.DuckDBPyConnection, incoming: IncomingWorks) -> dict[str, int]:
    """Distinct incoming works per account (accounts with none are left out)."""
    counts: dict[str, int] = {}
    if incoming.in_memory is not None and incoming.in_memory.height:
        counts.update(incoming.in_memory.group_by("account_id").len().iter_rows())
    files = sorted({f for paths in incoming.spilled.values() for f in paths})
    if files:  # a file may hold other accounts' rows too: only those of `spilled` accounts count
        sql = (
            "SELECT account_id, count(DISTINCT platform_work_id) FROM read_parquet(?) "
            "WHERE list_contains(?, account_id) GROUP BY 1"
        )
        counts.update(con.execute(sql, [files, list(incoming.spilled)]).fetchall())
    return counts


_SNAPSHOT_SELECT = (
    "SELECT platform, account_id, platform_work_id, ?::DATE AS snapshot_date, "
    + ", ".join(METRIC_COLUMNS)
    + ", metrics_source, ?::TIMESTAMP AS fetched_at FROM work_engagement "
)


def snapshot_accounts(
    con: duckdb.DuckDBPyConnection, platform: str, account_ids: list[str], day: date, fetched_at: datetime
) -> None:
    """Record today's `work_snapshots` of these accounts' works as `work_engagement` sees them (replacing
    today's rows of those accounts only; earlier dates are never touched). Call inside the write's transaction."""
    con.execute(
        "DELETE FROM work_snapshots WHERE platform = ? AND snapshot_date = ? AND list_contains(?, account_id)",
        [platform, day, account_ids],
    )
    con.execute(
        f"INSERT INTO work_snapshots BY NAME {_SNAPSHOT_SELECT} WHERE platform = ? AND list_contains(?, account_id)",
        [day, fetched_at, platform, account_ids],
    )


def snapshot_works(con: duckdb.DuckDBPyConnection, platform: str, works: str, day: date, fetched_at: datetime) -> None:
    """The same for the works listed in the registered relation `works` (account_id, platform_work_id)."""
    keys = f"(account_id, platform_work_id) IN (SELECT account_id, platform_work_id FROM {works})"
    con.execute(f"DELETE FROM work_snapshots WHERE platform = ? AND snapshot_date = ? AND {keys}", [platform, day])
    con.execute(
        f"INSERT INTO work_snapshots BY NAME {_SNAPSHOT_SELECT} WHERE platform = ? AND {keys}",
        [day, fetched_at, platform],
    )


def _reported_metrics(con: duckdb.DuckDBPyConnection, platform: str, account_ids: list[str]) -> list[str]:
    """The metric columns that at least one just-written work of these accounts reports."""
    flags = ", ".join(f"count({c}) > 0" for c in METRIC_COLUMNS)
    row = con.execute(
        f"SELECT {flags} FROM raw_works WHERE platform = ? AND list_contains(?, account_id)", [platform, account_ids]
    ).fetchone()
    return [c for c, reported in zip(METRIC_COLUMNS, row or (), strict=False) if reported]


def replace_accounts(
    con: duckdb.DuckDBPyConnection, accounts: pl.DataFrame, snapshots: pl.DataFrame | None = None
) -> None:
    """Replace the whole `accounts` table with `accounts`, and today's `account_snapshots` of the accounts in
    `snapshots` (earlier dates never change). One transaction."""
    with transaction(con):
        con.execute("DELETE FROM accounts")
        if accounts.height:
            with registered(con, "incoming_accounts", accounts):
                con.execute("INSERT INTO accounts BY NAME SELECT * FROM incoming_accounts")
        if snapshots is not None and snapshots.height:
            with registered(con, "incoming_snapshots", snapshots):
                con.execute(
                    "DELETE FROM account_snapshots WHERE (platform, account_id, snapshot_date) IN "
                    "(SELECT platform, account_id, snapshot_date FROM incoming_snapshots)"
                )
                con.execute("INSERT INTO account_snapshots BY NAME SELECT * FROM incoming_snapshots")


def replace_table_from_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Replace `table` with the rows of `frame` in one transaction; returns its row count."""
    with registered(con, "incoming_frame", frame):
        return replace_table_as(con, table, "SELECT * FROM incoming_frame")


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
