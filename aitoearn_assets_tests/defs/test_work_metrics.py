"""`work_metrics` through Dagster over real HTTP: coverage, budget and backlog, and what the analytics gain."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import dagster as dg
import duckdb

from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.defs.assets.engagement import account_engagement, top_works
from aitoearn_assets.defs.assets.work_metrics import work_metrics
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START
from aitoearn_assets.warehouse.work_metrics import AnalyticsSchedule, due_works

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
    runs = dict(table(db_path, "SELECT platform, works_with_data FROM analytics_runs WHERE status = 'ok'"))
    assert runs["youtube"] == 60 and runs["douyin"] == 0  # every platform asked leaves its record


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
    gone = sandbox.dataset.work_id("facebook", 0, sandbox.dataset.listed_seq("facebook", 0, 2))
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


# -- nothing lost: a good run, then a bad answer ------------------------------------------------


def engagement(db_path, platform: str) -> list[tuple]:
    return table(
        db_path,
        "SELECT platform_work_id, view_count, like_count, engagement_rate FROM work_engagement "
        f"WHERE platform = '{platform}' ORDER BY ALL",
    )


def test_a_spent_quota_keeps_the_last_good_values_and_fails_the_platform(aitoearn, db_path, sandbox, monkeypatch):
    """Day 1 good; day 2 YouTube's analytics answer 15070 `quota` after a few answers: every work keeps its
    day-1 values (work_engagement, the day's snapshot), the attempt is not even recorded for the unanswered
    ones, and the run is red naming youtube and the quota."""
    materialize_platforms(aitoearn, db_path, "youtube", "youtube")
    assert enrich(aitoearn, db_path, "youtube").success
    before = engagement(db_path, "youtube")
    assert all(views is not None for _, views, _, _ in before)

    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-02T00:00:00")  # day 2: every work is due again
    assert materialize_platforms(aitoearn, db_path, "youtube", "youtube").success
    sandbox.faults.add("quota_15070", times=None, path_contains="/analytics", skip=5)
    result = enrich(aitoearn, db_path, "youtube", min_age_hours=1)

    assert not result.success
    error = str(result.get_step_failure_events()[-1].event_specific_data.error)
    assert "work_metrics failed for youtube" in error and "quota" in error
    assert engagement(db_path, "youtube") == before  # nothing blanked: the values are day 1's or fresher
    assert table(db_path, "SELECT count(*), count(view_count) FROM work_metrics WHERE platform = 'youtube'") == [
        (60, 60)
    ]
    assert table(
        db_path, "SELECT count(*), count(view_count) FROM work_snapshots WHERE snapshot_date = DATE '2026-11-02'"
    ) == [(60, 60)]  # fmt: skip
    ((status, error_text),) = table(
        db_path, "SELECT status, error FROM analytics_runs ORDER BY recorded_at DESC LIMIT 1"
    )
    assert status == "failed" and "quota" in error_text


def test_an_error_answer_is_recorded_beside_the_values_not_over_them(aitoearn, db_path, sandbox, monkeypatch):
    from aitoearn_assets.sandbox import SandboxDataset

    materialize_platforms(aitoearn, db_path, "threads", "threads")
    assert enrich(aitoearn, db_path, "threads").success
    gone = sandbox.dataset.work_id("threads", 1, sandbox.dataset.listed_seq("threads", 1, 3))
    ((views,),) = table(db_path, f"SELECT view_count FROM work_metrics WHERE platform_work_id = '{gone}'")
    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-02T00:00:00")
    sandbox.dataset = SandboxDataset(deleted_works=frozenset({gone}))
    assert enrich(aitoearn, db_path, "threads", min_age_hours=1).success
    assert table(db_path, f"SELECT status, reason, view_count, observed_on FROM work_metrics WHERE platform_work_id = '{gone}'") == [
        ("error", "code 15070: threads platform API request failed", views, date(2026, 11, 1))
    ]  # fmt: skip
    assert table(db_path, f"SELECT view_count FROM work_engagement WHERE platform_work_id = '{gone}'") == [(views,)]


def test_one_work_with_no_data_yet_does_not_stop_the_platform(aitoearn, db_path, sandbox):
    """The newest Threads works answer code 0 with no snapshots: no data yet for them, the rest is asked."""
    from aitoearn_assets.sandbox import SandboxDataset

    sandbox.dataset = SandboxDataset(no_data_hours=40)
    materialize_platforms(aitoearn, db_path, "threads", "threads")
    meta = metadata(enrich(aitoearn, db_path, "threads"))
    young = sum(
        1 for j in range(2) for i in range(30)
        if datetime(2026, 11, 1) - sandbox.dataset.published_at("threads", j, sandbox.dataset.listed_seq("threads", j, i))
        < timedelta(hours=40)
    )  # fmt: skip
    assert 1 <= young < 60
    assert (meta["works_no_data"], meta["works_with_data"], meta["works_not_asked"]) == (young, 60 - young, 0)
    assert table(db_path, "SELECT count(*) FROM work_metrics WHERE status = 'no_data' AND observed_on IS NULL") == [
        (young,)
    ]


def test_a_share_of_the_budget_refreshes_recent_works_despite_a_never_asked_backlog(
    aitoearn, db_path, sandbox, monkeypatch
):
    """100 works asked once; then 300 older works appear (never asked) while the 100 recent ones are due:
    a quarter of the budget still goes to them, the longest waiting first."""
    from aitoearn_assets.sandbox import SandboxDataset

    sandbox.dataset = SandboxDataset(accounts_per_platform=1, works_per_account=100)
    materialize_platforms(aitoearn, db_path, "youtube", "youtube")
    assert metadata(enrich(aitoearn, db_path, "youtube"))["works_asked"] == 100
    sandbox.dataset = SandboxDataset(accounts_per_platform=1, works_per_account=100,
                                     works_overrides={sandbox.dataset.account_id("youtube", 0): 400})  # fmt: skip
    # the account's listing grew backwards in time: 300 older works never asked
    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-02T00:00:00")
    assert materialize_platforms(aitoearn, db_path, "youtube", "youtube").success
    asked_before = {w for (w,) in table(db_path, "SELECT platform_work_id FROM work_metrics")}
    with duckdb.connect(db_path, read_only=True) as con:  # the reserved share is asked first, before the backlog
        order = due_works(con, "youtube", datetime(2026, 11, 2), AnalyticsSchedule(100_000, 1, 7, 40, 0.25)).works
    assert [w in asked_before for _, w, _ in order] == [True] * 10 + [False] * 30
    meta = metadata(enrich(aitoearn, db_path, "youtube", max_requests=40, recent_share=0.25, min_age_hours=1,
                           recent_days=100_000))  # every work counts as recent here  # fmt: skip
    assert (meta["works_asked"], meta["works_due"]) == (40, 400)
    again = {
        w
        for (w,) in table(
            db_path, "SELECT platform_work_id FROM work_metrics WHERE fetched_at >= TIMESTAMP '2026-11-02'"
        )
    }
    assert len(again & asked_before) == 10 and len(again - asked_before) == 30  # 25 % kept for the recent works
