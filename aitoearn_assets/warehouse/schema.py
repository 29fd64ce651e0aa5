"""Creating the warehouse tables and guarding a file against mixing sandbox and live data."""

from __future__ import annotations

from importlib.resources import files

import duckdb

from aitoearn_assets.warehouse.columns import (
    ACCOUNT_SNAPSHOTS_COLUMNS,
    WORK_METRICS_COLUMNS,
    WORK_METRICS_DAILY_COLUMNS,
    WORK_SNAPSHOTS_COLUMNS,
)


class WarehouseModeError(RuntimeError):
    """The file holds data of the other mode (sandbox vs live)."""


def read_sql(name: str) -> str:
    """The text of `sql/<name>.sql`."""
    return files("aitoearn_assets.warehouse").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def create_table_sql(table: str, columns: dict[str, tuple[str, str]]) -> str:
    """`CREATE TABLE IF NOT EXISTS` from a column declaration {name: (DuckDB type, description)}."""
    body = ",\n".join(f"    {name} {type_}" for name, (type_, _) in columns.items())
    return f"CREATE TABLE IF NOT EXISTS {table} (\n{body}\n);"


#: Tables whose DDL is produced from their declaration in columns.py (the others are in sql/schema.sql,
#: checked against their declaration by the tests).
DECLARED_TABLES = {
    "work_metrics": WORK_METRICS_COLUMNS,
    "work_metrics_daily": WORK_METRICS_DAILY_COLUMNS,
    "work_snapshots": WORK_SNAPSHOTS_COLUMNS,
    "account_snapshots": ACCOUNT_SNAPSHOTS_COLUMNS,
}


def ensure_schema(con: duckdb.DuckDBPyConnection, mode: str) -> None:
    """Create missing tables and claim the file for `mode`; refuse a file of the other mode."""
    con.execute(read_sql("schema"))
    for table, columns in DECLARED_TABLES.items():
        con.execute(create_table_sql(table, columns))
    con.execute(read_sql("work_engagement"))
    (row,) = con.execute("SELECT value FROM warehouse_info WHERE key = 'mode'").fetchall() or [None]
    if row is None:
        con.execute("INSERT INTO warehouse_info VALUES ('mode', ?)", [mode])
    elif row[0] != mode:
        raise WarehouseModeError(
            f"This DuckDB file holds {row[0]} data and this run is in {mode} mode; the two never share a file. "
            "Point AITOEARN_DUCKDB_PATH at another file (or unset it to use the default for this mode)."
        )
