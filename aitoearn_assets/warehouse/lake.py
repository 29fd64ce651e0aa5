"""The warehouse on DuckLake: a catalog in Postgres, the data as Parquet files in a folder or object storage.

`AITOEARN_DUCKDB_PATH` takes DuckDB's own ATTACH form, `ducklake:postgres:dbname=lake host=... user=...`,
with `AITOEARN_DUCKLAKE_DATA_PATH` (a folder, or `s3://bucket/prefix`). Many processes on many machines
read and write it at once; a commit that meets another's is retried (`atomic` in writes.py).

The extensions load from their installed wheels (`pip install -e '.[lake]'`), never from the network, so
an air-gapped cluster works. No Dagster here.
"""

from __future__ import annotations

import importlib.util
import random
import re
import time
from pathlib import Path

import duckdb

from aitoearn_assets.warehouse.session import quiet

LAKE_PREFIX = "ducklake:"
LAKE_ALIAS = "lake"
#: DuckLake's own retries of a commit (ids taken by another writer); the default 10 runs out under load
#: (duckdb/ducklake#1283).
MAX_RETRY_COUNT = 100
#: Secrets a connection string may carry: `password=...` (quoted or not), `user:secret@` in a URI, a token.
_SECRETS = (
    re.compile(r"((?:password|motherduck_token|token)\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)", re.IGNORECASE),
    re.compile(r"(://[^:/@\s]+:)([^@\s]+)(?=@)"),
)
#: The extensions every lake session loads (httpfs too: the data path may be object storage, which a reader
#: attaching without naming it learns only from the catalog).
EXTENSIONS = ("postgres_scanner", "ducklake", "httpfs")


def is_lake(database: str) -> bool:
    """Whether `database` names a DuckLake catalog rather than a DuckDB file."""
    return database.strip().startswith(LAKE_PREFIX)


def shown(text: str) -> str:
    """`text` (a connection string, or an error quoting one) fit to show: passwords and tokens masked."""
    for secret in _SECRETS:
        text = secret.sub(r"\1***", text)
    return text


def without_password(catalog: str) -> tuple[str, str | None]:
    """(`catalog` without its `password=...`, the password): libpq also reads it from PGPASSWORD."""
    found = _SECRETS[0].search(catalog)
    if found is None or not found.group(1).lower().startswith("password"):
        return catalog, None
    value = found.group(2)
    value = value[1:-1].replace("\\'", "'") if value.startswith("'") else value
    return (catalog[: found.start()] + catalog[found.end() :]).replace("  ", " ").strip(), value


def extension_file(name: str) -> str:
    """The extension file an installed `duckdb-extension-<name>` wheel carries, for this DuckDB."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            f"The DuckDB extension {name!r} is not installed: `pip install -e '.[lake]'` installs the lake extras "
            "(they are wheels built for this DuckDB; nothing is downloaded at run time)."
        )
    found = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not found.is_file():
        raise RuntimeError(f"{found} is missing: the {name} wheel does not match DuckDB {duckdb.__version__}.")
    return str(found)


def session_sql(catalog: str, data_path: str | None = None, *, read_only: bool = False) -> list[str]:
    """The statements that make a DuckDB session (Python or the `duckdb` CLI of the same version) work in
    the lake: load the extensions from their wheels, raise DuckLake's own commit retries, attach, use."""
    options = [f"DATA_PATH '{_quoted(data_path)}'"] if data_path else []
    if read_only:
        options.append("READ_ONLY")
    return [
        "SET autoinstall_known_extensions = false",
        *(f"LOAD '{_quoted(extension_file(name))}'" for name in EXTENSIONS),
        f"SET ducklake_max_retry_count = {MAX_RETRY_COUNT}",
        f"ATTACH '{_quoted(catalog.strip())}' AS {LAKE_ALIAS}" + (f" ({', '.join(options)})" if options else ""),
        f"USE {LAKE_ALIAS}",
    ]


def connect(
    catalog: str, data_path: str | None = None, *, read_only: bool = False, config: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection with the lake attached as `lake` and in use (unqualified names are its tables).

    The first attach of a new catalog creates it (it needs `data_path`); several processes attaching an
    empty catalog at once race to create it, so a failed first attach is tried again.
    """
    settings = {"autoinstall_known_extensions": False, "autoload_known_extensions": False, **(config or {})}
    statements = session_sql(catalog, data_path, read_only=read_only)
    for attempt in range(6):
        con = duckdb.connect(":memory:", config=settings)
        try:
            for statement in statements:
                con.execute(statement)
            return quiet(con)
        except duckdb.Error as err:
            con.close()
            if attempt == 5 or "Failed to initialize DuckLake" not in str(err):
                raise type(err)(shown(str(err))) from None  # DuckDB quotes the whole string, password too
            time.sleep(0.2 * (attempt + 1) + random.random() * 0.3)
    raise AssertionError("unreachable")


def is_conflict(err: BaseException) -> bool:
    """A commit that met another writer's (or ran out of DuckLake's own retries): running the whole
    transaction again resolves it."""
    text = str(err)
    return "Transaction conflict" in text or "Exceeded the maximum retry count" in text


def in_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con` works in a DuckLake catalog (its current database)."""
    row = con.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return row is not None and row[0] == "ducklake"


def _quoted(text: str) -> str:
    return text.replace("'", "''")
