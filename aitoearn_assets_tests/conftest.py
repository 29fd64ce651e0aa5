"""Shared fixtures: the sandbox served over real HTTP on 127.0.0.1, clients, DuckDB files."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Runs started in-process must not pick up a developer's real settings.
for _name in ("AITOEARN_API_KEY", "AITOEARN_BASE_URL", "AITOEARN_DUCKDB_PATH", "AITOEARN_SANDBOX"):
    os.environ.pop(_name, None)
# Dagster's step retries (transient failures) wait this long; the tests do not wait a minute.
os.environ["AITOEARN_RETRY_DELAY_SECONDS"] = "0"
#: The pipeline's clock in the tests: the sandbox's reference moment, so the sandbox serves exactly
#: `works_per_account` works dated up to it (a test that builds history pins other days itself).
PINNED_CLOCK = "2026-11-01T00:00:00"
os.environ["AITOEARN_AS_OF"] = PINNED_CLOCK
# Runs that use the default instance record into a scratch one, never the repository's dagster_home/.
os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="aitoearn-tests-home-")
atexit.register(shutil.rmtree, os.environ["DAGSTER_HOME"], ignore_errors=True)
Path(os.environ["DAGSTER_HOME"], "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

from aitoearn_assets.api.client import AiToEarnClient  # noqa: E402 - after the environment is set
from aitoearn_assets.api.retry import RetryPolicy  # noqa: E402
from aitoearn_assets.defs.resources.aitoearn import AiToEarnCredentials, AiToEarnResource  # noqa: E402
from aitoearn_assets.sandbox import (  # noqa: E402
    SANDBOX_API_KEY,
    SandboxApi,
    SandboxDataset,
    SandboxServer,
    serve_in_thread,
)

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay_seconds=0.01, max_delay_seconds=0.1, max_total_wait_seconds=5)


@pytest.fixture
def sandbox() -> SandboxApi:
    """A small sandbox; tests change its dataset, latency and faults as they need."""
    return SandboxApi(SandboxDataset(accounts_per_platform=2, works_per_account=30))


@pytest.fixture
def server(sandbox: SandboxApi) -> Iterator[SandboxServer]:
    with serve_in_thread(sandbox) as running:
        yield running


@pytest.fixture
def make_client(server: SandboxServer) -> Iterator:
    """Factory for real-HTTP clients against the sandbox server."""
    clients: list[AiToEarnClient] = []

    def make(**options: object) -> AiToEarnClient:
        settings: dict = {"retry": FAST_RETRY, "timeout_seconds": 2.0, **options}
        key = settings.pop("api_key", SANDBOX_API_KEY)
        client = AiToEarnClient(key, server.base_url, **settings)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def aitoearn(server: SandboxServer) -> AiToEarnResource:
    """The Dagster resource pointed at the sandbox server over real HTTP, with quick retries."""
    return AiToEarnResource(
        credentials=AiToEarnCredentials(api_key=SANDBOX_API_KEY, base_url=server.base_url),
        timeout_seconds=2.0,
        max_attempts=4,
        backoff_base_seconds=0.01,
        max_backoff_seconds=0.1,
        max_total_wait_seconds=5,
        max_requests_per_second=None,
    )


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "warehouse.duckdb")


def cli_env(**settings: str) -> dict[str, str]:
    """The environment of a command a user runs: this one without the project's settings, the clock pinned
    as in the tests, and `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AITOEARN_")}
    return env | {"AITOEARN_AS_OF": PINNED_CLOCK, "AITOEARN_RETRY_DELAY_SECONDS": "0"} | settings


@pytest.fixture(scope="session")
def postgres() -> Iterator:
    """A real Postgres cluster for the session (aitoearn_assets_tests/postgres.py); skipped when absent locally."""
    from . import postgres as pg

    if not pg.installed():
        if pg.required():
            pytest.fail("AITOEARN_REQUIRE_POSTGRES=1 but Postgres is not installed (apt-get install -y postgresql)")
        pytest.skip("Postgres is not installed (apt-get install -y postgresql); CI runs these tests")
    server = pg.Postgres.start()
    yield server
    server.stop()


@pytest.fixture
def lake(postgres, tmp_path: Path) -> dict[str, str]:
    """The settings of a new, empty DuckLake: its catalog in a fresh Postgres database, its data in tmp_path."""
    return {"AITOEARN_DUCKDB_PATH": postgres.catalog(), "AITOEARN_DUCKLAKE_DATA_PATH": str(tmp_path / "lake") + "/"}
