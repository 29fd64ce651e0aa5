"""The production shape: a Dagster instance on Postgres (deploy/dagster.yaml) and the warehouse on DuckLake."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aitoearn_assets.defs.policies import WRITER_POOL

from ..conftest import cli_env

REPO = Path(__file__).parents[2]
BIN = Path(sys.executable).parent


def dagster_home(folder: Path) -> str:
    """A DAGSTER_HOME holding the project's production instance settings."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "deploy" / "dagster.yaml", folder / "dagster.yaml")
    return str(folder)


@pytest.fixture
def production(postgres, lake, tmp_path) -> dict[str, str]:
    """The environment of a production worker: the instance on Postgres, the warehouse on a new lake, the
    sandbox API. The instance's tables and the writer pool's limit exist before the first run (README, "Production")."""
    env = cli_env(AITOEARN_SANDBOX="1", DAGSTER_HOME=dagster_home(tmp_path / "home"), **lake, **postgres.instance_env())
    subprocess.run([BIN / "dagster", "instance", "migrate"], env=env, check=True, capture_output=True, timeout=120)
    # as the README sets it up: the writer pool's row exists before runs start together (Dagster issue #33552)
    subprocess.run([BIN / "dagster", "instance", "concurrency", "set", WRITER_POOL, "4"], env=env, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    return env


def worker(env: dict[str, str], folder: Path) -> dict[str, object]:
    """`Popen` keywords for a run on its own machine: its own working directory, temp folder and DAGSTER_HOME;
    nothing shared with the others but Postgres and the lake's data path."""
    (folder / "tmp").mkdir(parents=True)
    own = {**env, "TMPDIR": str(folder / "tmp"), "DAGSTER_HOME": dagster_home(folder / "home")}
    return {"cwd": folder, "env": own}
