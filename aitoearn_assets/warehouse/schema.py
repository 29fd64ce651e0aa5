"""Creating the warehouse tables and guarding a file against mixing sandbox and live data."""

from __future__ import annotations

from importlib.resources import files

import duckdb


class WarehouseModeError(RuntimeError):
    """The file holds data of the other mode (sandbox vs live)."""


def read_sql(name: str) -> str:
    """The text of `sql/<name>.sql`."""
    return files("aitoearn_assets.warehouse").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def ensure_schema(con: duckdb.DuckDBPyConnection, mode: str) -> None:
    """Create missing tables and claim the file for `mode`; refuse a file of the other mode."""
    con.execute(read_sql("schema"))
    con.execute(read_sql("work_engagement"))
    (row,) = con.execute("SELECT value FROM warehouse_info WHERE key = 'mode'").fetchall() or [None]
    if row is None:
        con.execute("INSERT INTO warehouse_info VALUES ('mode', ?)", [mode])
    elif row[0] != mode:
        raise WarehouseModeError(
            f"This DuckDB file holds {row[0]} data and this run is in {mode} mode; the two never share a file. "
            "Point AITOEARN_DUCKDB_PATH at another file (or unset it to use the default for this mode)."
        )
