"""`python -m aitoearn_assets refresh`: the main job, run from a terminal.

Lists the accounts, materializes every platform partition of `raw_works` (one run each, so one
platform's failure does not stop the others), then `account_engagement` and `top_works`. Every
run is recorded in the Dagster instance at $DAGSTER_HOME, so `dagster dev` shows them after.
"""

from __future__ import annotations

import argparse
import sys

import dagster as dg

from aitoearn_assets.defs.partitions import platform_partitions


def refresh(platforms: list[str], instance: dg.DagsterInstance) -> list[str]:
    """Run the main job; returns the platforms whose run failed (empty: all good)."""
    from aitoearn_assets.definitions import defs

    def run(job_name: str, **kwargs: object) -> bool:
        job = defs.resolve_job_def(job_name)
        result = job.execute_in_process(instance=instance, raise_on_error=False, **kwargs)  # type: ignore[arg-type]
        return result.success

    failed = [] if run("accounts_job") else ["accounts"]
    for platform in platforms:
        ok = run("raw_works_job", partition_key=platform)
        print(f"raw_works[{platform}]: {'ok' if ok else 'FAILED'}", flush=True)
        if not ok:
            failed.append(platform)
    if not run("analytics_job"):
        failed.append("analytics")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aitoearn_assets", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("refresh", help="accounts, every raw_works partition, then the analytics tables")
    cmd.add_argument(
        "--platform",
        action="append",
        choices=platform_partitions.get_partition_keys(),
        help="only these platforms (repeatable); default: all 15",
    )
    args = parser.parse_args(argv)
    platforms = args.platform or platform_partitions.get_partition_keys()
    with dg.DagsterInstance.get() as instance:
        failed = refresh(platforms, instance)
    if failed:
        print(
            f"Failed: {', '.join(failed)}. The warehouse keeps its previous data for those; see the run logs "
            "in `dagster dev`.",
            file=sys.stderr,
        )
        return 1
    print("Refresh complete.")
    return 0
