"""Per-work analytics over real HTTP: what each kind of answer becomes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from aitoearn_assets.api.errors import AuthError
from aitoearn_assets.fetch.work_analytics import WorkToEnrich, analytics_window, fetch_work_analytics, read_analytics
from aitoearn_assets.sandbox import SANDBOX_API_KEY, SandboxDataset

RUN_DATE = date(2026, 11, 29)


def works_of(sandbox, platform: str, account: int, count: int) -> list[WorkToEnrich]:
    ds = sandbox.dataset
    return [
        WorkToEnrich(ds.account_id(platform, account), ds.work_id(platform, account, i), ds.published_at(account, i).replace(tzinfo=None))
        for i in range(count)
    ]  # fmt: skip


def test_youtube_answers_views_likes_comments(make_client, sandbox):
    result = fetch_work_analytics(make_client(), "youtube", works_of(sandbox, "youtube", 0, 3), RUN_DATE)
    assert [r.status for r in result.rows] == ["ok"] * 3
    metrics = result.rows[0].metrics
    assert {k for k, v in metrics.items() if v is not None} == {"view_count", "like_count", "comment_count"}
    assert result.rows[0].period_start_at is None and result.stats.requests == 3


def test_pinterest_sums_its_daily_series_over_the_window_asked(make_client, sandbox):
    (work,) = works_of(sandbox, "pinterest", 1, 1)
    result = fetch_work_analytics(make_client(), "pinterest", [work], RUN_DATE)
    (row,) = result.rows
    since, until = analytics_window(work.published_at, RUN_DATE)
    assert (
        (row.period_start_at, row.period_end_at) == (since, until) == (datetime(2026, 10, 31), datetime(2026, 11, 29))
    )
    # by hand: the sandbox's value of each day from the publish day to the run date, summed
    ds, h_days = sandbox.dataset, [datetime(2026, 10, 31, tzinfo=UTC) + timedelta(days=n) for n in range(30)]
    from aitoearn_assets.sandbox.dataset import ANALYTICS_METRICS, _mix, _platform_index

    h = _mix(ds.seed, _platform_index("pinterest"), 1, 0)
    daily = [ds.daily_metrics(h, ANALYTICS_METRICS["pinterest"], d) for d in h_days]
    assert row.metrics["impression_count"] == sum(d["impressionCount"] for d in daily)
    assert row.metrics["save_count"] == sum(d["saveCount"] for d in daily)
    assert row.metrics["view_count"] is None  # pinterest reports no views: NULL, not 0
    assert [d for d, _ in row.daily] == [d.date() for d in h_days]
    assert row.daily[3][1]["click_count"] == daily[3]["clickCount"]


def test_a_daily_window_is_at_most_90_days():
    assert analytics_window(datetime(2025, 1, 1), RUN_DATE) == (datetime(2026, 9, 1), datetime(2026, 11, 29))
    assert analytics_window(None, RUN_DATE)[0] == datetime(2026, 9, 1)


def test_not_supported_is_recorded_once_and_the_platform_is_not_asked_again(make_client, sandbox):
    result = fetch_work_analytics(
        make_client(), "douyin", works_of(sandbox, "douyin", 0, 5), RUN_DATE, max_concurrency=1
    )
    assert [(r.status, r.reason) for r in result.rows] == [("not_supported", "Work analytics not supported")]
    assert result.not_asked == 4 and result.stats.requests == 1


def test_an_unregistered_platform_is_not_supported(make_client, sandbox):
    result = fetch_work_analytics(make_client(), "wxSph", works_of(sandbox, "wxSph", 0, 1), RUN_DATE)
    assert result.rows[0].status == "not_supported" and "15032" in result.rows[0].reason


def test_account_required_and_empty_snapshots_are_no_data(server, sandbox):
    work = works_of(sandbox, "youtube", 0, 1)[0]
    with httpx.Client(base_url=server.base_url, headers={"X-Api-Key": SANDBOX_API_KEY}) as http:
        answer = http.get(f"/api/v2/channels/works/youtube/{work.platform_work_id}/analytics").json()
    assert answer["code"] == 0 and answer["data"]["message"] == "Account required"
    assert read_analytics(work, answer["data"], False, None, None).status == "not_supported"
    empty = read_analytics(work, {"platform": "youtube", "snapshots": []}, False, None, None)
    assert (empty.status, empty.reason) == ("not_supported", "no data (empty snapshots)")


def test_top_level_metrics_win_over_the_latest_snapshot():
    work = WorkToEnrich("a", "w", None)
    data = {
        "metrics": {"viewCount": 9},
        "snapshots": [{"snapshotAt": "2026-11-01T00:00:00Z", "metrics": {"viewCount": 5}}],
    }
    assert read_analytics(work, data, False, None, None).metrics["view_count"] == 9
    data = {"snapshots": [{"snapshotAt": "2026-11-02T00:00:00Z", "metrics": {"viewCount": 7}},
                          {"snapshotAt": "2026-11-01T00:00:00Z", "metrics": {"viewCount": 5}}]}  # fmt: skip
    assert read_analytics(work, data, False, None, None).metrics["view_count"] == 7


def test_a_deleted_work_is_an_error_and_the_others_land(make_client, sandbox):
    works = works_of(sandbox, "threads", 0, 3)
    sandbox.dataset = SandboxDataset(deleted_works=frozenset({works[1].platform_work_id}))
    result = fetch_work_analytics(make_client(), "threads", works, RUN_DATE)
    assert [r.status for r in result.rows] == ["ok", "error", "ok"]
    assert result.rows[1].reason == "code 15070: threads platform API request failed"


def test_an_account_without_the_insights_scope_is_skipped_for_the_run(make_client, sandbox):
    denied = sandbox.dataset.account_id("instagram", 0)
    sandbox.dataset = SandboxDataset(insights_missing_accounts=frozenset({denied}))
    works = works_of(sandbox, "instagram", 0, 4) + works_of(sandbox, "instagram", 1, 2)
    result = fetch_work_analytics(make_client(), "instagram", works, RUN_DATE, max_concurrency=1)
    assert [a.account_id for a in result.skipped_accounts] == [denied] and "15078" in result.skipped_accounts[0].reason
    assert {r.account_id for r in result.rows} == {sandbox.dataset.account_id("instagram", 1)}
    assert result.not_asked == 4 and result.stats.requests == 3  # one refusal, then only the other account


def test_a_401_stops_everything(make_client, sandbox):
    sandbox.faults.add("unauthorized", times=None)
    with pytest.raises(AuthError):
        fetch_work_analytics(make_client(), "youtube", works_of(sandbox, "youtube", 0, 30), RUN_DATE, max_concurrency=2)
    assert sandbox.requests <= 2


@pytest.mark.parametrize("fault", ["envelope_429", "http_502", "retryable_15071", "slow"])
def test_faults_end_with_exact_data(make_client, sandbox, fault):
    works = works_of(sandbox, "facebook", 0, 6)
    clean = fetch_work_analytics(make_client(), "facebook", works, RUN_DATE)
    sandbox.faults.add(fault, times=3, delay_seconds=3.0)
    faulty = fetch_work_analytics(make_client(timeout_seconds=1.0), "facebook", works, RUN_DATE)
    assert [(r.platform_work_id, r.metrics, r.extra) for r in faulty.rows] == [
        (r.platform_work_id, r.metrics, r.extra) for r in clean.rows
    ]
    assert faulty.stats.retries >= 1 and clean.rows[0].metrics["engagement_count"] is not None
