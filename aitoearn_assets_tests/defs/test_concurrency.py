"""Several writers at once, and an analyst session held open for the length of a run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from aitoearn_assets.defs.resources.aitoearn import AiToEarnResource
from aitoearn_assets.warehouse.publish import analyst_copy_path

from ..conftest import cli_env
from .helpers import materialize_platform

REPO = Path(__file__).parents[2]
DAGSTER = str(Path(sys.executable).parent / "dagster")


def test_parallel_runs_of_different_partitions_all_land(tmp_path):
    db = str(tmp_path / "parallel.duckdb")
    env = cli_env(AITOEARN_SANDBOX="1", AITOEARN_DUCKDB_PATH=db, DAGSTER_HOME=str(tmp_path))
    platforms = ["KWAI", "tiktok", "twitter", "douyin"]
    # The Dagster instance exists before the runs, as in real use (five fresh processes would race to create it).
    subprocess.run([DAGSTER, "instance", "migrate"], env=env, check=True, capture_output=True)
    runs = [
        subprocess.Popen(
            [
                DAGSTER,
                "asset",
                "materialize",
                "-m",
                "aitoearn_assets.definitions",
                "--select",
                "raw_works",
                "--partition",
                platform,
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for platform in platforms
    ]
    errors = [run.communicate(timeout=300)[1] for run in runs]
    assert [run.returncode for run in runs] == [0] * len(platforms), [e[-2000:] for e in errors]
    with duckdb.connect(db, read_only=True) as con:
        got = dict(con.execute("SELECT platform, count(*) FROM raw_works GROUP BY ALL").fetchall())
        runs_logged = con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]
    assert got == {"KWAI": 360, "tiktok": 360, "twitter": 360, "douyin": 21} and runs_logged == 4


ANALYST = textwrap.dedent(
    """
    import os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    con = duckdb.connect(path, read_only=True)       # held open for the whole run, as a notebook would
    seen, failures = set(), 0
    print("CONNECTED", flush=True)
    while not os.path.exists(stop):
        try:
            seen.add(con.execute("SELECT count(*) FROM raw_works").fetchone()[0])
        except Exception as err:
            failures += 1
            print("FAILED", err, flush=True)
        time.sleep(0.01)
    print("SEEN", sorted(seen), "FAILURES", failures, flush=True)
    """
)


def test_an_open_analyst_session_neither_blocks_a_run_nor_fails(tmp_path, aitoearn):
    db = str(tmp_path / "shared.duckdb")
    assert materialize_platform(aitoearn, db, "KWAI").success  # 60 rows, and the first analyst copy
    stop = tmp_path / "stop"
    analyst = subprocess.Popen(
        [sys.executable, "-c", ANALYST, analyst_copy_path(db), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert analyst.stdout.readline().strip() == "CONNECTED"
        assert materialize_platform(aitoearn, db, "tiktok").success
        assert materialize_platform(
            AiToEarnResource(credentials=aitoearn.credentials, max_requests_per_second=None),
            db,
            "twitter",
        ).success
    finally:
        stop.touch()
        out, _ = analyst.communicate(timeout=30)
    assert out.strip().splitlines()[-1] == "SEEN [60] FAILURES 0"  # its snapshot stays consistent
    with duckdb.connect(analyst_copy_path(db), read_only=True) as fresh:  # a new session sees the new data
        assert fresh.execute("SELECT count(*) FROM raw_works").fetchone()[0] == 180
