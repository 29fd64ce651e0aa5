"""The ingest on DuckLake: 1, 2 and 4 concurrent `dagster asset materialize` runs against one run on a DuckDB
file, same sandbox, each run its own process with its own DAGSTER_HOME (start-up included).

Postgres comes from deploy/local-postgres.sh (Debian's `postgresql`); without it this part is skipped.
"""

from __future__ import annotations

import glob
import resource
import shutil
import subprocess
import time
from pathlib import Path

import dagster as dg
from common import dagster_home, free_port, materialize_command
from dagster._core.events import DagsterEventType

from aitoearn_assets.sandbox import SANDBOX_API_KEY
from aitoearn_assets.warehouse import lake

REPO = Path(__file__).parents[1]
SCRIPT = REPO / "deploy" / "local-postgres.sh"
#: The 15 partitions in contiguous ranges holding the same number of platforms that list works.
SPLITS = {
    1: ["douyin...google_business"],
    2: ["douyin...tiktok", "facebook...google_business"],
    4: ["douyin...youtube", "wxGzh...tiktok", "facebook...instagram", "threads...google_business"],
}


def available() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")) or shutil.which("pg_ctl") is not None


class LocalPostgres:
    def __init__(self, folder: str) -> None:
        self.folder, self.port = folder, free_port()

    def __enter__(self) -> LocalPostgres:
        subprocess.run([SCRIPT, "start", self.folder, str(self.port)], check=True, capture_output=True)
        return self

    def __exit__(self, *exc: object) -> None:
        subprocess.run([SCRIPT, "stop", self.folder], check=False, capture_output=True)

    def new_catalog(self, name: str) -> str:
        bin_dir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        createdb = [f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name]
        subprocess.run(["runuser", "-u", "postgres", "--", *createdb] if _root() else createdb, check=True)
        return f"ducklake:postgres:dbname={name} host=127.0.0.1 port={self.port} user=postgres"


def _root() -> bool:
    import os

    return os.geteuid() == 0


def run_group(url: str, concurrency: int, folder: Path, ranges: list[str], warehouse: dict[str, str]) -> dict:
    """Launch one `dagster asset materialize` per range at once; wall time from the first start to the last end."""
    homes = [dagster_home(folder / f"run{i}", concurrency) for i in range(len(ranges))]  # set up before the clock
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    runs = []
    for home, partitions in zip(homes, ranges, strict=True):
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "DAGSTER_HOME": str(home), "TMPDIR": str(home),
               "AITOEARN_API_KEY": SANDBOX_API_KEY, "AITOEARN_BASE_URL": url, **warehouse}  # fmt: skip
        command = materialize_command(["-m", "aitoearn_assets.definitions"], "raw_works", partitions, home)
        runs.append((home, subprocess.Popen(command, cwd=home, env=env, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE, text=True)))  # fmt: skip
    for _, run in runs:
        _, err = run.communicate()
        if run.returncode != 0:
            raise RuntimeError(f"a lake run failed:\n{err[-4000:]}")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    retries = sum(_commit_retries(home) for home, _ in runs)
    return {"wall_seconds": wall, "cpu_seconds": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "commit_retries": retries}  # fmt: skip


def _commit_retries(home: Path) -> int:
    """Commits run again after meeting another run's (the raw_works metadata `commit_retries`)."""
    instance = dg.DagsterInstance.from_config(str(home))
    total = 0
    for run in instance.get_runs():
        for record in instance.get_records_for_run(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION).records:
            metadata = record.event_log_entry.dagster_event.event_specific_data.materialization.metadata  # type: ignore[union-attr]
            if "commit_retries" in metadata:
                total += int(metadata["commit_retries"].value)
    return total


def works_in(warehouse: dict[str, str]) -> int:
    con = lake.connect(warehouse["AITOEARN_DUCKDB_PATH"], read_only=True)
    try:
        return con.execute("SELECT count(*) FROM raw_works").fetchone()[0]
    finally:
        con.close()


def connect_seconds(catalog: str) -> float:
    """A new session on the lake: the extensions loaded from their wheels, the catalog attached (median of 5)."""
    times = []
    for _ in range(5):
        started = time.perf_counter()
        lake.connect(catalog, read_only=True).close()
        times.append(time.perf_counter() - started)
    return sorted(times)[2]


def measure(url: str, concurrency: int, work: str, file_run: dict, expected_works: int) -> list[tuple[str, str, str]]:
    """The lake rows of the performance table (`file_run`: one run into a DuckDB file, measured alike)."""
    folder = Path(work) / "lake"
    pg_folder = Path(work) / "pg"
    pg_folder.mkdir(parents=True)
    results = {}
    with LocalPostgres(str(pg_folder)) as pg:
        for n, ranges in SPLITS.items():
            warehouse = {"AITOEARN_DUCKDB_PATH": pg.new_catalog(f"bench{n}"),
                         "AITOEARN_DUCKLAKE_DATA_PATH": str(folder / f"data{n}") + "/"}  # fmt: skip
            results[n] = run_group(url, concurrency, folder / f"runs{n}", ranges, warehouse)
            results[n]["works"] = works_in(warehouse)
            assert results[n]["works"] == expected_works, (n, results[n])
            print(f"  lake, {n} run(s) at once: {results[n]}", flush=True)
        attach = connect_seconds(warehouse["AITOEARN_DUCKDB_PATH"])
    file_wall = file_run["wall_seconds"]
    rows = [
        (f"ingest on DuckLake, {n} run(s) at once ({', '.join(f'`{r}`' for r in SPLITS[n])}), start-up included",
         f"{r['wall_seconds']:.1f} s ({file_wall / r['wall_seconds']:.2f}x the file's speed), "
         f"{r['cpu_seconds']:.1f} CPU s, {r['commit_retries']} commit(s) run again", "")
        for n, r in results.items()
    ]  # fmt: skip
    rows.append(("ingest into a DuckDB file, 1 run (the same command, the same sandbox)", f"{file_wall:.1f} s", ""))
    rows.append(("a new session on the lake: the two extensions loaded from their wheels + ATTACH (median of 5)",
                 f"{attach * 1000:.0f} ms", ""))  # fmt: skip
    return rows
