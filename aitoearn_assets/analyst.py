"""`python -m aitoearn_assets sql` (`make sql`): the analysts' warehouse in the duckdb CLI, read-only."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from aitoearn_assets.defs.resources.warehouse import duckdb_path_from_env
from aitoearn_assets.warehouse.publish import analyst_copy_path


def duckdb_cli() -> str:
    """The `duckdb` command of this environment (the duckdb-cli package), else the one on PATH."""
    beside = Path(sys.executable).parent / "duckdb"
    found = str(beside) if beside.exists() else shutil.which("duckdb")
    if found is None:
        raise SystemExit("No `duckdb` command: `pip install duckdb-cli==1.5.6` (make install does it).")
    return found


def cli_arguments(database: str | None = None) -> list[str]:
    """The command line that opens the analysts' copy of the warehouse read-only."""
    path = Path(analyst_copy_path(database or duckdb_path_from_env())).resolve()
    if not path.exists():
        raise SystemExit(f"{path} does not exist yet: run the pipeline first (`make run`).")
    return [duckdb_cli(), "-readonly", str(path)]


def open_cli() -> int:
    """Replace this process with the duckdb CLI on the analysts' copy."""
    arguments = cli_arguments()
    print(f"Opening {arguments[-1]} read-only ({' '.join(arguments)}); .quit leaves.", file=sys.stderr)
    os.execv(arguments[0], arguments)
    return 0  # never reached
