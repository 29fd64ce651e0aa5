"""Dagster's own floor under the ingest benchmark: one asset on the same 15 platform partitions, one run for
the range, the same executor, that does nothing. Through the command raw_works is measured with
(`dagster asset materialize --partition-range ...`, the same instance settings) it costs what any asset
pays there before and after its own work: the interpreter, Dagster's import, the instance, the run and its
events.

usage: dagster asset materialize -f benchmarks/floor_defs.py --select nothing --partition-range douyin...google_business
"""

import dagster as dg

from aitoearn_assets.defs.partitions import platform_partitions


@dg.asset(partitions_def=platform_partitions, backfill_policy=dg.BackfillPolicy.single_run())
def nothing() -> None:
    """Does nothing."""


defs = dg.Definitions(assets=[nothing], executor=dg.in_process_executor)
