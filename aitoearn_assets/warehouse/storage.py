"""Whether this DuckDB can read a warehouse file at all (a file written by DuckDB 2.x cannot be)."""

from __future__ import annotations

import os
import re

import duckdb

_NEWER = re.compile(r"version number (\d+)")


class WarehouseVersionError(RuntimeError):
    """The file was written by a DuckDB whose storage format this one cannot read."""


def check_readable(path: str) -> None:
    """Raise `WarehouseVersionError` naming the fix when `path` is a DuckDB file of a newer storage format.

    Opens the file read-only for a moment, before anything else does: Dagster's DuckDB resource
    retries every IO error for about 100 s, this one included, and no retry fixes it.
    """
    if not os.path.isfile(path):
        return
    try:
        duckdb.connect(path, read_only=True).close()
    except duckdb.IOException as err:
        found = _NEWER.search(str(err))
        if found is None:  # e.g. another process holds the file: the writer's own retries handle that
            return
        raise WarehouseVersionError(
            f"{path} was written by a newer DuckDB (storage version {found.group(1)}) than this project's "
            f"DuckDB {duckdb.__version__} can read; files written by DuckDB 2.x open in no 1.x tool. Rebuild it: "
            "move the file away and run the pipeline again (`make run`), which refetches the works but not their "
            "history. Or keep everything: open the file with DuckDB 2.x and run EXPORT DATABASE 'dump'; then "
            f"`.venv/bin/duckdb {path}` (DuckDB 1.5) and run IMPORT DATABASE 'dump'."
        ) from None
