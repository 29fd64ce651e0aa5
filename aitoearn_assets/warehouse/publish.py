"""Publishing a read-only copy of the warehouse for analysts.

DuckDB lets one process open a file at a time (even a read-only reader locks writers out), so
analysts never open the pipeline's file. Once per run, after its last write, the pipeline
checkpoints its file and swaps a fresh copy into place with an atomic rename: an analyst session
that is open keeps reading the copy it opened, and the next connection sees the new data. The copy
is read-only on disk, so a tool opened on it cannot change what the next run replaces anyway.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import duckdb

ANALYST_SUFFIX = "_analyst"


def analyst_copy_path(database: str) -> str:
    """`data/aitoearn.duckdb` -> `data/aitoearn_analyst.duckdb`."""
    path = Path(database)
    return str(path.with_name(f"{path.stem}{ANALYST_SUFFIX}{path.suffix or '.duckdb'}"))


def publish_copy(con: duckdb.DuckDBPyConnection, database: str, target: str | None = None) -> str:
    """Checkpoint `con` (open on `database`) and atomically replace the analyst copy; returns its path.

    Call it while still holding the connection, so no other writer changes the file mid-copy.
    """
    target = target or analyst_copy_path(database)
    con.execute("CHECKPOINT")
    staging = f"{target}.{os.getpid()}.tmp"
    try:
        shutil.copyfile(database, staging)
        os.chmod(staging, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(staging, target)
    finally:
        if os.path.exists(staging):
            os.remove(staging)
    return target
