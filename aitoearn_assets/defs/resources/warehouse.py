"""The DuckDB warehouse resource: Dagster's DuckDBResource plus the analyst copy."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import Field, PrivateAttr

from aitoearn_assets.defs.resources.aitoearn import KEY_VARIABLE, sandbox_requested
from aitoearn_assets.warehouse.publish import publish_copy
from aitoearn_assets.warehouse.storage import check_readable

DEFAULT_MEMORY_LIMIT = "512MB"
LIVE_DUCKDB_PATH = "data/aitoearn.duckdb"
SANDBOX_DUCKDB_PATH = "data/sandbox.duckdb"


class WarehouseResource(DuckDBResource):
    """`database` is the pipeline's own file. Once per run, after its last write, a read-only copy is
    published beside it (`<name>_analyst.duckdb`) for analysts' tools; see warehouse/publish.py."""

    publish_analyst_copy: bool = Field(default=True, description="Publish <name>_analyst.duckdb after each run.")
    connection_config: dict[str, Any] = Field(
        default={"memory_limit": DEFAULT_MEMORY_LIMIT},
        description=(
            "DuckDB settings. memory_limit caps DuckDB's own memory (it spills to disk past it): with it, "
            "a 1M-work partition stays under 1 GB of RSS and 10M-work analytics run no slower."
        ),
    )
    _wrote: bool = PrivateAttr(default=False)

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for writes; the analyst copy is refreshed when the run ends (even a failed run
        may have committed some writes first)."""
        with self.get_connection() as con:
            self._wrote = True
            yield con

    def check_readable(self) -> None:
        """Raise `WarehouseVersionError` (naming the fix) when the file was written by a newer DuckDB."""
        if self.database != ":memory:":
            check_readable(self.database)

    def publish(self) -> str | None:
        """Publish the analyst copy now (takes the file lock for the copy); returns its path."""
        if not self.publish_analyst_copy or self.database == ":memory:":
            return None
        with self.get_connection() as con:
            return publish_copy(con, self.database)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._wrote:
            self.publish()
            self._wrote = False


def duckdb_path_from_env(environ: dict[str, str] | None = None) -> str:
    """AITOEARN_DUCKDB_PATH, else the default file of the mode (live and sandbox never share one)."""
    env = os.environ if environ is None else environ
    sandbox = not env.get(KEY_VARIABLE) and sandbox_requested(env)
    path = env.get("AITOEARN_DUCKDB_PATH") or (SANDBOX_DUCKDB_PATH if sandbox else LIVE_DUCKDB_PATH)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return path
