"""Fetch every work of every account of one or more platforms, concurrently, into staged chunks.

The key's accounts come from one unfiltered listing (a filtered one holds at most 1,000), grouped
by platform. Every platform's accounts go through one thread pool and one client, so the politeness
limits (requests in flight, request rate) hold across platforms. What happens to an account:
- listed as offline (`status` 0), or its listing answers a code no retry will fix and that
  asks for re-authorization (`ACCOUNT_SKIP_CODES`): *skipped*, with the reason;
- any other error confined to the account (a non-retryable code, retries exhausted, an
  unreadable answer): *failed*, with the reason; the platform's other accounts still land;
- its listing stopped on a paging warning (a repeated cursor, `hasNext` without a cursor, an empty
  page that claims more): *partial*, its works are written but none of its stored works deleted;
- a 401 stops the whole fetch at once: queued accounts never start.

A platform *fails* as a whole when the account listing fails, or when every account it tried
failed. Its earlier rows are kept by the writer; the other platforms are unaffected.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from aitoearn_assets.api.client import AiToEarnClient, RequestStats
from aitoearn_assets.api.decoding import TypedPageDecoder
from aitoearn_assets.api.errors import (
    ACCOUNT_SKIP_CODES,
    CANNOT_LIST_CODES,
    AiToEarnError,
    ApiError,
    AuthError,
    FetchCancelled,
    IncompleteListingError,
    RetriesExhaustedError,
)
from aitoearn_assets.api.models import Account, WorksPage
from aitoearn_assets.api.platforms import WorksPaging
from aitoearn_assets.clock import utc_now
from aitoearn_assets.fetch.publish_records import records_to_frame
from aitoearn_assets.fetch.staging import StageMemory, WorksStage
from aitoearn_assets.fetch.work_rows import RejectedWork, ServedWork, pages_to_frame

logger = logging.getLogger(__name__)

#: Works pages are decoded straight into typed records when their items fit (see api/decoding.py).
WORKS_DECODER = TypedPageDecoder(ServedWork)

#: Rows gathered before they become a columnar frame and go to the stage: large enough that
#: building frames costs little per row, small enough that memory stays flat.
CHUNK_ROWS = 10_000


@dataclass(frozen=True)
class AccountIssue:
    """An account that was not fetched, and why."""

    account_id: str
    reason: str


@dataclass
class AccountWorks:
    """One account's works, complete (every page or every record was read), staged or in `unstaged_pages`."""

    account_id: str
    rejected: list[RejectedWork]
    pages: int
    warning: str | None
    records_not_works: Counter[str] = field(default_factory=Counter)
    #: A small account's pages (fewer than CHUNK_ROWS items), staged with other accounts'
    #: (see _PlatformState.add_to_batch).
    unstaged_pages: list[WorksPage] = field(default_factory=list, repr=False)


@dataclass
class PlatformWorks:
    """What one platform's fetch produced. `stage` holds the rows; only the accounts in
    `fetched_account_ids` may be written: those listed completely, and those in `partial` (their
    listing stopped early: written, but none of their stored works deleted)."""

    platform: str
    fetched_at: datetime
    accounts: list[Account]
    stage: WorksStage
    fetched_account_ids: list[str] = field(default_factory=list)
    skipped: list[AccountIssue] = field(default_factory=list)
    failed: list[AccountIssue] = field(default_factory=list)
    partial: list[AccountIssue] = field(default_factory=list)
    rejected: list[RejectedWork] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cannot_list_reason: str | None = None
    source: str = "list"  # list | publish_record
    records_not_works: Counter[str] = field(default_factory=Counter)
    stats: RequestStats = field(default_factory=RequestStats)
    seconds: float = 0.0

    @property
    def staged_rows(self) -> int:
        """Rows fetched for the complete accounts, a work served twice counted twice."""
        return self.stage.rows(self.fetched_account_ids)

    def read_frame(self) -> pl.DataFrame:
        """The works of the complete accounts, each once (small data and tests)."""
        return self.stage.read(self.fetched_account_ids)


@dataclass
class PlatformFailure:
    """A platform whose fetch failed as a whole; `transient` when a later try may succeed."""

    platform: str
    reason: str
    transient: bool
    stats: RequestStats = field(default_factory=RequestStats)
    seconds: float = 0.0


class PlatformFetchError(RuntimeError):
    """Raised by `fetch_platform_works` for a failed platform."""

    def __init__(self, failure: PlatformFailure) -> None:
        self.failure = failure
        super().__init__(f"{failure.platform}: {failure.reason}")


@dataclass(frozen=True)
class FetchProgress:
    """Accounts done of those known so far, over every platform of the fetch."""

    accounts_done: int
    accounts_total: int
    platforms_done: int
    platforms_total: int


class _Cancelled(Exception):
    pass


def fetch_account_works(
    client: AiToEarnClient,
    platform: str,
    account_id: str,
    paging: WorksPaging,
    fetched_at: datetime,
    stage: WorksStage,
    cancel: threading.Event | None = None,
) -> AccountWorks:
    """All pages of one account, staged in served order."""
    rejected: list[RejectedWork] = []
    pending: list[WorksPage] = []
    pending_items = 0
    paginator = None
    staged_own_chunks = False

    def spill() -> None:
        frame, bad = pages_to_frame(platform, [(account_id, pending)], fetched_at)
        rejected.extend(bad)
        if frame.height:
            stage.add(account_id, frame)
        pending.clear()

    pages = client.iter_works_pages(platform, account_id, paging, decoder=WORKS_DECODER)
    for page, paginator in pages:  # noqa: B007 - read after the loop
        if cancel is not None and cancel.is_set():
            raise _Cancelled
        pending.append(page)
        pending_items += page.size
        if pending_items >= CHUNK_ROWS:
            spill()
            pending_items, staged_own_chunks = 0, True
    if pending and staged_own_chunks:
        spill()
    return AccountWorks(
        account_id=account_id,
        rejected=rejected,
        pages=paginator.pages if paginator else 0,
        warning=paginator.stop_warning if paginator else None,
        unstaged_pages=list(pending),
    )


def fetch_account_records(
    client: AiToEarnClient, platform: str, account_id: str, fetched_at: datetime, stage: WorksStage
) -> AccountWorks:
    """The works of one account known from its publish records (platforms that cannot list works)."""
    frame, not_works, rejected = records_to_frame(platform, account_id, client.publish_records(account_id), fetched_at)
    if frame.height:
        stage.add(account_id, frame)
    return AccountWorks(account_id, rejected, pages=1, warning=None, records_not_works=not_works)


def describe_error(err: BaseException) -> str:
    """A short reason for an account or platform that failed (never holds the key)."""
    if isinstance(err, ApiError):
        return f"code {err.code}: {err.message}"
    return str(err)


@dataclass
class _PlatformState:
    platform: str
    paging: WorksPaging
    client: AiToEarnClient
    started: float
    result: PlatformWorks | None = None
    pending: int = 0
    done: list[AccountWorks] = field(default_factory=list)
    reading_records: set[str] = field(default_factory=set)  # accounts whose publish records were asked
    batch: list[tuple[str, list[WorksPage]]] = field(default_factory=list)  # small accounts not yet staged
    batch_items: int = 0

    def add_to_batch(self, account_works: AccountWorks) -> None:
        """Hold a small account's pages; stage the held accounts together once they reach CHUNK_ROWS
        items (rows built in one pass for many accounts cost less than one pass per account)."""
        if account_works.unstaged_pages:
            self.batch.append((account_works.account_id, account_works.unstaged_pages))
            self.batch_items += sum(page.size for page in account_works.unstaged_pages)
            account_works.unstaged_pages = []
        if self.batch_items >= CHUNK_ROWS:
            self.stage_batch()

    def stage_batch(self) -> None:
        result = self.result
        assert result is not None
        if self.batch:
            frame, rejected = pages_to_frame(self.platform, self.batch, result.fetched_at)
            result.rejected += rejected
            if frame.height:
                result.stage.add_accounts(frame)
        self.batch, self.batch_items = [], 0


def fetch_platforms(
    client: AiToEarnClient,
    platforms: list[str],
    stage_dir: str | Path,
    *,
    max_concurrency: int = 4,
    paging: dict[str, WorksPaging] | None = None,
    log: logging.Logger | None = None,
    on_progress: Callable[[FetchProgress], None] | None = None,
    stage_memory: StageMemory | None = None,
) -> Iterator[PlatformWorks | PlatformFailure]:
    """Fetch `platforms` concurrently; yield each platform's outcome as soon as it is complete.

    The caller may write a yielded platform while the others are still being fetched, and should
    `close()` its stage once written (its rows stay in memory up to `stage_memory`'s budget, shared
    by every platform of the fetch; past it they are spilled under `stage_dir`). Raises `AuthError`
    (after cancelling everything queued) when the key is refused, and `IncompleteListingError` when
    the account listing is capped (an account would silently never be fetched).
    """
    log = log or logger
    paging = paging or client.works_paging()
    stage_root = Path(stage_dir)
    stage_memory = stage_memory or StageMemory()
    started = time.monotonic()
    try:
        listing = client.list_accounts()
    except (AuthError, IncompleteListingError):
        raise
    except AiToEarnError as err:
        transient = isinstance(err, RetriesExhaustedError) or getattr(err, "retryable", False)
        for platform in platforms:
            failure = PlatformFailure(platform, f"listing the accounts failed: {describe_error(err)}", transient)
            failure.seconds = time.monotonic() - started
            yield failure
        return
    by_platform: dict[str, list[Account]] = defaultdict(list)
    for account in listing.accounts:
        by_platform[account.platform].append(account)

    states: dict[str, _PlatformState] = {}
    finished: queue.SimpleQueue[tuple[Future, str, Account]] = queue.SimpleQueue()
    pending = accounts_total = accounts_done = platforms_done = 0

    def progress() -> None:
        if on_progress is not None:
            on_progress(FetchProgress(accounts_done, accounts_total, platforms_done, len(platforms)))

    with ThreadPoolExecutor(max_workers=max(1, max_concurrency), thread_name_prefix="aitoearn-fetch") as pool:

        def submit(state: _PlatformState, account: Account) -> None:
            nonlocal pending
            future = _submit(pool, state, account, client)
            future.add_done_callback(lambda done: finished.put((done, state.platform, account)))
            pending += 1

        try:
            for platform in platforms:
                state = _PlatformState(platform, paging[platform], client.scoped(), started)
                states[platform] = state
                to_fetch = _accounts_listed(
                    state, by_platform.get(platform, []), WorksStage(stage_root / platform, stage_memory)
                )
                for account in to_fetch:
                    submit(state, account)
                state.pending = len(to_fetch)
                accounts_total += len(to_fetch)
                if not to_fetch:  # nothing to fetch: the platform is complete already
                    platforms_done += 1
                    yield _finish(state, _platform_complete(state, log))
            progress()

            while pending:
                future, platform, account = finished.get()
                pending -= 1
                state = states[platform]
                if _account_finished(state, account, future, log):  # the list said no: read its records
                    submit(state, account)
                    continue
                state.pending -= 1
                accounts_done += 1
                if state.pending:
                    progress()
                    continue
                platforms_done += 1
                progress()
                yield _finish(state, _platform_complete(state, log))
        except BaseException:
            client.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _submit(pool: ThreadPoolExecutor, state: _PlatformState, account: Account, client: AiToEarnClient) -> Future:
    result = state.result
    assert result is not None
    if result.source == "publish_record":
        state.reading_records.add(account.id)
        return pool.submit(
            fetch_account_records, state.client, state.platform, account.id, result.fetched_at, result.stage
        )
    return pool.submit(
        fetch_account_works,
        state.client,
        state.platform,
        account.id,
        state.paging,
        result.fetched_at,
        result.stage,
        client.cancelled,
    )


def _accounts_listed(state: _PlatformState, accounts: list[Account], stage: WorksStage) -> list[Account]:
    """The platform's accounts to fetch (offline ones are skipped where the works list is read)."""
    result = PlatformWorks(state.platform, utc_now(), accounts, stage)
    state.result = result
    if not state.paging.can_list:
        result.cannot_list_reason = (
            f"the API says {state.platform} cannot list works (capability work.listWorks is off, or the "
            "platform is not registered)"
        )
        result.source = "publish_record"
        return accounts  # every account's records, offline ones too: they are stored rows
    for account in accounts:
        if not account.is_active:
            result.skipped.append(AccountIssue(account.id, "the account is offline (status 0): re-authorize it"))
    return [a for a in accounts if a.is_active]


def _account_finished(state: _PlatformState, account: Account, future: Future, log: logging.Logger) -> bool:
    """Take in one account's outcome; True when its works must be read from publish records instead."""
    result = state.result
    assert result is not None
    try:
        account_works = future.result()
        state.done.append(account_works)
        state.add_to_batch(account_works)
    except (AuthError, _Cancelled, FetchCancelled):
        raise
    except ApiError as err:
        if err.code in CANNOT_LIST_CODES and account.id not in state.reading_records:
            if result.source == "list":
                result.cannot_list_reason = f"the API answered code {err.code} ({err.message}) for works"
                result.source = "publish_record"
            return True
        if err.code in ACCOUNT_SKIP_CODES:
            result.skipped.append(AccountIssue(account.id, describe_error(err)))
            log.warning("Skipping %s account %s: %s", state.platform, account.id, describe_error(err))
            return False
        result.failed.append(AccountIssue(account.id, describe_error(err)))
        log.warning("%s account %s failed: %s", state.platform, account.id, describe_error(err))
    except AiToEarnError as err:
        result.failed.append(AccountIssue(account.id, describe_error(err)))
        log.warning("%s account %s failed: %s", state.platform, account.id, describe_error(err))
    return False


def _platform_complete(state: _PlatformState, log: logging.Logger) -> PlatformWorks | PlatformFailure:
    result = state.result
    assert result is not None
    if result.failed and not state.done:
        reasons = "; ".join(f"{f.account_id}: {f.reason}" for f in result.failed[:3])
        return PlatformFailure(
            state.platform, f"every account failed ({reasons})", transient=True, stats=state.client.stats
        )
    state.stage_batch()
    for account_works in sorted(state.done, key=lambda a: a.account_id):
        result.fetched_account_ids.append(account_works.account_id)
        result.rejected += account_works.rejected
        result.records_not_works.update(account_works.records_not_works)
        if account_works.warning:
            message = f"account {account_works.account_id}: {account_works.warning}"
            result.warnings.append(message)
            result.partial.append(
                AccountIssue(account_works.account_id, f"listing stopped early: {account_works.warning}")
            )
            log.warning("%s %s (its stored works are kept)", state.platform, message)
    result.rejected.sort(key=lambda work: work.account_id)
    for issues in (result.skipped, result.failed, result.partial):
        issues.sort(key=lambda issue: issue.account_id)
    return result


def _finish(state: _PlatformState, outcome: PlatformWorks | PlatformFailure) -> PlatformWorks | PlatformFailure:
    outcome.stats = state.client.stats
    outcome.seconds = time.monotonic() - state.started
    return outcome


def fetch_platform_works(
    client: AiToEarnClient,
    platform: str,
    stage_dir: str | Path,
    *,
    max_concurrency: int = 4,
    paging: WorksPaging | None = None,
    log: logging.Logger | None = None,
) -> PlatformWorks:
    """Fetch one platform; raises `PlatformFetchError` if it fails as a whole."""
    table = client.works_paging() if paging is None else {platform: paging}
    (outcome,) = fetch_platforms(client, [platform], stage_dir, max_concurrency=max_concurrency, paging=table, log=log)
    if isinstance(outcome, PlatformFailure):
        raise PlatformFetchError(outcome)
    return outcome
