"""`python -m aitoearn_assets sql` (`make sql`): the analysts' warehouse in the duckdb CLI, read-only: the
published copy of the file, or the lake attached read-only (the CLI is the pipeline's DuckDB version, so it
loads the same extension wheels)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from aitoearn_assets.defs.resources.warehouse import location_from_env
from aitoearn_assets.warehouse import lake
from aitoearn_assets.warehouse.location import WarehouseLocation


def duckdb_cli() -> str:
    """The `duckdb` command of this environment (the duckdb-cli package), else the one on PATH."""
    beside = Path(sys.executable).parent / "duckdb"
    found = str(beside) if beside.exists() else shutil.which("duckdb")
    if found is None:
        raise SystemExit("No `duckdb` command: `pip install duckdb-cli==1.5.5` (make install does it).")
    return found


def cli_arguments(location: WarehouseLocation | None = None) -> tuple[list[str], dict[str, str]]:
    """The command line that opens the warehouse read-only (the analysts' copy of a file, or the lake), and
    the variables it needs beyond this process's: a catalog's password goes to PGPASSWORD, never onto the
    command line (which any user of the machine can list)."""
    location = location or location_from_env()
    if location.is_lake:
        catalog, password = lake.without_password(location.database)
        session = ";\n".join(lake.session_sql(catalog, read_only=True)) + ";"
        return [duckdb_cli(), "-cmd", session], ({"PGPASSWORD": password} if password else {})
    if location.is_hosted:
        return [duckdb_cli(), "-readonly", location.database], {}
    path = Path(location.analyst_target)
    if not path.exists():
        raise SystemExit(f"{path} does not exist yet: run the pipeline first (`make run`).")
    return [duckdb_cli(), "-readonly", str(path)], {}


def open_cli() -> int:
    """Replace this process with the duckdb CLI on the analysts' copy."""
    location = location_from_env()
    arguments, variables = cli_arguments(location)
    print(f"Opening {location.analyst_target} read-only; .quit leaves.", file=sys.stderr)
    os.execve(arguments[0], arguments, {**os.environ, **variables})
    return 0  # never reached
