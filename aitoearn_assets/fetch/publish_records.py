"""Works known from publish records: the only source for platforms that cannot list works.

A record becomes a `raw_works` row when it is published (status 1) and carries a `platformWorkId`;
a work published several times is one row, from its most recently updated record. Records in any
other state (failed, queued, a provisional id while publishing or waiting for the user) are not
works yet: they are only counted, by status.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import polars as pl

from aitoearn_assets.fetch.work_rows import RAW_WORKS_SCHEMA, RejectedWork, UnreadableItem, read_text, read_timestamp

PUBLISHED = 1
#: `PublishType` -> `content_mode` (the list's vocabulary: `article` is image and text).
CONTENT_MODES = {"video": "video", "article": "article"}


def records_to_frame(
    platform: str, account_id: str, records: list[dict[str, Any]], fetched_at: datetime
) -> tuple[pl.DataFrame, Counter[str], list[RejectedWork]]:
    """(works rows, records that are not works counted by status, unreadable records)."""
    not_works: Counter[str] = Counter()
    rejected: list[RejectedWork] = []
    latest: dict[str, tuple[str, dict[str, Any]]] = {}
    for record in records:
        work_id = record.get("platformWorkId")
        if record.get("status") != PUBLISHED or not work_id:
            reason = "no platformWorkId yet" if record.get("status") == PUBLISHED else f"status {record.get('status')}"
            not_works[reason] += 1
            continue
        stamp = str(record.get("updatedAt") or record.get("createdAt") or "")
        if str(work_id) not in latest or stamp > latest[str(work_id)][0]:
            latest[str(work_id)] = (stamp, record)
    rows = []
    for work_id, (_, record) in sorted(latest.items()):
        try:
            rows.append(_row(platform, account_id, work_id, record, fetched_at))
        except UnreadableItem as why:
            rejected.append(
                RejectedWork(account_id, work_id, f"publish record {record.get('id')}: {why}", str(record)[:20_000])
            )
    return pl.DataFrame(rows, schema=RAW_WORKS_SCHEMA), not_works, rejected


def _row(platform: str, account_id: str, work_id: str, record: dict[str, Any], fetched_at: datetime) -> dict:
    return {
        "platform": platform,
        "account_id": account_id,
        "platform_work_id": work_id,
        "content_mode": CONTENT_MODES.get(str(record.get("type"))),
        "title": read_text(record.get("title"), "title"),
        "description": read_text(record.get("desc"), "desc"),
        "url": read_text(record.get("workLink"), "workLink"),
        "cover_url": read_text(record.get("coverUrl"), "coverUrl"),
        "published_at": read_timestamp(record.get("publishTime"), "publishTime"),
        "fetched_at": fetched_at,
        "source": "publish_record",
        "publish_record_id": read_text(record.get("id"), "id"),
    }
