"""Fetch every work of every account of one platform, concurrently, into Parquet chunks on disk.

Skip rules (the account is named with its reason; its earlier rows are kept by the writer):
an account the API lists as offline (`status` 0), or one whose listing fails with a code no
retry will fix (`ACCOUNT_SKIP_CODES`). Any other error fails the whole platform.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from aitoearn_assets.api.client import AiToEarnClient
from aitoearn_assets.api.errors import ACCOUNT_SKIP_CODES, CANNOT_LIST_CODES, ApiError
from aitoearn_assets.api.models import Account
from aitoearn_assets.api.platforms import WorksPaging
from aitoearn_assets.ingest.staging import WorksStage
from aitoearn_assets.ingest.work_rows import RejectedWork, read_page, rows_to_frame

logger = logging.getLogger(__name__)

#: Rows gathered before they become a columnar frame and go to the stage: large enough that
#: building frames costs little per row, small enough that memory stays flat.
CHUNK_ROWS = 10_000


@dataclass(frozen=True)
class SkippedAccount:
    account_id: str
    reason: str


@dataclass
class AccountWorks:
    """One account's works, complete (every page was read), staged on disk."""

    account_id: str
    rejected: list[RejectedWork]
    pages: int
    warning: str | None


@dataclass
class PlatformWorks:
    """What one platform's fetch produced. `stage` holds the rows; only the accounts in
    `fetched_account_ids` were fetched completely and may be written."""

    platform: str
    fetched_at: datetime
    accounts: list[Account]
    stage: WorksStage
    fetched_account_ids: list[str] = field(default_factory=list)
    skipped: list[SkippedAccount] = field(default_factory=list)
    rejected: list[RejectedWork] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cannot_list_reason: str | None = None

    @property
    def staged_files(self) -> list[str]:
        return self.stage.files(self.fetched_account_ids)

    @property
    def staged_rows(self) -> int:
        """Rows fetched for the complete accounts, a work served twice counted twice."""
        return self.stage.rows(self.fetched_account_ids)

    def read_frame(self) -> pl.DataFrame:
        """The works of the complete accounts, each once (small data and tests)."""
        return self.stage.read(self.fetched_account_ids)


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
    """All pages of one account, spilled to `stage` in served order."""
    rejected: list[RejectedWork] = []
    pending: list[tuple] = []
    paginator = None
    for page, paginator in client.iter_works_pages(platform, account_id, paging):  # noqa: B007 - read after the loop
        if cancel is not None and cancel.is_set():
            raise _Cancelled
        rows, bad = read_page(account_id, page.items)
        rejected += bad
        pending += rows
        if len(pending) >= CHUNK_ROWS:
            stage.add(account_id, rows_to_frame(platform, account_id, pending, fetched_at))
            pending = []
    if pending:
        stage.add(account_id, rows_to_frame(platform, account_id, pending, fetched_at))
    return AccountWorks(
        account_id=account_id,
        rejected=rejected,
        pages=paginator.pages if paginator else 0,
        warning=paginator.stop_warning if paginator else None,
    )


def fetch_platform_works(
    client: AiToEarnClient,
    platform: str,
    stage_dir: str | Path,
    *,
    max_concurrency: int = 4,
    paging: WorksPaging | None = None,
    log: logging.Logger | None = None,
) -> PlatformWorks:
    """Fetch one platform into Parquet chunks under `stage_dir`; raises on errors that are not
    a per-account skip."""
    log = log or logger
    fetched_at = datetime.now(UTC).replace(tzinfo=None)
    paging = paging or client.works_paging()[platform]
    accounts = client.list_accounts(platform)
    result = PlatformWorks(platform, fetched_at, accounts, WorksStage(stage_dir))
    if not paging.can_list:
        result.cannot_list_reason = f"the API says {platform} cannot list works (capability work.listWorks is off)"
        return result
    for account in accounts:
        if not account.is_active:
            result.skipped.append(SkippedAccount(account.id, "the account is offline (status 0): re-authorize it"))
    active = [a for a in accounts if a.is_active]

    cancel = threading.Event()
    done: list[AccountWorks] = []
    with ThreadPoolExecutor(max_workers=max(1, min(max_concurrency, len(active) or 1))) as pool:
        futures = {
            pool.submit(fetch_account_works, client, platform, a.id, paging, fetched_at, result.stage, cancel): a
            for a in active
        }
        try:
            for future in as_completed(futures):  # first failure ends the fetch at once
                account = futures[future]
                try:
                    done.append(future.result())
                except ApiError as err:
                    if err.code in CANNOT_LIST_CODES:
                        result.cannot_list_reason = f"the API answered code {err.code} ({err.message}) for works"
                        cancel.set()
                        return result
                    if err.code in ACCOUNT_SKIP_CODES:
                        result.skipped.append(SkippedAccount(account.id, f"code {err.code}: {err.message}"))
                        log.warning("Skipping %s account %s: code %s (%s)", platform, account.id, err.code, err.message)
                        continue
                    raise
        except BaseException:
            cancel.set()
            raise

    result.skipped.sort(key=lambda skipped: skipped.account_id)
    for account_works in sorted(done, key=lambda a: a.account_id):
        result.fetched_account_ids.append(account_works.account_id)
        result.rejected += account_works.rejected
        if account_works.warning:
            message = f"account {account_works.account_id}: {account_works.warning}"
            result.warnings.append(message)
            log.warning("%s %s", platform, message)
    return result
