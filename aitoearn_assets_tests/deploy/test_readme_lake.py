"""The README's lake-mode commands, as written: Postgres started by its script, the daily job on DuckLake with
a Postgres-backed instance, then an analyst attaching read-only from another working directory
(needs Postgres)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import dagster as dg

from aitoearn_assets.defs.policies import WRITER_POOL

from ..conftest import cli_env
from ..ports import free_port
from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def block(marker: str) -> str:
    """The ```bash block that follows `<!-- marker ...-->`."""
    return re.search(rf"<!-- {marker}[^>]*-->\n```bash\n(.*?)```", README, flags=re.DOTALL).group(1)


def test_the_readmes_lake_mode_commands_run_the_daily_job_and_an_analyst_attaches(postgres, tmp_path, monkeypatch):
    commands = block("lake-mode commands")
    assert "make run" in commands and "deploy/local-postgres.sh start" in commands
    port, data = free_port(), Path(tempfile.mkdtemp(prefix="aitoearn-readme-pg-"))  # open to the postgres user
    script = (
        commands.replace("apt-get install -y postgresql", "true")  # installed already (the fixture checked)
        .replace("PG_PORT=5433 PG_DATA=/tmp/aitoearn-pg", f"PG_PORT={port} PG_DATA={data}")
        .replace("$PWD/", f"{tmp_path}/")  # the repository stays clean; the commands run from its root
    )
    analyst = block("analyst attach").replace("/path/to/aitoearn-assets/.venv/bin/python", sys.executable)
    script += f'cd "$(mktemp -d)"\necho "SELECT count(*) AS lake_works FROM raw_works;" | {analyst}'
    env = cli_env()
    env.pop("DAGSTER_HOME")
    try:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "Refresh complete" in done.stdout and "Checks: " in done.stdout and "0 failed" in done.stdout
        # 8 listing platforms x 3 accounts x 120 works, and 7 x 3 accounts x 7 publish records
        assert "3027" in done.stdout.split("lake_works", 1)[1]
        assert (tmp_path / "lake-data_report.html").is_file()  # beside the data folder

        # the runs are in the Postgres instance, each with the code location the UI re-executes from
        for name, value in {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(port),
                            "DAGSTER_PG_USER": "postgres", "DAGSTER_PG_PASSWORD": "",
                            "DAGSTER_PG_DB": "dagster"}.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        instance = dg.DagsterInstance.from_config(str(tmp_path / "deploy-home"))
        jobs = sorted(r.job_name for r in instance.get_runs())
        assert jobs == ["accounts_job", "analytics_job", "raw_works_job", "work_metrics_job"]
        pool = instance.event_log_storage.get_concurrency_info(WRITER_POOL)  # set by hand: never raced for
        assert pool.slot_count == 4 and not pool.using_default_limit
        instance.dispose()
    finally:
        subprocess.run([REPO / "deploy" / "local-postgres.sh", "stop", data], capture_output=True, check=False)
        shutil.rmtree(data, ignore_errors=True)
