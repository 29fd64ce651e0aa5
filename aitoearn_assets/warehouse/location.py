"""Where the warehouse lives: a DuckDB file, or a DuckLake catalog with its data path; and where its report goes.

On one host the warehouse is a file, read by analysts through its published copy. Beyond one host it
is a DuckLake (warehouse/lake.py) that every run, on any machine, and every analyst attaches; nothing
a run needs sits on the worker's own disk then. No Dagster here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from aitoearn_assets.warehouse import lake
from aitoearn_assets.warehouse.publish import analyst_copy_path
from aitoearn_assets.warehouse.session import quiet

REPORT_SUFFIX = "_report.html"
#: A hosted DuckDB (MotherDuck): opened like a file through DuckDBResource, but it is no file on this disk.
HOSTED_PREFIXES = ("md:", "motherduck:")
_OBJECT_STORES = ("s3://", "gs://", "gcs://", "r2://", "az://", "abfss://", "https://", "http://")


class LocationError(ValueError):
    """The settings do not name a usable warehouse location."""


@dataclass(frozen=True)
class WarehouseLocation:
    """`database`: a DuckDB file path, or `ducklake:postgres:...` (then `data_path` is the lake's DATA_PATH,
    needed when the catalog is new); `report`: where the HTML report goes (default: beside the file, or
    beside a local data path)."""

    database: str
    data_path: str | None = None
    report: str | None = None

    @property
    def is_lake(self) -> bool:
        return lake.is_lake(self.database)

    @property
    def is_hosted(self) -> bool:
        return self.database.strip().startswith(HOSTED_PREFIXES)

    @property
    def shown(self) -> str:
        """The location fit for logs and metadata (a password in a catalog string is masked)."""
        if not self.is_lake:
            return self.database
        return lake.shown(self.database) + (f" (data {self.data_path})" if self.data_path else "")

    @property
    def report_path(self) -> str:
        """`AITOEARN_REPORT_PATH`, else `data/aitoearn.duckdb` -> `data/aitoearn_report.html`, and for a lake
        `/srv/lake/` -> `/srv/lake_report.html` (beside its data folder, never inside the folder DuckLake owns)."""
        if self.report:
            return str(Path(self.report).resolve())
        if not self.is_lake and not self.is_hosted:
            return str(_beside(self.database, REPORT_SUFFIX))
        if self.is_hosted or not self.data_path or self.data_path.startswith(_OBJECT_STORES):
            raise LocationError(
                "The report needs a place on a filesystem: set AITOEARN_REPORT_PATH (the warehouse "
                f"{self.shown} has no local folder to put it beside)."
            )
        return str(_beside(self.data_path.rstrip("/"), REPORT_SUFFIX))

    @property
    def analyst_target(self) -> str:
        """What analysts open: the published copy of a file; the catalog (or hosted database) itself otherwise."""
        if self.is_lake or self.is_hosted:
            return lake.shown(self.database)
        return str(Path(analyst_copy_path(self.database)).resolve())

    def connect_read_only(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection as an analyst has it: on the published copy of a file, or on the lake."""
        if self.is_lake:
            return lake.connect(self.database, self.data_path, read_only=True)
        return quiet(duckdb.connect(self.database if self.is_hosted else self.analyst_target, read_only=True))


def _beside(path: str, suffix: str) -> Path:
    resolved = Path(path).resolve()
    return resolved.with_name(f"{resolved.stem}{suffix}")
