"""Fetch per-work analytics (`GET /works/{platform}/{id}/analytics`) and read each answer into one row.

What an answer becomes (reference 3b and `aitoearn-publish-records.md` 3.2):
- data: `ok`, the value of each metric is the top-level `metrics`, else the latest snapshot's; for a
  platform that answers a daily series (pinterest) the sum of the daily values over the window asked;
- code 0 with no snapshots and no message: `no_data` for that work (its insights are not computed yet);
- "Work analytics not supported" (code 0), 15080, 15032: `not_supported`, about the platform: its
  other works are not asked in this run;
- an error about the work (15070 not_found, 15079, "Account required", an unreadable answer): `error`;
- an error about the account (15078, re-authorize codes, 12600, 15040): its works are skipped this run;
- a quota or a rate limit that outlives the retries: the platform stops for this run and fails, and
  the works not answered are not recorded (nothing stored changes for them);
- the breaker: when most of the platform's first answers fail (retries exhausted, errors), it stops
  and fails instead of spending the whole budget;
- a 401: raised, everything queued is cancelled.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from aitoearn_assets.api.client import AiToEarnClient, RequestStats
from aitoearn_assets.api.errors import (
    ACCOUNT_SKIP_CODES,
    CANNOT_LIST_CODES,
    AiToEarnError,
    ApiError,
    AuthError,
    FetchCancelled,
    RetriesExhaustedError,
)
from aitoearn_assets.api.platforms import DAILY_SERIES_PLATFORMS
from aitoearn_assets.clock import utc_now
from aitoearn_assets.fetch.platform_works import AccountIssue, describe_error
from aitoearn_assets.fetch.work_rows import UnreadableItem, read_count, read_timestamp
from aitoearn_assets.metrics import METRICS

logger = logging.getLogger(__name__)

#: How far back a daily series is asked: the window ends at the run date and spans 90 days at most.
DAILY_WINDOW_DAYS = 89
#: Codes about the account rather than the work: skip the account's works for this run.
ACCOUNT_LEVEL_CODES = ACCOUNT_SKIP_CODES | {15076, 15078}
#: A code-0 message that says the platform has no work analytics at all.
NOT_SUPPORTED_MESSAGE = "not supported"
#: The breaker: when this share of the platform's first `BREAKER_ANSWERS` answers failed, it stops and fails.
BREAKER_ANSWERS = 20
BREAKER_SHARE = 0.8


@dataclass(frozen=True)
class WorkToEnrich:
    account_id: str
    platform_work_id: str
    published_at: datetime | None


@dataclass
class WorkMetricsRow:
    """One work's analytics answer, ready for `work_metrics` (metrics keyed by warehouse column)."""

    account_id: str
    platform_work_id: str
    status: str
    reason: str | None = None
    metrics: dict[str, int | None] = field(default_factory=dict)
    period_start_at: datetime | None = None
    period_end_at: datetime | None = None
    extra: str | None = None
    daily: list[tuple[date, dict[str, int | None]]] = field(default_factory=list)


@dataclass
class PlatformAnalytics:
    platform: str
    fetched_at: datetime
    rows: list[WorkMetricsRow] = field(default_factory=list)
    skipped_accounts: list[AccountIssue] = field(default_factory=list)
    not_supported_reason: str | None = None
    not_asked: int = 0  # works left unasked: the platform stopped, or their account failed
    transient_failures: int = 0  # works whose request kept failing: not recorded, asked again next run
    failure: str | None = None  # why the platform stopped and failed (quota, rate limit, breaker)
    failure_transient: bool = True  # a later try (Dagster's step retry) may fare better; a spent quota won't
    stats: RequestStats = field(default_factory=RequestStats)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)


def analytics_window(published_at: datetime | None, run_date: date) -> tuple[datetime, datetime]:
    """(since, until) of a daily series: the later of the publish date and 89 days before the run date, to the run date."""
    until = datetime.combine(run_date, time.min)
    earliest = until - timedelta(days=DAILY_WINDOW_DAYS)
    if published_at is None:
        return earliest, until
    published_day = datetime.combine(published_at.date(), time.min)
    return max(earliest, published_day), until


def analytics_pool(max_concurrency: int) -> ThreadPoolExecutor:
    """The threads work analytics are asked on: `max_concurrency` of them, which every platform of a run can share."""
    return ThreadPoolExecutor(max(1, max_concurrency), "aitoearn-analytics")


def fetch_work_analytics(
    client: AiToEarnClient,
    platform: str,
    works: list[WorkToEnrich],
    run_date: date,
    *,
    max_concurrency: int = 4,
    pool: Executor | None = None,
    log: logging.Logger | None = None,
) -> PlatformAnalytics:
    """Ask the analytics of `works` (each once, in order); raises AuthError on a refused key.

    The works are asked on `max_concurrency` threads of their own, or on `pool`, shared with other platforms.
    """
    log = log or logger
    scoped = client.scoped()
    result = PlatformAnalytics(platform, utc_now(), stats=scoped.stats)
    lock = threading.Lock()
    failed_accounts: dict[str, str] = {}
    stop_platform = threading.Event()
    answered = failures = 0

    def stop(reason: str | None = None, transient: bool = True) -> None:
        if reason and result.failure is None:
            result.failure, result.failure_transient = reason, transient
            log.warning("%s work analytics stopped for this run: %s", platform, reason)
        stop_platform.set()

    def ask(work: WorkToEnrich) -> None:
        nonlocal answered, failures
        if stop_platform.is_set() or work.account_id in failed_accounts:
            with lock:
                result.not_asked += 1
            return
        outcome = _ask_one(scoped, platform, work, run_date)
        with lock:
            if isinstance(outcome, _PlatformStop):
                result.not_asked += 1
                stop(outcome.reason, outcome.transient)
                return
            if isinstance(outcome, AccountIssue):
                if outcome.account_id not in failed_accounts:
                    failed_accounts[outcome.account_id] = outcome.reason
                    result.skipped_accounts.append(outcome)
                    log.warning(
                        "%s account %s: analytics skipped this run (%s)", platform, outcome.account_id, outcome.reason
                    )
                result.not_asked += 1
                return
            answered += 1
            if outcome is None:
                result.transient_failures += 1
                failures += 1
            else:
                failures += outcome.status == "error"
                if outcome.status == "not_supported" and result.not_supported_reason is None:
                    result.not_supported_reason = outcome.reason
                    stop()
                result.rows.append(outcome)
            if answered == BREAKER_ANSWERS and failures >= BREAKER_SHARE * BREAKER_ANSWERS:
                stop(
                    f"{failures} of its first {answered} answers failed after retries (the breaker trips at "
                    f"{BREAKER_SHARE:.0%}); the rest of its works are left for the next run"
                )

    with analytics_pool(max_concurrency) if pool is None else nullcontext(pool) as executor:
        futures = [executor.submit(ask, work) for work in works]
        try:
            for future in futures:
                future.result()
        except BaseException:
            client.cancel()
            for future in futures:
                future.cancel()
            raise
    result.rows.sort(key=lambda r: (r.account_id, r.platform_work_id))
    return result


@dataclass(frozen=True)
class _PlatformStop:
    """An answer that stops the platform for this run (a quota or a rate limit that outlived the retries)."""

    reason: str
    transient: bool


def _ask_one(
    client: AiToEarnClient, platform: str, work: WorkToEnrich, run_date: date
) -> WorkMetricsRow | AccountIssue | _PlatformStop | None:
    since = until = None
    if platform in DAILY_SERIES_PLATFORMS:
        since, until = analytics_window(work.published_at, run_date)
    try:
        data = client.work_analytics(platform, work.platform_work_id, work.account_id, since, until)
    except (AuthError, FetchCancelled):
        raise
    except ApiError as err:
        if err.code in CANNOT_LIST_CODES:
            return _row(work, "not_supported", f"code {err.code}: {err.message}")
        if err.limits_platform:  # a spent quota: no later request of this run fares better
            return _PlatformStop(f"{describe_error(err)} (category {err.category or 'rate_limit'})", False)
        if err.code in ACCOUNT_LEVEL_CODES:
            return AccountIssue(work.account_id, describe_error(err))
        if err.retryable:
            return None
        return _row(work, "error", describe_error(err))
    except RetriesExhaustedError as err:
        last = err.last_error
        if isinstance(last, ApiError) and last.limits_platform:
            return _PlatformStop(f"rate limited after {err.attempts} attempts: {describe_error(last)}", True)
        return None  # asked again next run
    except AiToEarnError:  # unreadable answers: asked again next run
        return None
    return read_analytics(work, data, platform in DAILY_SERIES_PLATFORMS, since, until)


def _row(work: WorkToEnrich, status: str, reason: str | None) -> WorkMetricsRow:
    return WorkMetricsRow(work.account_id, work.platform_work_id, status, reason)


def read_analytics(
    work: WorkToEnrich, data: dict[str, Any], daily: bool, since: datetime | None, until: datetime | None
) -> WorkMetricsRow:
    """One analytics answer (`ChannelWorkAnalyticsVo`) as a `work_metrics` row."""
    message = str(data.get("message") or "")
    snapshots = [s for s in data.get("snapshots") or [] if isinstance(s, dict)]
    top = data.get("metrics") if isinstance(data.get("metrics"), dict) else None
    if NOT_SUPPORTED_MESSAGE in message.lower():
        return _row(work, "not_supported", message)
    if message:  # e.g. "Account required": about this request, not the platform
        return _row(work, "error", message)
    if not snapshots and not top:
        return _row(work, "no_data", "no data yet (code 0, no snapshots)")
    extra = json.dumps(data["extra"], ensure_ascii=False) if data.get("extra") else None
    try:
        if daily:
            days = [(_snapshot_day(s), _read_metrics(s.get("metrics"))) for s in snapshots]
            days = [(d, m) for d, m in days if d is not None]
            totals = {
                column: (
                    sum(v for _, m in days if (v := m[column]) is not None)
                    if any(m[column] is not None for _, m in days)
                    else None
                )
                for column in METRICS.values()
            }
            if all(v is None for v in totals.values()):
                return _row(work, "no_data", "no readable day in the answer's snapshots")
            row = WorkMetricsRow(work.account_id, work.platform_work_id, "ok", None, totals, since, until, extra)
            row.daily = days  # type: ignore[assignment]
            return row
        latest = top if top else max(snapshots, key=lambda s: str(s.get("snapshotAt") or "")).get("metrics")
        values = _read_metrics(latest)
        if all(v is None for v in values.values()):  # an "ok" with nothing in it must not blank the last good values
            return _row(work, "no_data", "the answer holds no metric this project reads")
        return WorkMetricsRow(work.account_id, work.platform_work_id, "ok", None, values, extra=extra)
    except UnreadableItem as why:
        return _row(work, "error", f"unreadable answer: {why}")


def _read_metrics(raw: Any) -> dict[str, int | None]:
    raw = raw if isinstance(raw, dict) else {}
    return {column: read_count(raw.get(key), key) for key, column in METRICS.items()}


def _snapshot_day(snapshot: dict[str, Any]) -> date | None:
    moment = read_timestamp(snapshot.get("periodStartAt") or snapshot.get("snapshotAt"), "snapshotAt")
    return moment.date() if moment else None
