"""The daily refresh: every platform partition of `raw_works` (one run, or with AITOEARN_SCHEDULE_FAN_OUT=1
one run per platform: lake mode, where runs write at once), and the account listing. `work_metrics` and the
analytics follow through their automation condition (policies.py)."""

import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg

from aitoearn_assets.defs.jobs import accounts_job, raw_works_job
from aitoearn_assets.defs.partitions import platform_partitions

DEFAULT_CRON = "0 3 * * *"
PARTITION_RANGE_START = "dagster/asset_partition_range_start"
PARTITION_RANGE_END = "dagster/asset_partition_range_end"
DEFAULT_TIMEZONE = "Asia/Shanghai"
FAN_OUT_VARIABLE = "AITOEARN_SCHEDULE_FAN_OUT"


def daily_cron() -> tuple[str, str]:
    """(cron, timezone) from AITOEARN_SCHEDULE_CRON / AITOEARN_SCHEDULE_TIMEZONE, or 03:00 Shanghai."""
    return (
        os.environ.get("AITOEARN_SCHEDULE_CRON", DEFAULT_CRON),
        os.environ.get("AITOEARN_SCHEDULE_TIMEZONE", DEFAULT_TIMEZONE),
    )


REPORT_TIMEZONE_VARIABLE = "AITOEARN_REPORT_TIMEZONE"


def report_timezone() -> str:
    """The timezone posting times are read in: AITOEARN_REPORT_TIMEZONE, else the schedule's (an IANA name)."""
    name = os.environ.get(REPORT_TIMEZONE_VARIABLE, "").strip() or daily_cron()[1]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{REPORT_TIMEZONE_VARIABLE}={name!r} is not an IANA timezone (e.g. Asia/Shanghai)") from None
    return name


def fan_out_from_env() -> bool:
    """AITOEARN_SCHEDULE_FAN_OUT=1: one run per platform (for a lake; a DuckDB file takes one writer at a time)."""
    return os.environ.get(FAN_OUT_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def build_daily_schedules(cron: str, timezone: str, fan_out: bool = False) -> list[dg.ScheduleDefinition]:
    @dg.schedule(
        name="daily_raw_works",
        job=raw_works_job,
        cron_schedule=cron,
        execution_timezone=timezone,
        description=(
            "Once a day, one run per platform of raw_works; work_metrics and the analytics follow (automation)."
            if fan_out
            else "Once a day, one run of every platform partition of raw_works; work_metrics and the analytics "
            "follow (automation)."
        ),
    )
    def daily_raw_works(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        keys = platform_partitions.get_partition_keys()
        if fan_out:  # the runs share nothing but the lake: the instance's queue and pool limits pace them
            return [dg.RunRequest(run_key=key, partition_key=key) for key in keys]
        return [
            dg.RunRequest(run_key="all-platforms", tags={PARTITION_RANGE_START: keys[0], PARTITION_RANGE_END: keys[-1]})
        ]

    daily_accounts = dg.ScheduleDefinition(
        name="daily_accounts",
        job=accounts_job,
        cron_schedule=cron,
        execution_timezone=timezone,
        description="Lists the key's accounts once a day.",
    )
    return [daily_raw_works, daily_accounts]


daily_raw_works, daily_accounts = build_daily_schedules(*daily_cron(), fan_out=fan_out_from_env())
