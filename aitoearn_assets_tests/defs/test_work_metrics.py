"""`work_metrics` through Dagster over real HTTP: coverage, budget and backlog, and what the analytics gain."""

from __future__ import annotations

import dagster as dg

from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.defs.assets.engagement import account_engagement, top_works
from aitoearn_assets.defs.assets.work_metrics import work_metrics
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START

from .helpers import materialize_platforms, resources, table

LISTING_PLATFORMS = {"KWAI", "youtube", "twitter", "tiktok", "facebook", "instagram", "threads", "pinterest"}
ALL = {PARTITION_RANGE_START: "douyin", PARTITION_RANGE_END: "google_business"}


def enrich(aitoearn, db_path, platform: str | None = None, **config) -> dg.ExecuteInProcessResult:
    run = {"partition_key": platform} if platform else {"tags": ALL}
    return dg.materialize(
        [work_metrics], resources=resources(aitoearn, db_path), run_config={"ops": {"work_metrics": {"config": config}}},
        raise_on_error=False, **run,
    )  # fmt: skip


def metadata(result: dg.ExecuteInProcessResult) -> dict:
    (event,) = result.asset_materializations_for_node("work_metrics")
    return {k: v.value for k, v in event.metadata.items()}


def test_every_platform_that_lists_works_gets_an_engagement_rate(aitoearn, db_path):
    assert materialize_platforms(aitoearn, db_path, "douyin", "google_business").success
    assert enrich(aitoearn, db_path).success
    assert dg.materialize([accounts, account_engagement, top_works], resources=resources(aitoearn, db_path)).success

    rated = dict(table(db_path, "SELECT platform, count(engagement_rate) FROM account_engagement GROUP BY 1"))
    # with the list alone: tiktok, KWAI and twitter only; bilibili's works come from publish records
    assert {p for p, n in rated.items() if n == 2} == LISTING_PLATFORMS | {"bilibili"}
    assert {p for p, n in rated.items() if n == 0} == {"douyin", "xhs", "wxSph", "wxGzh", "linkedin", "google_business"}
    sources = dict(table(db_path, "SELECT platform, any_value(metrics_source) FROM work_engagement GROUP BY 1"))
    assert (
        sources["tiktok"] == "list" and sources["youtube"] == "analytics" and sources["instagram"] == "list+analytics"
    )
    assert table(db_path, "SELECT count(*) FROM raw_works WHERE platform = 'youtube' AND url IS NOT NULL") == [(0,)]
    (url,) = table(db_path, "SELECT url FROM top_works WHERE platform = 'youtube' LIMIT 1")[0]
    assert url.startswith("https://www.youtube.com/watch?v=yo")
    # tiktok, KWAI and twitter lists report exposure and interactions: their works are never asked
    asked = dict(table(db_path, "SELECT platform, count(*) FROM work_metrics GROUP BY 1"))
    not_supported = {p: asked.pop(p) for p in ("douyin", "xhs")}
    assert asked == {"youtube": 60, "facebook": 60, "instagram": 60, "threads": 60, "pinterest": 60, "bilibili": 14}
    assert all(1 <= n <= aitoearn.max_concurrency for n in not_supported.values())  # only those already in flight
    # douyin and xhs: /platforms says analytics.work, the endpoint says not supported; one request tells
    assert table(db_path, "SELECT DISTINCT status, reason FROM work_metrics WHERE platform IN ('douyin', 'xhs')") == [
        ("not_supported", "Work analytics not supported")
    ]


def test_a_second_run_within_min_age_asks_nothing(aitoearn, db_path, sandbox):
    materialize_platforms(aitoearn, db_path, "youtube", "youtube")
    assert metadata(enrich(aitoearn, db_path, "youtube"))["works_asked"] == 60
    before = sandbox.requests
    again = metadata(enrich(aitoearn, db_path, "youtube"))
    assert again["works_asked"] == 0 and again["backlog_left"] == 0
    assert sandbox.requests - before == 1  # /platforms only


def test_a_budget_asks_exactly_that_many_and_the_next_run_continues(aitoearn, db_path, sandbox):
    materialize_platforms(aitoearn, db_path, "threads", "threads")
    first = metadata(enrich(aitoearn, db_path, "threads", max_requests=25))
    assert (first["works_asked"], first["works_with_data"], first["skipped_by_budget"], first["backlog_left"]) == (
        25,
        25,
        35,
        35,
    )
    analytics_calls = [t for t in sandbox.seen if t.endswith("/analytics") or "/analytics?" in t]
    assert len(analytics_calls) == 25
    second = metadata(enrich(aitoearn, db_path, "threads", max_requests=25))
    assert (second["works_asked"], second["backlog_left"]) == (25, 10)
    third = metadata(enrich(aitoearn, db_path, "threads", max_requests=25))
    assert (third["works_asked"], third["backlog_left"]) == (10, 0)
    assert table(db_path, "SELECT count(DISTINCT platform_work_id), count(*) FROM work_metrics") == [(60, 60)]


def test_not_supported_and_per_work_errors_are_recorded_and_not_failures(aitoearn, db_path, sandbox):
    from aitoearn_assets.sandbox import SandboxDataset

    materialize_platforms(aitoearn, db_path, "facebook", "facebook")
    gone = sandbox.dataset.work_id("facebook", 0, 2)
    sandbox.dataset = SandboxDataset(deleted_works=frozenset({gone}))
    result = enrich(aitoearn, db_path, "facebook")
    assert result.success and metadata(result)["works_with_error"] == 1
    assert table(db_path, f"SELECT status, reason FROM work_metrics WHERE platform_work_id = '{gone}'") == [
        ("error", "code 15070: facebook platform API request failed")
    ]


def test_a_401_fails_the_run_at_once(aitoearn, db_path, sandbox):
    materialize_platforms(aitoearn, db_path, "youtube", "youtube")
    sandbox.faults.add("unauthorized", times=None, path_contains="/analytics")
    result = enrich(aitoearn, db_path, "youtube")
    assert not result.success and "AITOEARN_API_KEY" in str(
        result.get_step_failure_events()[-1].event_specific_data.error
    )
    assert table(db_path, "SELECT count(*) FROM work_metrics") == [(0,)]
