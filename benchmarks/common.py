"""Shared benchmark plumbing: the sandbox server process, measuring a child process, the table."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aitoearn_assets.api.platforms import FALLBACK_WORKS_PAGING

HERE = Path(__file__).parent
LISTABLE = [p for p, paging in FALLBACK_WORKS_PAGING.items() if paging.can_list]
MAX_LIMIT = {p: FALLBACK_WORKS_PAGING[p].max_limit for p in LISTABLE}


#: Every contender's run config: the concurrency set, the politeness cap lifted.
RUN_CONFIG = """resources:
  aitoearn:
    config:
      max_concurrency: {concurrency}
      max_requests_per_second: null
"""


def dagster_home(folder: str | Path, concurrency: int) -> Path:
    """A new DAGSTER_HOME with the project's instance settings and `run.yaml`, its instance storage set up, as
    it is for every run but a user's very first (whose storage set-up, about 0.2 s of Dagster's, happens once
    per DAGSTER_HOME)."""
    import dagster as dg  # here, not at the top: the bare loop imports this module and never Dagster

    home = Path(folder)
    home.mkdir(parents=True)
    shutil.copy(HERE.parent / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    (home / "run.yaml").write_text(RUN_CONFIG.format(concurrency=concurrency))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs(limit=1)
    return home


def materialize_command(code: list[str], select: str, partitions: str, home: Path | None = None) -> list[str]:
    """`dagster asset materialize` of `code` (`-m module` or `-f file`), one partition or a `first...last`
    range, with `home`'s run.yaml when given."""
    chosen = ["--partition-range", partitions] if "..." in partitions else ["--partition", partitions]
    config = ["-c", str(home / "run.yaml")] if home else []
    return [str(Path(sys.executable).parent / "dagster"), "asset", "materialize", *code, "--select", select, *chosen,
            *config]  # fmt: skip


def free_port() -> int:
    """A free port on 127.0.0.1 for a server that cannot bind port 0 itself (Postgres, benchmarks/lake.py)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def sandbox_server(*options: str) -> Iterator[str]:
    """The sandbox API in its own process on 127.0.0.1 (answers cached after first use, a journal of the
    requests kept); `options` are its command line's (`python -m aitoearn_assets.sandbox --help`). Yields its URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "aitoearn_assets.sandbox", "--port", "0", "--cache-answers", "--journal", *options],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        banner = server.stdout.readline()  # printed once it listens, on the port it was given
        url = re.search(r"http://127\.0\.0\.1:\d+", banner)
        if url is None:
            raise RuntimeError(f"the sandbox did not start: {banner!r} (its error is above)")
        yield url.group(0)
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_measured(script: str, *args: str) -> dict:
    """Run `benchmarks/<script>` in a child process; returns its JSON result plus its cost."""
    wall, usage, stdout = _run([sys.executable, str(HERE / script), *args])
    result = json.loads(stdout.strip().splitlines()[-1])
    result.setdefault("wall_seconds", wall)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["peak_rss_mb"] = result.get("peak_rss_mb") or usage.ru_maxrss / 1024
    return result


def run_command_measured(command: list[str], env: dict[str, str]) -> dict:
    """Run a command (e.g. the dagster CLI) as users do, from the repository; its wall time, CPU time and peak
    RSS."""
    wall, usage, _ = _run(command, {**os.environ, **env}, HERE.parent)
    return {
        "wall_seconds": wall,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def _run(
    command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, resource.struct_rusage, str]:
    """Run `command`; its wall time, its resource use from `wait4` (its CPU and the largest resident set of
    it and the children it waited for: `RUSAGE_CHILDREN`'s peak is the largest of every child this process
    ever waited for, an earlier sandbox server's included) and its stdout. Raises when it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n{err.read().decode(errors='replace')[-4000:]}")
        out.seek(0)
        return wall, usage, out.read().decode()


def report(**values: object) -> None:
    """The last line a contender prints: its result as JSON."""
    values["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(values), flush=True)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def fetch_journal(url: str, path: str) -> list:
    """The sandbox server's journal of the requests answered since the last call (written to `path` too)."""
    import httpx

    entries = httpx.get(f"{url}/__sandbox/journal", timeout=60).json()
    Path(path).write_text(json.dumps(entries), encoding="utf-8")
    return entries
