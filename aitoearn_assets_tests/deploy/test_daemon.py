"""The daemon on a Postgres-backed instance (deploy/dagster.yaml): the daily schedule's tick and a backfill
launched the way the UI launches it start runs, each in its own process, and they land in the lake
(needs Postgres). The tick is the single-run schedule: the fan-out's one run per platform is evaluated in
defs/test_schedules.py, and runs writing the lake at once are deploy/test_parallel_runs.py."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import httpx
import pytest
from dagster._core.events import DagsterEventType
from dagster._core.execution.backfill import BulkActionStatus

from aitoearn_assets.api.platforms import PLATFORMS
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START
from aitoearn_assets.warehouse.location import WarehouseLocation

from ..ports import free_port
from .conftest import BIN, REPO

BACKFILLED = ["youtube", "instagram", "pinterest"]
SCHEDULES = ("daily_raw_works", "daily_accounts")
LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}"""


@contextmanager
def serving(env: dict[str, str], port: int) -> Iterator[None]:
    """The daemon and the webserver, as `dagster-daemon run` and `dagster-webserver` run them in production."""
    workspace = ["-w", str(REPO / "workspace.yaml")]
    logs = open(f"{env['DAGSTER_HOME']}/services.log", "w")  # noqa: SIM115 - closed below
    services = [
        subprocess.Popen([BIN / "dagster-daemon", "run", *workspace], cwd=REPO, env=env, stdout=logs, stderr=logs),
        subprocess.Popen(
            [BIN / "dagster-webserver", *workspace, "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO,
            env=env,
            stdout=logs,
            stderr=logs,
        ),
    ]
    try:
        yield
    finally:
        for service in services:
            service.terminate()
        for service in services:
            service.wait(timeout=60)
        logs.close()


def wait_for(what: str, check, timeout: float) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def graphql(port: int, query: str, variables: dict) -> dict:
    answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": query, "variables": variables}, timeout=60)
    answer.raise_for_status()
    return answer.json()["data"]


def test_the_schedule_tick_and_a_ui_backfill_run_on_the_daemon_each_in_its_own_process(production, monkeypatch):
    env = {**production, "AITOEARN_SCHEDULE_CRON": "* * * * *", "AITOEARN_SCHEDULE_TIMEZONE": "UTC"}
    for name in ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_DB"):
        monkeypatch.setenv(name, env[name])
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    port = free_port()
    with serving(env, port):
        wait_for("the webserver", lambda: _answers(port), 120)
        for schedule in SCHEDULES:
            subprocess.run([BIN / "dagster", "schedule", "start", schedule, "-w", REPO / "workspace.yaml"],
                           cwd=REPO, env=env, check=True, capture_output=True, timeout=120)  # fmt: skip
        launched = graphql(port, LAUNCH_BACKFILL, {"params": {
            "partitionNames": BACKFILLED, "assetSelection": [{"path": ["raw_works"]}], "fromFailure": False,
        }})["launchPartitionBackfill"]  # fmt: skip
        assert launched["__typename"] == "LaunchBackfillSuccess", launched

        # each schedule's first tick (started a few seconds apart, they may tick in different minutes)
        wait_for("each schedule's first run", lambda: all(instance.get_runs(
            dg.RunsFilter(tags={"dagster/schedule_name": schedule})) for schedule in SCHEDULES), 210)  # fmt: skip
        for schedule in SCHEDULES:  # one tick is enough
            subprocess.run([BIN / "dagster", "schedule", "stop", schedule, "-w", REPO / "workspace.yaml"],
                           cwd=REPO, env=env, check=True, capture_output=True, timeout=120)  # fmt: skip
        wait_for("every run to finish", lambda: not instance.get_runs(dg.RunsFilter(statuses=_UNFINISHED)), 600)
        backfill = wait_for(
            "the backfill daemon to close the backfill",
            lambda: (
                (b := instance.get_backfill(launched["backfillId"])) and b.status != BulkActionStatus.REQUESTED and b
            ),
            120,
        )

    runs = instance.get_runs()
    scheduled = [r for r in runs if r.tags.get("dagster/schedule_name") == "daily_raw_works"]
    backfilled = [r for r in runs if r.tags.get("dagster/backfill") == launched["backfillId"]]
    first_tick = scheduled[-1]  # the newest first
    assert (first_tick.tags[PARTITION_RANGE_START], first_tick.tags[PARTITION_RANGE_END]) == (
        PLATFORMS[0],
        PLATFORMS[-1],
    )
    assert backfilled and backfill.status == BulkActionStatus.COMPLETED_SUCCESS
    assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}, [(r.job_name, r.status) for r in runs]
    pids = {_worker_pid(instance, r.run_id) for r in runs}
    assert len(pids) == len(runs)  # every run in a process of its own

    with WarehouseLocation(production["AITOEARN_DUCKDB_PATH"]).connect_read_only() as con:
        landed = dict(con.execute("SELECT platform, count(*) FROM raw_works GROUP BY 1").fetchall())
        written = dict(con.execute("SELECT platform, count(*) FROM ingest_runs GROUP BY 1").fetchall())
        accounts = con.execute("SELECT count(*) FROM accounts").fetchone()[0]
    assert set(landed) == set(PLATFORMS) and accounts == 45
    assert all(written[p] >= 2 for p in BACKFILLED)  # by the tick and by the backfill


_UNFINISHED = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
               dg.DagsterRunStatus.STARTED]  # fmt: skip


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _worker_pid(instance: dg.DagsterInstance, run_id: str) -> int:
    (record,) = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_START).records
    return record.event_log_entry.dagster_event.pid
