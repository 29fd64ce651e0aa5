"""The daily refresh: every platform partition of `raw_works` (one run), and the account listing."""

import os

import dagster as dg

from aitoearn_assets.defs.jobs import accounts_job, works_job
from aitoearn_assets.defs.partitions import platform_partitions

DEFAULT_CRON = "0 3 * * *"
PARTITION_RANGE_START = "dagster/asset_partition_range_start"
PARTITION_RANGE_END = "dagster/asset_partition_range_end"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def daily_cron() -> tuple[str, str]:
    """(cron, timezone) from AITOEARN_SCHEDULE_CRON / AITOEARN_SCHEDULE_TIMEZONE, or 03:00 Shanghai."""
    return (
        os.environ.get("AITOEARN_SCHEDULE_CRON", DEFAULT_CRON),
        os.environ.get("AITOEARN_SCHEDULE_TIMEZONE", DEFAULT_TIMEZONE),
    )


def build_daily_schedules(cron: str, timezone: str) -> list[dg.ScheduleDefinition]:
    @dg.schedule(
        name="daily_raw_works",
        job=works_job,
        cron_schedule=cron,
        execution_timezone=timezone,
        description="Once a day, one run: every platform partition of raw_works, then of work_metrics.",
    )
    def daily_raw_works(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        keys = platform_partitions.get_partition_keys()
        return dg.RunRequest(
            run_key="all-platforms",
            tags={PARTITION_RANGE_START: keys[0], PARTITION_RANGE_END: keys[-1]},
        )

    daily_accounts = dg.ScheduleDefinition(
        name="daily_accounts",
        job=accounts_job,
        cron_schedule=cron,
        execution_timezone=timezone,
        description="Lists the key's accounts once a day.",
    )
    return [daily_raw_works, daily_accounts]


daily_raw_works, daily_accounts = build_daily_schedules(*daily_cron())
