"""What the browser tests share: headless Chromium from the distribution, and a sandbox warehouse with history."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")  # not longer: Playwright's event loop must be gone before Dagster's asyncio runs
def browser() -> Iterator:
    if CHROMIUM is None:
        pytest.fail("headless Chromium is missing: `apt-get install -y chromium` (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def build_home(tmp_path_factory, name: str, days: tuple[str, ...]) -> dict[str, str]:
    """A DAGSTER_HOME and a sandbox warehouse built by `refresh` (as `make run` does) on each of `days`."""
    home = tmp_path_factory.mktemp(name)
    (home / "dagster.yaml").write_text(
        (REPO / "dagster_home" / "dagster.yaml").read_text()
        + "run_coordinator:\n  module: dagster._core.run_coordinator\n  class: QueuedRunCoordinator\n"
        "  config:\n    dequeue_interval_seconds: 1  # the tests do not wait 5 s for a queued run\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AITOEARN_")}
    env |= {"DAGSTER_HOME": str(home), "AITOEARN_SANDBOX": "1", "AITOEARN_DUCKDB_PATH": str(home / "demo.duckdb")}
    for day in days:
        done = subprocess.run(
            [sys.executable, "-m", "aitoearn_assets", "refresh"],
            cwd=REPO, env=env | {"AITOEARN_AS_OF": day}, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
    return env


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> dict[str, str]:
    """Every platform refreshed on two days a week apart."""
    return build_home(tmp_path_factory, "demo_home", ("2026-11-20", "2026-11-27"))


@pytest.fixture(scope="session")
def first_run_home(tmp_path_factory) -> dict[str, str]:
    """A newcomer's first `make run`: one date, no history yet."""
    return build_home(tmp_path_factory, "first_run_home", ("2026-11-27",))
