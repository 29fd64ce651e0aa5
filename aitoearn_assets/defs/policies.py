"""How the assets run: the writer pool, step retries, freshness, and when the daily automation requests them."""

from __future__ import annotations

import os
from datetime import timedelta

import dagster as dg

from aitoearn_assets.defs.schedules import daily_cron

#: One DuckDB writer at a time (DuckDB allows one read-write process per file); the limit is in dagster.yaml.
WRITER_POOL = "duckdb_writer"

#: Seconds Dagster waits before retrying a failed ingest step (transient failures only; doubles each try).
RETRY_DELAY_SECONDS = float(os.environ.get("AITOEARN_RETRY_DELAY_SECONDS", "60"))

INGEST_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=RETRY_DELAY_SECONDS, backoff=dg.Backoff.EXPONENTIAL)

#: A daily pipeline is late once a day and two hours have passed without a success.
FRESHNESS_WINDOW = timedelta(hours=26)
DAILY_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=FRESHNESS_WINDOW)


def after_daily_ingest(cron: str, timezone: str) -> dg.AutomationCondition:
    """Once per cron tick, when every upstream partition has finished since the tick.

    "Finished" is landed (materialized since the tick) or failed (its latest run failed and none
    is under way), so one platform whose API is down does not hold back the others' numbers.
    The stock `on_cron` fires as soon as *any* partition lands, hence this condition.
    """
    tick = dg.AutomationCondition.cron_tick_passed(cron, timezone)
    landed = dg.AutomationCondition.newly_updated().since(tick)
    failed = dg.AutomationCondition.execution_failed() & ~dg.AutomationCondition.in_progress()
    finished = landed | failed | dg.AutomationCondition.will_be_requested()
    return (tick.since_last_handled() & ~dg.AutomationCondition.any_deps_match(~finished)).with_label(
        "after every upstream partition finished since the daily tick"
    )


#: work_metrics (each platform after its raw_works), then the analytics (after every platform).
DAILY_AFTER_INGEST = after_daily_ingest(*daily_cron())
