"""Atomic writes: each function is one DuckDB transaction, so a failure changes nothing (and on DuckLake,
one that meets a concurrent commit runs again whole: `atomic`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb
import polars as pl

from aitoearn_assets.clock import utc_now
from aitoearn_assets.metrics import METRIC_COLUMNS
from aitoearn_assets.tables import INGEST_RUNS_COLUMNS, STORED_TABLES, column_type, polars_schema
from aitoearn_assets.warehouse.schema import read_sql
from aitoearn_assets.warehouse.session import unordered
from aitoearn_assets.warehouse.transactions import atomic, transaction
from aitoearn_assets.warehouse.write_marks import mark_write


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """`frame` readable as the view `name` for the duration (handed over through Arrow, no copy of strings)."""
    con.register(name, frame.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        yield
    finally:
        con.unregister(name)


_VIEW_NUMBERS = itertools.count()


@contextmanager
def accounts_in(con: duckdb.DuckDBPyConnection, account_ids: Sequence[str]) -> Iterator[str]:
    """The predicate `account_id IN <account_ids>`, read from a registered column for the duration: DuckDB binds
    a list parameter at about a quarter of a millisecond an element (87 ms for 334 accounts, in every statement
    that takes it), a registered column at once."""
    name = f"accounts_{next(_VIEW_NUMBERS)}"
    with registered(con, name, pl.DataFrame({"account_id": list(account_ids)}, schema={"account_id": pl.String})):
        yield f"account_id IN (SELECT account_id FROM {name})"


def record_run(con: duckdb.DuckDBPyConnection, table: str, record: Mapping[str, object]) -> None:
    """Append one row to a bookkeeping table (`ingest_runs`, `analytics_runs`); missing columns take their default."""
    columns = STORED_TABLES[table]
    record = {**record, "recorded_at": datetime.now(UTC).replace(tzinfo=None)}
    unknown = set(record) - set(columns)
    if unknown:
        raise ValueError(f"not {table} columns: {sorted(unknown)}")
    # one row through Arrow: bound as parameters, its account lists would cost about 0.25 ms an element
    row = pl.from_dicts([record], schema=polars_schema({name: columns[name] for name in record}))
    with registered(con, "incoming_run", row):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_run")


#: ingest_runs' list columns default to empty lists when a record leaves them out.
_RUN_LISTS = {c for c, (t, _) in INGEST_RUNS_COLUMNS.items() if column_type(t).endswith("[]")}


def record_ingest_run(con: duckdb.DuckDBPyConnection, record: Mapping[str, object]) -> None:
    """Append one row to `ingest_runs` (missing fields take their defaults)."""
    record_run(con, "ingest_runs", {"works_written": 0, **{c: [] for c in _RUN_LISTS}, **record})


@dataclass(frozen=True)
class WorksWrite:
    """What `replace_account_works` wrote, and which accounts it held back."""

    works_written: int
    metrics_reported: list[str]
    accounts_written: list[str]
    accounts_held: list[dict[str, str]]


@dataclass(frozen=True)
class IncomingWorks:
    """The works of fetched accounts, ready to replace theirs.

    `in_memory` holds one row per work with the fetch's `raw_works` columns; `spilled` maps other accounts
    to Parquet chunk files whose `_seq` column numbers their rows in served order (a work served
    twice keeps its last-served copy; a file may hold other accounts' rows too, which are not read).
    An account in neither came back with no works. `partial`: accounts whose listing stopped early;
    their works are inserted or updated, none of their stored works deleted.
    """

    account_ids: list[str]
    in_memory: pl.DataFrame | None = None
    spilled: Mapping[str, Sequence[str]] = field(default_factory=dict)
    partial: frozenset[str] = frozenset()


@atomic
def replace_account_works(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    incoming: IncomingWorks,
    rejected: pl.DataFrame,
    run_record: Mapping[str, object],
    *,
    run_date: date,
    allow_shrink: bool = False,
) -> WorksWrite:
    """Write the works (and set-aside items) of the accounts in `incoming` on `platform`; keep every other row.

    A completely listed account's stored works are replaced by the listing, except those set aside this
    time (in `rejected`), which keep their stored rows. A partially listed account's works are inserted or
    updated and none deleted. A complete listing that came back empty, or with fewer than half the works
    stored for the account, is *held*: its stored rows stay and it is named in `accounts_held`, unless
    `allow_shrink`. Rows are stamped with `run_date` (`observed_on`); today's snapshots of the written
    accounts follow, and `run_record` goes to `ingest_runs`. All in one transaction.
    """
    with transaction(con):
        mark_write(con, f"raw_works:{platform}")
        complete = [a for a in incoming.account_ids if a not in incoming.partial]
        held = [] if allow_shrink else shrinking_accounts(con, platform, incoming, rejected, complete)
        held_ids = {h["account_id"] for h in held}
        replaced = [a for a in complete if a not in held_ids]
        upserted = [a for a in incoming.account_ids if a in incoming.partial]
        ids = replaced + upserted
        set_aside = rejected.filter(pl.col("account_id").is_in(ids))
        with (
            _listed_keys(con, incoming, ids, set_aside) as keys,
            accounts_in(con, replaced) as in_replaced,
            accounts_in(con, upserted) as in_upserted,
        ):
            # a complete listing replaces the account's works, but a work set aside keeps its stored row
            con.execute(
                f"DELETE FROM raw_works WHERE platform = ? AND {in_replaced} "
                f"AND (account_id, platform_work_id) NOT IN (SELECT account_id, platform_work_id FROM {keys.kept})",
                [platform],
            )
            con.execute(f"DELETE FROM rejected_works WHERE platform = ? AND {in_replaced}", [platform])
            if upserted:  # a partial listing replaces only the works it served
                con.execute(
                    f"DELETE FROM raw_works WHERE platform = ? AND {in_upserted} "
                    f"AND (account_id, platform_work_id) IN (SELECT account_id, platform_work_id FROM {keys.served})",
                    [platform],
                )
                con.execute(
                    f"DELETE FROM rejected_works WHERE platform = ? AND {in_upserted} "
                    f"AND (account_id, platform_work_id) IN (SELECT account_id, platform_work_id FROM {keys.listed})",
                    [platform],
                )
        written = _insert_works(con, incoming, ids, run_date)
        if set_aside.height:
            with registered(con, "incoming_rejected", set_aside):
                con.execute("INSERT INTO rejected_works BY NAME SELECT * FROM incoming_rejected")
        metrics = _reported_metrics(con, platform, ids)
        snapshot_accounts(con, platform, ids, run_date)
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


@dataclass(frozen=True)
class _Keys:
    """Relations of (account_id, platform_work_id) the writes need."""

    served: str  # works served readable this time to the written accounts
    listed: str  # those and the set-aside ones: every work the listing returned
    kept: str  # set-aside works that were not also served readable: their stored rows stay


_NO_KEYS = pl.DataFrame(schema={"account_id": pl.String(), "platform_work_id": pl.String()})


@contextmanager
def _listed_keys(
    con: duckdb.DuckDBPyConnection, incoming: IncomingWorks, ids: list[str], set_aside: pl.DataFrame
) -> Iterator[_Keys]:
    """The keys the writes above need, registered for the duration (none to gather in the common case:
    every listing complete and nothing set aside)."""
    aside = set_aside.select("account_id", "platform_work_id").drop_nulls().unique()
    if not incoming.partial and not aside.height:
        with registered(con, "no_keys", _NO_KEYS):
            yield _Keys("no_keys", "no_keys", "no_keys")
        return
    frames = [_NO_KEYS]
    if incoming.in_memory is not None:
        frames.append(incoming.in_memory.filter(pl.col("account_id").is_in(ids)).select(_NO_KEYS.columns))
    files = sorted({f for a in ids for f in incoming.spilled.get(a, ())})
    if files:
        with accounts_in(con, ids) as listed:
            frames.append(
                con.execute(
                    f"SELECT DISTINCT account_id, platform_work_id FROM read_parquet(?) WHERE {listed}", [files]
                ).pl()
            )
    served = pl.concat(frames).unique()
    kept = aside.join(served, on=list(_NO_KEYS.columns), how="anti")
    listed = pl.concat([served, aside]).unique()
    with (
        registered(con, "served_works", served),
        registered(con, "listed_works", listed),
        registered(con, "kept_works", kept),
    ):
        yield _Keys("served_works", "listed_works", "kept_works")


def _insert_works(
    con: duckdb.DuckDBPyConnection, incoming: IncomingWorks, account_ids: list[str], run_date: date
) -> int:
    written = 0
    frame = incoming.in_memory
    if frame is not None and frame.height:
        if set(account_ids) != set(incoming.account_ids):
            frame = frame.filter(pl.col("account_id").is_in(account_ids))
        with registered(con, "incoming_works", frame):
            (written,) = con.execute(  # type: ignore[misc]
                "INSERT INTO raw_works BY NAME SELECT *, ?::DATE AS observed_on FROM incoming_works", [run_date]
            ).fetchone()
    files = sorted({f for a in account_ids for f in incoming.spilled.get(a, ())})
    if files:
        with accounts_in(con, account_ids) as wanted:
            sql = read_sql("insert_staged_works").format(accounts=wanted)
            (from_files,) = con.execute(sql, [run_date, files]).fetchone()  # type: ignore[misc]
        written += from_files
    return int(written)


def shrinking_accounts(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    incoming: IncomingWorks,
    rejected: pl.DataFrame,
    account_ids: list[str] | None = None,
) -> list[dict[str, str]]:
    """Completely listed accounts whose listing (readable works and set-aside ones) holds none of their works,
    or fewer than half of those stored (with the reason)."""
    account_ids = incoming.account_ids if account_ids is None else account_ids
    with accounts_in(con, account_ids) as listed:
        stored = dict(
            con.execute(
                f"SELECT account_id, count(*) FROM raw_works WHERE platform = ? AND {listed} GROUP BY 1", [platform]
            ).fetchall()
        )
    if not stored:
        return []
    counts = _incoming_counts(con, incoming)
    set_aside = dict(rejected.filter(pl.col("platform_work_id").is_not_null()).group_by("account_id").len().iter_rows())
    held = []
    for account_id, before in sorted(stored.items()):
        now = counts.get(account_id, 0) + set_aside.get(account_id, 0)
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
        with accounts_in(con, list(incoming.spilled)) as spilled:
            sql = f"SELECT account_id, count(DISTINCT platform_work_id) FROM read_parquet(?) WHERE {spilled} GROUP BY 1"
            counts.update(con.execute(sql, [files]).fetchall())
    return counts


#: What a work snapshot records, from work_engagement, the way it sees the work that day.
SNAPSHOT_MEASURES = (
    "exposure", "exposure_metric", "exposure_observed_on", "interactions", "interactions_metric",
    "interactions_observed_on",
)  # fmt: skip
_SNAPSHOT_SELECT = (
    "SELECT platform, account_id, platform_work_id, ?::DATE AS snapshot_date, "
    + ", ".join(METRIC_COLUMNS)
    + ", metrics_source, ?::TIMESTAMP AS fetched_at, "
    + ", ".join(SNAPSHOT_MEASURES)
    + " FROM work_engagement "
)


def snapshot_accounts(con: duckdb.DuckDBPyConnection, platform: str, account_ids: list[str], day: date) -> None:
    """Record `day`'s `work_snapshots` of these accounts' works as `work_engagement` sees them (replacing
    that day's rows of those accounts only; earlier dates are never touched). Call inside the write's transaction."""
    with accounts_in(con, account_ids) as written:
        con.execute(
            f"DELETE FROM work_snapshots WHERE platform = ? AND snapshot_date = ? AND {written}", [platform, day]
        )
        con.execute(
            f"INSERT INTO work_snapshots BY NAME {_SNAPSHOT_SELECT} WHERE platform = ? AND {written}",
            [day, utc_now(), platform],
        )


def snapshot_works(con: duckdb.DuckDBPyConnection, platform: str, works: str, day: date) -> None:
    """The same for the works listed in the registered relation `works` (account_id, platform_work_id)."""
    keys = f"(account_id, platform_work_id) IN (SELECT account_id, platform_work_id FROM {works})"
    con.execute(f"DELETE FROM work_snapshots WHERE platform = ? AND snapshot_date = ? AND {keys}", [platform, day])
    con.execute(
        f"INSERT INTO work_snapshots BY NAME {_SNAPSHOT_SELECT} WHERE platform = ? AND {keys}",
        [day, utc_now(), platform],
    )


def _reported_metrics(con: duckdb.DuckDBPyConnection, platform: str, account_ids: list[str]) -> list[str]:
    """The metric columns that at least one just-written work of these accounts reports."""
    flags = ", ".join(f"count({c}) > 0" for c in METRIC_COLUMNS)
    with accounts_in(con, account_ids) as written:
        row = con.execute(f"SELECT {flags} FROM raw_works WHERE platform = ? AND {written}", [platform]).fetchone()
    return [c for c, reported in zip(METRIC_COLUMNS, row or (), strict=False) if reported]


@dataclass(frozen=True)
class AccountsWrite:
    """What `update_accounts` did: accounts listed, newly removed, and whether the listing was held."""

    listed: int
    removed: list[str]
    held: str | None  # why the listing was not taken (empty, or fewer than half the stored accounts)


@atomic
def update_accounts(
    con: duckdb.DuckDBPyConnection,
    accounts: pl.DataFrame,
    snapshots: pl.DataFrame | None,
    now: datetime,
    *,
    allow_shrink: bool = False,
) -> AccountsWrite:
    """Take a complete account listing: listed accounts are updated (and listed again if they had been
    removed), stored ones it no longer holds get `removed_at`; today's `account_snapshots` of the accounts
    in `snapshots` are replaced (earlier dates never change). A listing that is empty, or holds fewer than
    half the listed stored accounts, is held (nothing changes) unless `allow_shrink`. One transaction."""
    with transaction(con):
        mark_write(con, "accounts")
        (stored,) = con.execute("SELECT count(*) FROM accounts WHERE removed_at IS NULL").fetchone()  # type: ignore[misc]
        if not allow_shrink and stored and (accounts.height == 0 or 2 * accounts.height < stored):
            return AccountsWrite(
                accounts.height,
                [],
                f"the account listing returned {accounts.height} accounts where {stored} are stored; kept the "
                "stored accounts (run config allow_shrink: true accepts the smaller listing)",
            )
        with registered(con, "incoming_accounts", accounts):
            gone = "removed_at IS NULL AND account_id NOT IN (SELECT account_id FROM incoming_accounts)"
            removed = [r[0] for r in con.execute(f"SELECT account_id FROM accounts WHERE {gone}").fetchall()]
            con.execute(f"UPDATE accounts SET removed_at = ? WHERE {gone}", [now])
            con.execute("DELETE FROM accounts WHERE account_id IN (SELECT account_id FROM incoming_accounts)")
            con.execute("INSERT INTO accounts BY NAME SELECT *, NULL::TIMESTAMP AS removed_at FROM incoming_accounts")
        if snapshots is not None and snapshots.height:
            with registered(con, "incoming_snapshots", snapshots):
                con.execute(
                    "DELETE FROM account_snapshots WHERE (platform, account_id, snapshot_date) IN "
                    "(SELECT platform, account_id, snapshot_date FROM incoming_snapshots)"
                )
                con.execute("INSERT INTO account_snapshots BY NAME SELECT * FROM incoming_snapshots")
    return AccountsWrite(accounts.height, sorted(removed), None)


def replace_table_from_frame(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, keep_order: bool = True
) -> int:
    """Replace `table` with the rows of `frame` in one transaction; returns its row count."""
    return rebuild_table(con, table, lambda _: frame, keep_order).height


def rebuild_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    build: Callable[[duckdb.DuckDBPyConnection], pl.DataFrame],
    keep_order: bool = True,
) -> pl.DataFrame:
    """Replace `table` with `build(con)`, computed inside the same transaction: a rebuild that meets another
    writer's commit computes again from what that commit wrote. Returns the frame written."""
    return rebuild_tables(con, lambda c: {table: build(c)}, keep_order)[table]


@atomic
def rebuild_tables(
    con: duckdb.DuckDBPyConnection,
    build: Callable[[duckdb.DuckDBPyConnection], dict[str, pl.DataFrame]],
    keep_order: bool = True,
) -> dict[str, pl.DataFrame]:
    """Replace each table `build(con)` returns with its frame, all in one transaction that computes them
    (run again whole when it meets another writer's commit). Returns the frames written. `keep_order=False`
    writes each on every thread, its rows in no particular order (`session.unordered`): for tables whose
    readers sort (the project's own; a user's asset read through the IO manager keeps its order)."""
    with transaction(con):
        frames = build(con)
        with nullcontext() if keep_order else unordered(con):  # the writes only: `build` reads as it was written
            for table, frame in frames.items():
                if not table.isidentifier():
                    raise ValueError(f"not a table name: {table!r}")
                with registered(con, "incoming_frame", frame):
                    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM incoming_frame")
    return frames


@atomic
def replace_table_as(
    con: duckdb.DuckDBPyConnection,
    table: str,
    select_sql: str,
    params: Sequence[object] | Mapping[str, object] = (),
    staged: Mapping[str, str] | None = None,
) -> int:
    """`CREATE OR REPLACE TABLE table AS select_sql` in one transaction; returns the row count. `staged`:
    {temp table: SELECT} built first in the same transaction (with the same params), for select_sql to read.

    `table` must be a plain identifier chosen by the code, never by data or config.
    """
    for name in (table, *(staged or {})):
        if not name.isidentifier():
            raise ValueError(f"not a table name: {name!r}")
    bound = params if isinstance(params, Mapping) else list(params)
    with transaction(con):
        for name, sql in (staged or {}).items():
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", bound)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {select_sql}", bound)
        (count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[misc]
        for name in staged or {}:
            con.execute(f"DROP TABLE {name}")
    return int(count)
