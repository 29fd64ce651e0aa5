"""A real Postgres for the tests whose subject it is (the lake's catalog, the Dagster instance), started by
the script the README gives users (`deploy/local-postgres.sh`).

Locally the tests skip when Postgres is not installed (`apt-get install -y postgresql`); CI sets
AITOEARN_REQUIRE_POSTGRES=1, and then a missing Postgres fails them instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from .ports import free_port

SCRIPT = Path(__file__).parents[1] / "deploy" / "local-postgres.sh"


def installed() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")) or shutil.which("pg_ctl") is not None


@dataclass
class Postgres:
    """A running cluster on 127.0.0.1 (trust authentication, user postgres)."""

    folder: str
    port: int

    @classmethod
    def start(cls, attempts: int = 3) -> Postgres:
        """A new cluster; started again on another port when the one chosen was taken meanwhile (any other
        failure is raised with the server's log)."""
        for attempt in range(1, attempts + 1):
            folder = tempfile.mkdtemp(prefix="aitoearn-pg-")  # in /tmp: its parents are open to the postgres user
            server = cls(folder, free_port())
            try:
                subprocess.run([SCRIPT, "start", folder, str(server.port)], check=True, capture_output=True,
                               timeout=120)  # fmt: skip
                return server
            except subprocess.CalledProcessError as err:
                log = Path(folder, "server.log")
                text = log.read_text(errors="replace") if log.exists() else ""
                server.stop()
                if "already in use" not in text or attempt == attempts:
                    raise RuntimeError(f"Postgres did not start on port {server.port}: {err.stderr!r}\n{text}") from err
        raise ValueError(f"attempts must be 1 or more, not {attempts}")

    def stop(self) -> None:
        subprocess.run([SCRIPT, "stop", self.folder], check=False, capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its name."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        con = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        con.close()
        return name

    def libpq(self, database: str) -> str:
        return f"dbname={database} host=127.0.0.1 port={self.port} user=postgres"

    def catalog(self, database: str | None = None) -> str:
        """`AITOEARN_DUCKDB_PATH` for a new (or the named) lake catalog."""
        return f"ducklake:postgres:{self.libpq(database or self.new_database('lake'))}"

    def instance_env(self, database: str | None = None) -> dict[str, str]:
        """The DAGSTER_PG_* variables deploy/dagster.yaml reads, for a new (or the named) instance database."""
        return {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USER": "postgres",
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": database or self.new_database("dagster"),
        }


def required() -> bool:
    return os.environ.get("AITOEARN_REQUIRE_POSTGRES") == "1"
