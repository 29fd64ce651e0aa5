"""The DuckDB warehouse resource: Dagster's DuckDBResource plus the analyst copy."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import Field

from aitoearn_assets.warehouse.publish import publish_copy

DEFAULT_MEMORY_LIMIT = "512MB"


class WarehouseResource(DuckDBResource):
    """`database` is the pipeline's own file. After every successful write a read-only copy is
    published beside it (`<name>_analyst.duckdb`) for analysts' tools; see warehouse/publish.py."""

    publish_analyst_copy: bool = Field(default=True, description="Publish <name>_analyst.duckdb after each write.")
    connection_config: dict[str, Any] = Field(
        default={"memory_limit": DEFAULT_MEMORY_LIMIT},
        description=(
            "DuckDB settings. memory_limit caps DuckDB's own memory (it spills to disk past it): with it, "
            "a 1M-work partition stays under 1 GB of RSS and 10M-work analytics run no slower."
        ),
    )

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one write; on success the analyst copy is refreshed before the file lock is let go."""
        with self.get_connection() as con:
            yield con
            if self.publish_analyst_copy and self.database != ":memory:":
                publish_copy(con, self.database)
