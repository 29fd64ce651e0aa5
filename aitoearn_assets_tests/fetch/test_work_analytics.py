"""Per-work analytics over real HTTP: what each kind of answer becomes, and when a platform stops."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import httpx
import pytest

from aitoearn_assets.api.errors import AuthError
from aitoearn_assets.fetch.work_analytics import (
    BREAKER_ANSWERS,
    WorkToEnrich,
    analytics_window,
    fetch_work_analytics,
    read_analytics,
)
from aitoearn_assets.sandbox import SANDBOX_API_KEY, SandboxDataset
from aitoearn_assets.sandbox.dataset import ANALYTICS_METRICS

RUN_DATE = date(2026, 11, 29)


def works_of(sandbox, platform: str, account: int, count: int) -> list[WorkToEnrich]:
    """The account's `count` newest works, as the candidates query hands them over."""
    ds = sandbox.dataset
    seqs = [ds.listed_seq(platform, account, i) for i in range(count)]
    return [
        WorkToEnrich(ds.account_id(platform, account), ds.work_id(platform, account, s), ds.published_at(platform, account, s))
        for s in seqs
    ]  # fmt: skip


def test_youtube_answers_views_likes_comments(make_client, sandbox):
    result = fetch_work_analytics(make_client(), "youtube", works_of(sandbox, "youtube", 0, 3), RUN_DATE)
    assert [r.status for r in result.rows] == ["ok"] * 3
    metrics = result.rows[0].metrics
    assert {k for k, v in metrics.items() if v is not None} == {"view_count", "like_count", "comment_count"}
    assert result.rows[0].period_start_at is None and result.stats.requests == 3


def test_pinterest_sums_its_daily_series_over_the_window_asked(make_client, sandbox):
    as_of = datetime(2026, 11, 29, 12)
    sandbox.dataset = SandboxDataset(as_of=as_of)
    ds = sandbox.dataset
    seq = ds.listed_seq("pinterest", 1, 5)
    (work,) = [w for w in works_of(sandbox, "pinterest", 1, 6) if w.platform_work_id == ds.work_id("pinterest", 1, seq)]
    (row,) = fetch_work_analytics(make_client(), "pinterest", [work], RUN_DATE).rows
    since, until = analytics_window(work.published_at, RUN_DATE)
    assert (row.period_start_at, row.period_end_at) == (since, until) == (
        datetime.combine(work.published_at.date(), datetime.min.time()), datetime(2026, 11, 29)
    )  # fmt: skip
    # by hand: the sandbox's value of each day from the publish day to the run date, summed
    days = [since + timedelta(days=n) for n in range((until - since).days + 1)]
    daily = [ds.daily_metrics("pinterest", 1, seq, ANALYTICS_METRICS["pinterest"], d) for d in days]
    assert row.metrics["impression_count"] == sum(d["impressionCount"] for d in daily) > 0
    assert row.metrics["save_count"] == sum(d["saveCount"] for d in daily)
    assert row.metrics["view_count"] is None  # pinterest reports no views: NULL, not 0
    assert [d for d, _ in row.daily] == [d.date() for d in days]
    assert row.daily[1][1]["click_count"] == daily[1]["clickCount"]


def test_a_daily_window_is_at_most_90_days():
    assert analytics_window(datetime(2025, 1, 1), RUN_DATE) == (datetime(2026, 9, 1), datetime(2026, 11, 29))
    assert analytics_window(None, RUN_DATE)[0] == datetime(2026, 9, 1)


def test_not_supported_is_recorded_once_and_the_platform_is_not_asked_again(make_client, sandbox):
    result = fetch_work_analytics(
        make_client(), "douyin", works_of(sandbox, "douyin", 0, 5), RUN_DATE, max_concurrency=1
    )
    assert [(r.status, r.reason) for r in result.rows] == [("not_supported", "Work analytics not supported")]
    assert result.not_asked == 4 and result.stats.requests == 1 and result.failure is None


def test_an_unregistered_platform_is_not_supported(make_client, sandbox):
    result = fetch_work_analytics(make_client(), "wxSph", works_of(sandbox, "wxSph", 0, 1), RUN_DATE)
    assert result.rows[0].status == "not_supported" and "15032" in result.rows[0].reason


def test_no_data_yet_is_about_one_work_and_the_platform_goes_on(make_client, sandbox):
    """Threads has not computed a post's insights yet (code 0, no snapshots, no message): normal for a post
    from this morning. That work is `no_data`; the platform's other works are still asked."""
    as_of = datetime(2026, 11, 29, 12)
    sandbox.dataset = SandboxDataset(as_of=as_of)
    works = works_of(sandbox, "threads", 0, 6)  # newest first, as the candidates come
    ages = [(as_of - w.published_at) / timedelta(hours=1) for w in works]
    sandbox.dataset = SandboxDataset(as_of=as_of, no_data_hours=(ages[1] + ages[2]) / 2)  # the two newest: no data
    young = {w.platform_work_id for w in works[:2]}
    result = fetch_work_analytics(make_client(), "threads", works, RUN_DATE, max_concurrency=1)
    statuses = {r.platform_work_id: r.status for r in result.rows}
    assert {w for w, s in statuses.items() if s == "no_data"} == young
    assert {w for w, s in statuses.items() if s == "ok"} == {w.platform_work_id for w in works} - young
    assert result.not_asked == 0 and result.failure is None and result.not_supported_reason is None


def test_account_required_is_an_error_about_that_request(server, sandbox):
    work = works_of(sandbox, "youtube", 0, 1)[0]
    with httpx.Client(base_url=server.base_url, headers={"X-Api-Key": SANDBOX_API_KEY}) as http:
        answer = http.get(f"/api/v2/channels/works/youtube/{work.platform_work_id}/analytics").json()
    assert answer["code"] == 0 and answer["data"]["message"] == "Account required"
    assert read_analytics(work, answer["data"], False, None, None).status == "error"
    empty = read_analytics(work, {"platform": "youtube", "snapshots": []}, False, None, None)
    assert empty.status == "no_data"


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


def test_an_ok_answer_with_nothing_readable_is_no_data_and_keeps_the_last_good_values():
    """Such an answer written as ok would replace the work's last good values with NULLs."""
    work = WorkToEnrich("a", "w", None)
    unknown = {"metrics": {"someNewCounter": 3}}
    assert read_analytics(work, unknown, False, None, None).status == "no_data"
    undated = {"snapshots": [{"metrics": {"impressionCount": 4}}]}  # a daily series whose day is unreadable
    assert read_analytics(work, undated, True, None, None).status == "no_data"


def test_a_deleted_work_is_an_error_and_the_others_land(make_client, sandbox):
    works = works_of(sandbox, "threads", 0, 3)
    sandbox.dataset = SandboxDataset(deleted_works=frozenset({works[1].platform_work_id}))
    result = fetch_work_analytics(make_client(), "threads", works, RUN_DATE)
    by_id = {r.platform_work_id: r for r in result.rows}
    assert [by_id[w.platform_work_id].status for w in works] == ["ok", "error", "ok"]
    assert by_id[works[1].platform_work_id].reason == "code 15070: threads platform API request failed"


def test_an_account_without_the_insights_scope_is_skipped_for_the_run(make_client, sandbox):
    denied = sandbox.dataset.account_id("instagram", 0)
    sandbox.dataset = SandboxDataset(insights_missing_accounts=frozenset({denied}))
    works = works_of(sandbox, "instagram", 0, 4) + works_of(sandbox, "instagram", 1, 2)
    result = fetch_work_analytics(make_client(), "instagram", works, RUN_DATE, max_concurrency=1)
    assert [a.account_id for a in result.skipped_accounts] == [denied] and "15078" in result.skipped_accounts[0].reason
    assert {r.account_id for r in result.rows} == {sandbox.dataset.account_id("instagram", 1)}
    assert result.not_asked == 4 and result.stats.requests == 3  # one refusal, then only the other account


def test_a_spent_quota_stops_the_platform_and_records_nothing_for_the_rest(make_client, sandbox):
    """YouTube's daily quota (15070, category quota) is not retried: the platform stops for the run and
    fails with the reason; the works answered before it keep their rows, the others get none."""
    sandbox.faults.add("quota_15070", times=None, path_contains="/analytics", skip=3)
    works = works_of(sandbox, "youtube", 0, 20)
    result = fetch_work_analytics(make_client(), "youtube", works, RUN_DATE, max_concurrency=1)
    assert [r.status for r in result.rows] == ["ok"] * 3
    assert "15070" in result.failure and "quota" in result.failure
    assert result.not_asked == 17 and result.stats.requests == 4  # the refusal is the last request sent


def test_a_rate_limit_that_outlives_the_retries_stops_the_platform(make_client, sandbox):
    sandbox.faults.add("envelope_429", times=None, path_contains="/analytics", skip=2, reset_ms=1)
    result = fetch_work_analytics(make_client(), "youtube", works_of(sandbox, "youtube", 0, 10), RUN_DATE,
                                  max_concurrency=1)  # fmt: skip
    assert len(result.rows) == 2 and "rate limited after 4 attempts" in result.failure
    assert result.stats.rate_limited == 4 and result.not_asked == 8


def test_the_breaker_stops_a_platform_whose_answers_mostly_fail(make_client, sandbox):
    sandbox.dataset = SandboxDataset(works_per_account=60)
    sandbox.faults.add("http_502", times=None, path_contains="/analytics", skip=2)  # all but the first two
    works = works_of(sandbox, "facebook", 0, 60)
    result = fetch_work_analytics(make_client(), "facebook", works, RUN_DATE, max_concurrency=1)
    assert result.transient_failures == BREAKER_ANSWERS - 2 and len(result.rows) == 2
    assert "18 of its first 20 answers failed" in result.failure
    assert result.not_asked == 40  # not the whole budget spent on a platform that is down


def test_a_401_stops_everything(make_client, sandbox):
    sandbox.faults.add("unauthorized", times=None)
    with pytest.raises(AuthError):
        fetch_work_analytics(make_client(), "youtube", works_of(sandbox, "youtube", 0, 30), RUN_DATE, max_concurrency=2)
    assert sandbox.requests <= 2


class _ThreadsSeen(ThreadPoolExecutor):
    """A pool that notes the threads its work ran on."""

    def __init__(self, workers: int, prefix: str) -> None:
        super().__init__(workers, prefix)
        self.threads: set[str] = set()

    def submit(self, fn, /, *args, **kwargs):
        def noted():
            self.threads.add(threading.current_thread().name)
            return fn(*args, **kwargs)

        return super().submit(noted)


def test_platforms_sharing_one_pool_get_every_answer_asked_on_its_threads(make_client, sandbox):
    client = make_client()
    alone = {p: fetch_work_analytics(client, p, works_of(sandbox, p, 0, 12), RUN_DATE) for p in ("youtube", "twitter")}
    with _ThreadsSeen(2, "shared") as pool, ThreadPoolExecutor(2) as platforms:
        futures = {
            p: platforms.submit(fetch_work_analytics, client, p, works_of(sandbox, p, 0, 12), RUN_DATE, pool=pool)
            for p in alone
        }
        shared = {p: f.result() for p, f in futures.items()}
    for platform, result in shared.items():
        assert [(r.platform_work_id, r.status, r.metrics) for r in result.rows] == [
            (r.platform_work_id, r.status, r.metrics) for r in alone[platform].rows
        ]
        assert result.stats.requests == 12
    assert pool.threads and all(name.startswith("shared") for name in pool.threads)


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
