"""The warehouse resource: Dagster's DuckDBResource on a DuckDB file (plus the analyst copy), or on a DuckLake."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import Field, PrivateAttr

from aitoearn_assets.defs.resources.aitoearn import KEY_VARIABLE, sandbox_requested
from aitoearn_assets.warehouse import lake
from aitoearn_assets.warehouse.location import HOSTED_PREFIXES, WarehouseLocation
from aitoearn_assets.warehouse.publish import publish_copy
from aitoearn_assets.warehouse.session import quiet
from aitoearn_assets.warehouse.storage import check_readable

DEFAULT_MEMORY_LIMIT = "512MB"
LIVE_DUCKDB_PATH = "data/aitoearn.duckdb"
SANDBOX_DUCKDB_PATH = "data/sandbox.duckdb"


class WarehouseResource(DuckDBResource):
    """`database` is the pipeline's own file: once per run, after its last write, a read-only copy is
    published beside it (`<name>_analyst.duckdb`) for analysts' tools (warehouse/publish.py). Or it is a
    DuckLake catalog, `ducklake:postgres:...`, that runs on many machines write at once and analysts
    attach read-only (warehouse/lake.py); no copy then."""

    lake_data_path: str | None = Field(
        default=None,
        description="A DuckLake's DATA_PATH (a folder, or s3://bucket/prefix): where its Parquet files go.",
    )
    report_path: str | None = Field(
        default=None, description="Where the HTML report goes (default: beside the file, or the lake's data folder)."
    )
    publish_analyst_copy: bool = Field(default=True, description="Publish <name>_analyst.duckdb after each run.")
    connection_config: dict[str, Any] = Field(
        default={"memory_limit": DEFAULT_MEMORY_LIMIT},
        description=(
            "DuckDB settings. memory_limit caps DuckDB's own memory (it spills to disk past it): with it, "
            "a 1M-work partition stays under 1 GB of RSS and 10M-work analytics run no slower."
        ),
    )
    _wrote: bool = PrivateAttr(default=False)

    @property
    def location(self) -> WarehouseLocation:
        return WarehouseLocation(self.database, self.lake_data_path, self.report_path)

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the warehouse: the file (Dagster's DuckDBResource, which waits out another
        process's lock), or a new session on the lake with its extensions loaded from their wheels."""
        if not self.location.is_lake:
            with super().get_connection() as con:
                yield quiet(con)
            return
        con = lake.connect(self.database, self.lake_data_path, config=self.connection_config)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for writes; the analyst copy is refreshed when the run ends (even a failed run
        may have committed some writes first)."""
        with self.get_connection() as con:
            self._wrote = True
            yield con

    def check_readable(self) -> None:
        """Raise `WarehouseVersionError` (naming the fix) when the file was written by a newer DuckDB."""
        if self.database != ":memory:" and not (self.location.is_lake or self.location.is_hosted):
            check_readable(self.database)

    def publish(self) -> str | None:
        """Publish the analyst copy now (takes the file lock for the copy); returns its path."""
        where = self.location
        if not self.publish_analyst_copy or self.database == ":memory:" or where.is_lake or where.is_hosted:
            return None
        with self.get_connection() as con:
            return publish_copy(con, self.database)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._wrote:
            self.publish()
            self._wrote = False


DATABASE_VARIABLE = "AITOEARN_DUCKDB_PATH"
DATA_PATH_VARIABLE = "AITOEARN_DUCKLAKE_DATA_PATH"
REPORT_PATH_VARIABLE = "AITOEARN_REPORT_PATH"


def duckdb_path_from_env(environ: Mapping[str, str] | None = None) -> str:
    """AITOEARN_DUCKDB_PATH (a file, made absolute, or a `ducklake:` catalog), else the default file of the
    mode (live and sandbox never share one)."""
    env = os.environ if environ is None else environ
    sandbox = not env.get(KEY_VARIABLE) and sandbox_requested(env)
    path = env.get(DATABASE_VARIABLE) or (SANDBOX_DUCKDB_PATH if sandbox else LIVE_DUCKDB_PATH)
    if lake.is_lake(path) or path.strip().startswith(HOSTED_PREFIXES) or path == ":memory:":
        return path.strip()
    resolved = Path(path).resolve()
    resolved.parent.mkdir(parents=True, exist_ok=True)
    return str(resolved)


def location_from_env(environ: Mapping[str, str] | None = None) -> WarehouseLocation:
    """The warehouse the environment names (AITOEARN_DUCKDB_PATH, AITOEARN_DUCKLAKE_DATA_PATH, AITOEARN_REPORT_PATH)."""
    env = os.environ if environ is None else environ
    return WarehouseLocation(
        duckdb_path_from_env(env), env.get(DATA_PATH_VARIABLE) or None, env.get(REPORT_PATH_VARIABLE) or None
    )


def warehouse_from_env() -> WarehouseResource:
    """The resource of that location. A catalog string is passed as the variable itself, so Dagster shows
    the variable's name, never a password in it."""
    where = location_from_env()
    return WarehouseResource(
        database=dg.EnvVar(DATABASE_VARIABLE) if where.is_lake else where.database,
        lake_data_path=dg.EnvVar(DATA_PATH_VARIABLE) if where.data_path else None,
        report_path=where.report,
    )
