"""`python -m aitoearn_assets refresh`: the daily job, run from a terminal.

Lists the accounts, fetches every platform partition of `raw_works` in one run, asks the per-work
analytics that are due (`work_metrics`), then computes `account_engagement` and `top_works`. Prints one line per platform as it lands and a summary
table; `--verbose` shows Dagster's own event log instead. Every run is recorded in the Dagster
instance at $DAGSTER_HOME, so `dagster dev` shows them after.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb

from aitoearn_assets.api.platforms import PLATFORMS
from aitoearn_assets.defs.resources.warehouse import duckdb_path_from_env
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START
from aitoearn_assets.report.engagement_report import report_path
from aitoearn_assets.warehouse.publish import analyst_copy_path

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
SUMMARY_COLUMNS = ("platform", "status", "accounts", "skipped", "failed", "works", "requests", "retries", "seconds")


def contiguous_ranges(platforms: list[str]) -> list[tuple[str, str]]:
    """The chosen platforms as (first, last) ranges of consecutive partition keys."""
    chosen = sorted(set(platforms), key=PLATFORMS.index)
    ranges: list[list[str]] = []
    for platform in chosen:
        if ranges and PLATFORMS.index(platform) == PLATFORMS.index(ranges[-1][-1]) + 1:
            ranges[-1].append(platform)
        else:
            ranges.append([platform])
    return [(r[0], r[-1]) for r in ranges]


class _Runner:
    def __init__(self, instance: dg.DagsterInstance, verbose: bool) -> None:
        from aitoearn_assets.definitions import defs

        self.defs = defs
        self.instance = instance
        self.run_config = {} if verbose else QUIET
        self.run_ids: list[str] = []

    def run(self, job_name: str, **kwargs: object) -> bool:
        job = self.defs.resolve_job_def(job_name)
        result = job.execute_in_process(
            instance=self.instance,
            raise_on_error=False,
            run_config=self.run_config,
            **kwargs,  # type: ignore[arg-type]
        )
        self.run_ids.append(result.run_id)
        if not result.success:
            for event in result.get_step_failure_events():
                error = event.event_specific_data.error  # type: ignore[union-attr]
                print(f"  {event.step_key} failed: {error.message.strip() if error else 'see the run log'}", flush=True)
        return result.success


def refresh(platforms: list[str], instance: dg.DagsterInstance, verbose: bool = False) -> list[str]:
    """Run the daily job; returns what failed (empty: all good)."""
    runner = _Runner(instance, verbose)
    failed = [] if runner.run("accounts_job") else ["accounts"]
    for job, asset in (("raw_works_job", "raw_works"), ("work_metrics_job", "work_metrics")):
        for first, last in contiguous_ranges(platforms):
            tags = {PARTITION_RANGE_START: first, PARTITION_RANGE_END: last}
            if not runner.run(job, tags=tags):
                failed.append(f"{asset}[{first}...{last}]" if first != last else f"{asset}[{first}]")
    if not runner.run("analytics_job"):
        failed.append("analytics")
    print_summary(runner.run_ids)
    return failed


def print_summary(run_ids: list[str], database: str | None = None) -> None:
    """One row per platform fetched by these runs, from `ingest_runs` in the analyst copy."""
    path = analyst_copy_path(database or duckdb_path_from_env())
    try:
        with duckdb.connect(path, read_only=True) as con:
            rows = con.execute(
                """
                SELECT platform, status, len(accounts_fetched), len(accounts_skipped), len(accounts_failed),
                       works_written, requests, retries, round(seconds, 1)
                FROM ingest_runs WHERE list_contains(?, run_id)
                QUALIFY row_number() OVER (PARTITION BY platform ORDER BY fetched_at DESC, recorded_at DESC) = 1
                """,
                [run_ids],
            ).fetchall()
    except duckdb.Error as err:
        print(f"(no summary: {err})")
        return
    rows.sort(key=lambda r: PLATFORMS.index(r[0]) if r[0] in PLATFORMS else 99)
    table = [SUMMARY_COLUMNS, *[tuple(str(v) for v in row) for row in rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(SUMMARY_COLUMNS))]
    print()
    for n, row in enumerate(table):
        print(
            "  ".join(
                cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\nWarehouse for analysts: {path}")
    report = report_path(database or duckdb_path_from_env())
    if Path(report).exists():
        print(f"Report: {Path(report).resolve()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aitoearn_assets", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("refresh", help="accounts, every raw_works partition, then the analytics tables")
    cmd.add_argument(
        "--platform", action="append", choices=PLATFORMS, help="only these platforms (repeatable); default: all 15"
    )
    cmd.add_argument("--verbose", action="store_true", help="print Dagster's event log instead of progress lines")
    args = parser.parse_args(argv)

    progress = logging.getLogger("aitoearn_assets.progress")
    if not args.verbose:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        progress.addHandler(handler)
        progress.setLevel(logging.INFO)
        progress.propagate = False
    started = time.monotonic()
    with dg.DagsterInstance.get() as instance:
        failed = refresh(args.platform or list(PLATFORMS), instance, verbose=args.verbose)
    took = time.monotonic() - started
    if failed:
        print(
            f"Failed: {', '.join(failed)} ({took:.1f} s). The warehouse keeps its previous data for those; "
            "see the run logs in `make ui`.",
            file=sys.stderr,
        )
        return 1
    print(f"Refresh complete in {took:.1f} s.")
    return 0
