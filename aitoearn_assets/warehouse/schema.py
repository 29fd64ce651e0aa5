"""Creating and migrating the warehouse tables from their declarations, and guarding a file's mode.

Every stored table is created from `tables.STORED_TABLES`; a table from an older release gains the
columns declared since (with the values its rows already imply: `BACKFILLS`), and its values the changes
of `DATA_MIGRATIONS`. The views are
rendered from `sql/*.sql` with the definitions of `warehouse/definitions.py`.
"""

from __future__ import annotations

import hashlib
from importlib.resources import files

import duckdb

from aitoearn_assets.metrics import METRIC_COLUMNS
from aitoearn_assets.tables import PARTITIONED_BY_PLATFORM, STORED_TABLES, Columns, column_type
from aitoearn_assets.warehouse import definitions
from aitoearn_assets.warehouse.lake import in_lake
from aitoearn_assets.warehouse.transactions import atomic, transaction
from aitoearn_assets.warehouse.write_marks import ensure_write_marks


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
    return f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {column_type(declared)}{default}"


_SNAPSHOT_KEY = "platform, account_id, platform_work_id"


def _first_seen(measure: str) -> str:
    """When an older snapshot's `measure` was observed: its own date when the works list gave it (the list is
    read on every run), else the first date of the streak of snapshots showing that same value (a value
    carried over from a weekly analytics answer is no new observation)."""
    return f"""
UPDATE work_snapshots AS s SET {measure}_observed_on = f.seen
FROM (
    SELECT {_SNAPSHOT_KEY}, snapshot_date,
           CASE WHEN metrics_source = 'list' THEN snapshot_date
                ELSE min(snapshot_date) OVER (PARTITION BY {_SNAPSHOT_KEY}, streak) END AS seen
    FROM (
        SELECT *, sum(changed) OVER (PARTITION BY {_SNAPSHOT_KEY} ORDER BY snapshot_date) AS streak
        FROM (
            SELECT {_SNAPSHOT_KEY}, snapshot_date, metrics_source,
                   CASE WHEN {measure} IS NOT DISTINCT FROM lag({measure}) OVER w
                         AND {measure}_metric IS NOT DISTINCT FROM lag({measure}_metric) OVER w THEN 0 ELSE 1
                   END AS changed
            FROM work_snapshots
            WINDOW w AS (PARTITION BY {_SNAPSHOT_KEY} ORDER BY snapshot_date)
        )
    )
) AS f
WHERE s.{measure} IS NOT NULL AND s.{measure}_observed_on IS NULL AND s.platform = f.platform AND s.account_id = f.account_id
  AND s.platform_work_id = f.platform_work_id AND s.snapshot_date = f.snapshot_date
"""


def _backfill(table: str, column: str, value: str, where: str = "TRUE") -> str:
    """Fill a newly added column of the rows it is NULL on: run twice (a start killed half-way), it changes
    nothing the first run wrote."""
    return f"UPDATE {table} SET {column} = {value} WHERE {column} IS NULL AND ({where})"


#: What a column added to an older warehouse holds for the rows it already had.
BACKFILLS: dict[tuple[str, str], str] = {
    ("raw_works", "observed_on"): _backfill("raw_works", "observed_on", "fetched_at::DATE"),
    ("work_metrics", "observed_on"): _backfill("work_metrics", "observed_on", "fetched_at::DATE", "status = 'ok'"),
    ("ingest_runs", "root_run_id"): _backfill("ingest_runs", "root_run_id", "run_id"),
    ("ingest_runs", "recorded_at"): _backfill("ingest_runs", "recorded_at", "fetched_at"),
    **{
        ("ingest_runs", c): _backfill("ingest_runs", c, "[]")
        for c in ("accounts_failed", "accounts_held", "accounts_partial")
    },
    ("account_snapshots", "observed_on"): _backfill(
        "account_snapshots", "observed_on", "snapshot_date", "source = 'analytics'"
    ),
    ("work_snapshots", "exposure"): _backfill("work_snapshots", "exposure", definitions.exposure()),
    ("work_snapshots", "exposure_metric"): _backfill(
        "work_snapshots", "exposure_metric", definitions.exposure_metric()
    ),
    ("work_snapshots", "exposure_observed_on"): _first_seen("exposure"),
    ("work_snapshots", "interactions"): _backfill("work_snapshots", "interactions", definitions.interactions()),
    ("work_snapshots", "interactions_metric"): _backfill(
        "work_snapshots", "interactions_metric", definitions.interactions_metric()
    ),
    ("work_snapshots", "interactions_observed_on"): _first_seen("interactions"),
}

#: Changes to the values of an older warehouse, each made once (its name is recorded in warehouse_info).
DATA_MIGRATIONS: dict[str, str] = {
    # interactions_metric names the parts it added (a change of parts is a change of measure, no gain)
    "interactions_metric_names_its_parts": (
        f"UPDATE work_snapshots SET interactions_metric = {definitions.interactions_metric()} "
        "WHERE interactions_metric = 'sum_of_parts'"
    ),
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


@atomic
def ensure_schema(con: duckdb.DuckDBPyConnection, mode: str) -> None:
    """Create missing tables (and columns) and the views, and claim the warehouse for `mode`; refuse one of
    the other mode. Tables and views are created in one transaction: when several processes start on a new
    lake at once, one creates them and the others find them made."""
    existing = _existing_columns(con)
    if existing:
        _migrate(con, existing)
    with transaction(con):
        lake = in_lake(con)
        for table, columns in STORED_TABLES.items():
            if table not in existing:
                con.execute(create_table_sql(table, columns))
                if lake and table in PARTITIONED_BY_PLATFORM:
                    con.execute(f"ALTER TABLE {table} SET PARTITIONED BY (platform)")
                if lake and table == "write_marks":  # one file a subject: writes of other subjects never meet
                    con.execute("ALTER TABLE write_marks SET PARTITIONED BY (subject)")
        ensure_write_marks(con)
        if not existing:  # a new warehouse has nothing to migrate
            for name in DATA_MIGRATIONS:
                con.execute("INSERT INTO warehouse_info VALUES ('migrated', ?)", [name])
        _ensure_views(con, existing)
        rows = con.execute("SELECT DISTINCT value FROM warehouse_info WHERE key = 'mode'").fetchall()
        if not rows:
            con.execute("INSERT INTO warehouse_info VALUES ('mode', ?)", [mode])
        elif rows[0][0] != mode:
            raise WarehouseModeError(
                f"This warehouse holds {rows[0][0]} data and this run is in {mode} mode; the two never share one. "
                "Point AITOEARN_DUCKDB_PATH at another file or catalog (or unset it to use the default file of "
                "this mode)."
            )


def _existing_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    existing: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_catalog = current_database() "
        "AND table_schema = current_schema()"
    ).fetchall():
        existing.setdefault(table, set()).add(column)
    return existing


def _migrate(con: duckdb.DuckDBPyConnection, existing: dict[str, set[str]]) -> None:
    """Add the columns declared since a table was created and backfill them, then make the data migrations.

    DuckDB cannot alter a table and update it in one transaction, so a column's backfill is first recorded as
    pending in warehouse_info, the column added, and the backfill made in one transaction with clearing its
    record: a process killed half-way leaves the record, and the next start finishes the backfill."""
    if "warehouse_info" not in existing:
        con.execute(create_table_sql("warehouse_info", STORED_TABLES["warehouse_info"]))
    for table, columns in STORED_TABLES.items():
        for name, (declared, _) in columns.items():
            if table in existing and name not in existing[table]:
                if (table, name) in BACKFILLS:
                    con.execute("INSERT INTO warehouse_info VALUES ('pending_backfill', ?)", [f"{table}.{name}"])
                con.execute(_add_column_sql(table, name, declared))
    pending = [r[0] for r in con.execute("SELECT DISTINCT value FROM warehouse_info WHERE key = 'pending_backfill'")
               .fetchall()]  # fmt: skip
    # an item this release does not declare (written by a newer one) is left for that release to finish
    for item in sorted((i for i in pending if tuple(i.split(".")) in BACKFILLS), key=_declared_order):
        with transaction(con):
            con.execute(BACKFILLS[tuple(item.split("."))])  # type: ignore[index]
            con.execute("DELETE FROM warehouse_info WHERE key = 'pending_backfill' AND value = ?", [item])
    done = {r[0] for r in con.execute("SELECT value FROM warehouse_info WHERE key = 'migrated'").fetchall()}
    for name, sql in DATA_MIGRATIONS.items():
        if name not in done and "work_snapshots" in existing:
            with transaction(con):
                con.execute(sql)
                con.execute("INSERT INTO warehouse_info VALUES ('migrated', ?)", [name])


def _declared_order(item: str) -> int:
    """Backfills run in declaration order: a column's backfill may read one declared before it."""
    order = [f"{t}.{c}" for t, columns in STORED_TABLES.items() for c in columns]
    return order.index(item)


def _ensure_views(con: duckdb.DuckDBPyConnection, existing: dict[str, set[str]]) -> None:
    """(Re)create the views when their SQL changed since they were written (the digest in warehouse_info):
    a run that finds them current writes nothing, so concurrent runs do not collide on them."""
    sql = {view: render_view(view) for view in VIEWS}
    digest = hashlib.sha256("\n".join(sql.values()).encode()).hexdigest()[:16]
    stored = con.execute("SELECT value FROM warehouse_info WHERE key = 'views'").fetchall()
    if all(view in existing for view in VIEWS) and stored == [(digest,)]:
        return
    for text in sql.values():
        con.execute(text)
    con.execute("DELETE FROM warehouse_info WHERE key = 'views'")
    con.execute("INSERT INTO warehouse_info VALUES ('views', ?)", [digest])
