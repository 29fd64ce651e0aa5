"""Creating and migrating the warehouse tables from their declarations, and guarding a file's mode.

Every stored table is created from `tables.STORED_TABLES`; a table from an older release gains the
columns declared since (with the values its rows already imply: `BACKFILLS`). The views are
rendered from `sql/*.sql` with the definitions of `warehouse/definitions.py`.
"""

from __future__ import annotations

from importlib.resources import files

import duckdb

from aitoearn_assets.metrics import METRIC_COLUMNS
from aitoearn_assets.tables import STORED_TABLES, Columns, column_type
from aitoearn_assets.warehouse import definitions


class WarehouseModeError(RuntimeError):
    """The file holds data of the other mode (sandbox vs live)."""


def read_sql(name: str) -> str:
    """The text of `sql/<name>.sql`."""
    return files("aitoearn_assets.warehouse").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def create_table_sql(table: str, columns: Columns) -> str:
    """`CREATE TABLE IF NOT EXISTS` from a column declaration {name: (DuckDB type, description)}."""
    body = ",\n".join(f"    {name} {type_}" for name, (type_, _) in columns.items())
    return f"CREATE TABLE IF NOT EXISTS {table} (\n{body}\n);"


def _add_column_sql(table: str, name: str, declared: str) -> str:
    default = f" DEFAULT {declared.split(' DEFAULT ', 1)[1]}" if " DEFAULT " in declared else ""
    return f"ALTER TABLE {table} ADD COLUMN {name} {column_type(declared)}{default}"


_snapshot_defs = {
    "exposure": definitions.exposure(),
    "exposure_metric": definitions.exposure_metric(),
    "exposure_observed_on": "snapshot_date",
    "interactions": definitions.interactions(),
    "interactions_metric": definitions.interactions_metric(),
    "interactions_observed_on": "snapshot_date",
}
#: What a column added to an older file holds for the rows it already had (older releases kept no
#: observation dates: their values count as observed on the day they were stored).
BACKFILLS: dict[tuple[str, str], str] = {
    ("raw_works", "observed_on"): "UPDATE raw_works SET observed_on = fetched_at::DATE",
    ("work_metrics", "observed_on"): "UPDATE work_metrics SET observed_on = fetched_at::DATE WHERE status = 'ok'",
    ("ingest_runs", "root_run_id"): "UPDATE ingest_runs SET root_run_id = run_id",
    ("ingest_runs", "recorded_at"): "UPDATE ingest_runs SET recorded_at = fetched_at",
    ("account_snapshots", "observed_on"): (
        "UPDATE account_snapshots SET observed_on = snapshot_date WHERE source = 'analytics'"
    ),
    **{
        ("work_snapshots", column): f"UPDATE work_snapshots SET {column} = {expression}"
        for column, expression in _snapshot_defs.items()
    },
}


def render_view(name: str) -> str:
    """`sql/<name>.sql` with its generated definitions filled in."""
    merged = ",\n           ".join(f"coalesce(w.{c}, m.{c}) AS {c}" for c in METRIC_COLUMNS)
    observed = ",\n           ".join(
        f"CASE WHEN w.{c} IS NOT NULL THEN w.observed_on WHEN m.{c} IS NOT NULL THEN m.observed_on END AS {c}__seen"
        for c in METRIC_COLUMNS
    )
    fragments = {
        "merged_metrics": merged,
        "observed_metrics": observed,
        "observed_columns": ", ".join(f"{c}__seen" for c in METRIC_COLUMNS),
        "from_list": " OR ".join(f"w.{c} IS NOT NULL" for c in METRIC_COLUMNS),
        "from_analytics": " OR ".join(f"(w.{c} IS NULL AND m.{c} IS NOT NULL)" for c in METRIC_COLUMNS),
        "interactions": definitions.interactions(),
        "interactions_metric": definitions.interactions_metric(),
        "exposure": definitions.exposure(),
        "exposure_metric": definitions.exposure_metric(),
        "exposure_observed_on": definitions.exposure_observed_on(str, lambda c: f"{c}__seen"),
        "interactions_observed_on": definitions.interactions_observed_on(str, lambda c: f"{c}__seen"),
        "engagement_rate": definitions.engagement_rate(),
    }
    return read_sql(name).format_map(fragments)


VIEWS = ("account_followers", "work_engagement")


def ensure_schema(con: duckdb.DuckDBPyConnection, mode: str) -> None:
    """Create missing tables (and columns), the views, and claim the file for `mode`; refuse a file of the
    other mode."""
    existing: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_catalog = current_database() "
        "AND table_schema = current_schema()"
    ).fetchall():
        existing.setdefault(table, set()).add(column)
    for table, columns in STORED_TABLES.items():
        if table not in existing:
            con.execute(create_table_sql(table, columns))
            continue
        for name, (declared, _) in columns.items():
            if name not in existing[table]:
                con.execute(_add_column_sql(table, name, declared))
                if (table, name) in BACKFILLS:
                    con.execute(BACKFILLS[(table, name)])
    for view in VIEWS:
        con.execute(render_view(view))
    rows = con.execute("SELECT value FROM warehouse_info WHERE key = 'mode'").fetchall()
    if not rows:
        con.execute("INSERT INTO warehouse_info VALUES ('mode', ?)", [mode])
    elif rows[0][0] != mode:
        raise WarehouseModeError(
            f"This DuckDB file holds {rows[0][0]} data and this run is in {mode} mode; the two never share a file. "
            "Point AITOEARN_DUCKDB_PATH at another file (or unset it to use the default for this mode)."
        )
