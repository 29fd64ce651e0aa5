"""The daily schedule requests every platform; the analytics wait for all of them to finish."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from aitoearn_assets.api.platforms import PLATFORMS
from aitoearn_assets.definitions import defs
from aitoearn_assets.defs.jobs import ANALYTICS_ASSETS, raw_works_job
from aitoearn_assets.defs.schedules import (
    DEFAULT_CRON,
    DEFAULT_TIMEZONE,
    PARTITION_RANGE_END,
    PARTITION_RANGE_START,
    build_daily_schedules,
)

from .helpers import materialize_platform


def test_daily_schedule_requests_every_platform_partition():
    schedule = defs.resolve_schedule_def("daily_raw_works")
    assert (schedule.cron_schedule, schedule.execution_timezone) == (DEFAULT_CRON, DEFAULT_TIMEZONE)
    at = dt.datetime(2026, 11, 29, 3, tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
    context = dg.build_schedule_context(scheduled_execution_time=at, repository_def=defs.get_repository_def())
    (request,) = schedule.evaluate_tick(context).run_requests or []  # one run for every platform
    assert request.tags[PARTITION_RANGE_START] == PLATFORMS[0] and request.tags[PARTITION_RANGE_END] == PLATFORMS[-1]
    assert defs.resolve_schedule_def("daily_accounts").cron_schedule == DEFAULT_CRON


def test_schedule_time_is_configurable():
    raw, accounts = build_daily_schedules("30 6 * * 1-5", "UTC")
    assert (raw.cron_schedule, raw.execution_timezone, accounts.cron_schedule) == (
        "30 6 * * 1-5",
        "UTC",
        "30 6 * * 1-5",
    )


def last_tick(now: dt.datetime) -> dt.datetime:
    tz = ZoneInfo(DEFAULT_TIMEZONE)
    tick = now.astimezone(tz).replace(hour=3, minute=0, second=0, microsecond=0)
    return tick if tick <= now else tick - dt.timedelta(days=1)


def evaluate(instance, at, cursor=None):
    return dg.evaluate_automation_conditions(defs=defs, instance=instance, evaluation_time=at, cursor=cursor)


def requested(result) -> set[str]:
    return {r.key.to_user_string() for r in result.results if r.true_subset.size}


@pytest.fixture
def before_tick():
    """An instance whose automation cursor was taken just before the latest daily tick."""
    instance = dg.DagsterInstance.ephemeral()
    now = dt.datetime.now(dt.UTC)
    first = evaluate(instance, last_tick(now) - dt.timedelta(minutes=5))
    assert first.total_requested == 0
    return instance, first.cursor, now


def test_analytics_run_once_after_every_partition_landed(before_tick):
    instance, cursor, now = before_tick
    instance.report_runless_asset_event(dg.AssetMaterialization("accounts"))
    for platform in PLATFORMS[:-1]:
        instance.report_runless_asset_event(dg.AssetMaterialization("raw_works", partition=platform))
        instance.report_runless_asset_event(dg.AssetMaterialization("work_metrics", partition=platform))
    partial = evaluate(instance, now + dt.timedelta(minutes=1), cursor)
    assert partial.total_requested == 0  # google_business has not finished yet

    instance.report_runless_asset_event(dg.AssetMaterialization("raw_works", partition=PLATFORMS[-1]))
    instance.report_runless_asset_event(dg.AssetMaterialization("work_metrics", partition=PLATFORMS[-1]))
    complete = evaluate(instance, now + dt.timedelta(minutes=2), partial.cursor)
    assert requested(complete) == set(ANALYTICS_ASSETS)  # the insights with them
    assert evaluate(instance, now + dt.timedelta(minutes=3), complete.cursor).total_requested == 0


def test_a_failed_platform_does_not_hold_back_the_analytics(before_tick, aitoearn, db_path, sandbox):
    instance, cursor, _now = before_tick
    instance.report_runless_asset_event(dg.AssetMaterialization("accounts"))
    for platform in PLATFORMS:
        instance.report_runless_asset_event(dg.AssetMaterialization("work_metrics", partition=platform))
        if platform != "KWAI":
            instance.report_runless_asset_event(dg.AssetMaterialization("raw_works", partition=platform))
    sandbox.faults.add("http_502", times=None)
    assert not materialize_platform(aitoearn, db_path, "KWAI", instance=instance).success

    result = evaluate(instance, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1), cursor)
    assert requested(result) == set(ANALYTICS_ASSETS)  # the insights with them


def test_fan_out_requests_one_run_per_platform():
    raw, _ = build_daily_schedules(DEFAULT_CRON, DEFAULT_TIMEZONE, fan_out=True)
    fanned = dg.Definitions(schedules=[raw], jobs=[raw_works_job], assets=defs.assets, resources=defs.resources)
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 11, 29, 3, tzinfo=dt.UTC), repository_def=fanned.get_repository_def()
    )
    requests = raw.evaluate_tick(context).run_requests or []
    assert [r.partition_key for r in requests] == list(PLATFORMS)
    assert len({r.run_key for r in requests}) == len(PLATFORMS)
    assert all(PARTITION_RANGE_START not in r.tags for r in requests)


def test_work_metrics_follow_each_platform_even_one_whose_listing_failed(before_tick, aitoearn, db_path, sandbox):
    """work_metrics runs apart from raw_works: requested for every platform whose raw_works finished since the
    tick, the failed one too (its stored works still have analytics due), and not for one still running."""
    instance, cursor, _now = before_tick
    for platform in PLATFORMS[:-1]:
        if platform != "KWAI":
            instance.report_runless_asset_event(dg.AssetMaterialization("raw_works", partition=platform))
    sandbox.faults.add("http_502", times=None)
    assert not materialize_platform(aitoearn, db_path, "KWAI", instance=instance).success
    result = evaluate(instance, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1), cursor)
    (metrics,) = [r for r in result.results if r.key == dg.AssetKey("work_metrics")]
    assert set(metrics.true_subset.expensively_compute_partition_keys()) == set(PLATFORMS[:-1])  # not the last
