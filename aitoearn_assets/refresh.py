"""`python -m aitoearn_assets refresh`: the daily job, run from a terminal.

Lists the accounts, fetches every platform partition of `raw_works` in one run and asks the per-work
analytics that are due (`work_metrics`) in the next, then computes the analytics tables and the report. Prints
one line per platform as it lands and a summary of the whole job; `--verbose` shows Dagster's own
event log instead; `-c run.yaml` takes run config as the Dagster CLI does. Every run is recorded in
the Dagster instance at $DAGSTER_HOME with its code location, so the UI shows it and can re-execute it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import yaml
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.events import DagsterEventType
from dagster._core.execution.api import execute_run
from dagster._core.remote_origin import InProcessCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

from aitoearn_assets.api.platforms import PLATFORMS
from aitoearn_assets.defs.resources.warehouse import location_from_env
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START
from aitoearn_assets.warehouse.location import LocationError, WarehouseLocation

MODULE = "aitoearn_assets.definitions"
#: The code location's name, the same whatever starts it (pyproject [tool.dg.project], workspace.yaml).
LOCATION = "aitoearn_assets"
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
ANALYTICS_TABLES = (
    "account_engagement", "top_works", "work_growth", "account_growth", "posting_times", "content_type_engagement",
    "hashtag_engagement", "work_age_metrics", "work_breakouts", "account_benchmarks",
)  # fmt: skip


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


def merged(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """`extra` laid over `base`, nested mappings merged."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            merged(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) else value
        )
    return out


class _Runner:
    """Runs jobs of the code location in this process, recorded with their origin (the UI re-executes them)."""

    def __init__(self, instance: dg.DagsterInstance, run_config: Mapping[str, Any]) -> None:
        self.instance = instance
        self.run_config = run_config
        self.repository = ReconstructableRepository.for_module(MODULE, "defs", working_directory=os.getcwd())
        self.run_ids: list[str] = []

    def run(self, job_name: str, tags: Mapping[str, str] | None = None) -> bool:
        job = self.repository.get_reconstructable_job(job_name)
        definition = job.get_definition()
        nodes = set(definition.graph.node_dict)
        config = dict(self.run_config)
        if "ops" in config:  # each job takes the config of its own assets only
            config["ops"] = {name: c for name, c in config["ops"].items() if name in nodes}
        origin = RemoteJobOrigin(
            RemoteRepositoryOrigin(
                InProcessCodeLocationOrigin(
                    LoadableTargetOrigin(
                        executable_path=sys.executable, module_name=MODULE, working_directory=os.getcwd()
                    ),
                    location_name=LOCATION,
                ),
                "__repository__",
            ),
            job_name,
        )
        run = self.instance.create_run_for_job(
            job_def=definition, run_config=config, tags=dict(tags or {}), remote_job_origin=origin,
            job_code_origin=job.get_python_origin(),
        )  # fmt: skip
        self.run_ids.append(run.run_id)
        result = execute_run(job, run, self.instance)
        if not result.success:
            for event in result.all_events:
                if event.event_type == DagsterEventType.STEP_FAILURE:
                    error = event.event_specific_data.error  # type: ignore[union-attr]
                    print(f"  {event.step_key} failed: {error.message.strip() if error else 'see the run log'}")
        return result.success


def refresh(
    platforms: list[str], instance: dg.DagsterInstance, verbose: bool = False, run_config: Mapping[str, Any] = ()
) -> list[str]:
    """Run the daily job; returns what failed (empty: all good)."""
    runner = _Runner(instance, merged({} if verbose else QUIET, dict(run_config or {})))
    failed = [] if runner.run("accounts_job") else ["accounts"]
    for job in ("raw_works_job", "work_metrics_job"):  # separate runs: a failed listing never skips the analytics
        for first, last in contiguous_ranges(platforms):
            if not runner.run(job, {PARTITION_RANGE_START: first, PARTITION_RANGE_END: last}):
                asset = job.removesuffix("_job")
                failed.append(f"{asset}[{first}...{last}]" if first != last else f"{asset}[{first}]")
    if not runner.run("analytics_job"):
        failed.append("analytics")
    print_summary(instance, runner.run_ids)
    return failed


def _table(rows: list[tuple], header: tuple[str, ...], left: int = 2) -> list[str]:
    cells = [tuple(map(str, header)), *[tuple("" if v is None else str(v) for v in row) for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def print_summary(instance: dg.DagsterInstance, run_ids: list[str], location: WarehouseLocation | None = None) -> None:
    """The whole job: per platform works and requests, the work analytics, the analytics tables, the checks
    (read as an analyst reads them: the published copy, or the lake read-only)."""
    location = location or location_from_env()
    try:
        with location.connect_read_only() as con:
            lines = _warehouse_summary(con, run_ids)
    except (duckdb.Error, RuntimeError) as err:
        lines = [f"(no summary of the warehouse: {err})"]
    print("\n" + "\n".join(lines))
    print("\n" + _checks_line(instance, run_ids))
    print(f"\nWarehouse for analysts: {location.analyst_target}  (open it with `make sql`)")
    try:
        report = Path(location.report_path)
    except LocationError:
        return
    if report.exists():
        print(f"Report: {report}")


def _ordered(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda r: PLATFORMS.index(r[0]) if r[0] in PLATFORMS else 99)


def _warehouse_summary(con: duckdb.DuckDBPyConnection, run_ids: list[str]) -> list[str]:
    works = con.execute(
        """
        SELECT platform, status, len(accounts_fetched), len(accounts_skipped), len(accounts_failed),
               len(coalesce(accounts_partial, [])), works_written, requests, retries, round(seconds, 1)
        FROM ingest_runs WHERE list_contains(?, run_id)
        QUALIFY row_number() OVER (PARTITION BY platform ORDER BY recorded_at DESC NULLS LAST, fetched_at DESC) = 1
        """,
        [run_ids],
    ).fetchall()
    analytics = con.execute(
        """
        SELECT platform, status, works_asked, works_with_data, works_no_data, works_not_supported, works_with_error,
               backlog_left, requests, coalesce(error, '')
        FROM analytics_runs WHERE list_contains(?, run_id) AND (works_asked > 0 OR status = 'failed')
        QUALIFY row_number() OVER (PARTITION BY platform ORDER BY recorded_at DESC NULLS LAST, fetched_at DESC) = 1
        """,
        [run_ids],
    ).fetchall()
    lines = ["Works"]
    lines += _table(_ordered(works), ("platform", "status", "accounts", "skipped", "failed", "partial", "works",
                                      "requests", "retries", "seconds"))  # fmt: skip
    lines += ["", "Work analytics (platforms asked this run)"]
    lines += _table(_ordered(analytics), ("platform", "status", "asked", "with data", "no data", "not supported",
                                          "errors", "backlog left", "requests", "why it failed"))  # fmt: skip
    counts = []
    for name in ANALYTICS_TABLES:
        try:
            (n,) = con.execute(f"SELECT count(*) FROM {name}").fetchone()  # type: ignore[misc]
        except duckdb.CatalogException:
            n = "not built"
        counts.append(f"{name} {n:,}" if isinstance(n, int) else f"{name} {n}")
    lines += ["", "Analytics tables (rows): " + ", ".join(counts)]
    return lines


def _checks_line(instance: dg.DagsterInstance, run_ids: list[str]) -> str:
    """Checks passed, warned and failed in these runs, naming those that did not pass."""
    latest: dict[str, Any] = {}
    for run_id in run_ids:
        for record in instance.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records:
            evaluation = record.event_log_entry.dagster_event.event_specific_data  # type: ignore[union-attr]
            latest[evaluation.check_name] = evaluation
    warned = sorted(n for n, e in latest.items() if not e.passed and e.severity == dg.AssetCheckSeverity.WARN)
    failed = sorted(n for n, e in latest.items() if not e.passed and e.severity != dg.AssetCheckSeverity.WARN)
    line = f"Checks: {len(latest) - len(warned) - len(failed)} passed, {len(warned)} warned, {len(failed)} failed"
    details = [f"warned: {', '.join(warned)}" if warned else "", f"failed: {', '.join(failed)}" if failed else ""]
    return line + "".join(f"; {d}" for d in details if d)


def _run_config(files: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for name in files:
        loaded = yaml.safe_load(Path(name).read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, Mapping):
            raise SystemExit(f"{name}: run config must be a YAML mapping (resources:, ops:), as for `dagster ... -c`")
        config = merged(config, loaded)
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aitoearn_assets", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("refresh", help="accounts, every raw_works partition, then the analytics tables")
    cmd.add_argument(
        "--platform", action="append", choices=PLATFORMS, help="only these platforms (repeatable); default: all 15"
    )
    cmd.add_argument("--verbose", action="store_true", help="print Dagster's event log instead of progress lines")
    cmd.add_argument(
        "-c", "--config", action="append", default=[], metavar="RUN_YAML",
        help="run config file (repeatable), as `dagster asset materialize -c`: resources: aitoearn: config: ...",
    )  # fmt: skip
    sub.add_parser("sql", help="open the analysts' warehouse in the duckdb CLI, read-only")
    args = parser.parse_args(argv)
    if args.command == "sql":
        from aitoearn_assets.analyst import open_cli

        return open_cli()

    progress = logging.getLogger("aitoearn_assets.progress")
    if not args.verbose:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        progress.addHandler(handler)
        progress.setLevel(logging.INFO)
        progress.propagate = False
    started = time.monotonic()
    with dg.DagsterInstance.get() as instance:
        failed = refresh(args.platform or list(PLATFORMS), instance, args.verbose, _run_config(args.config))
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
