"""Hand-made works for the insight tests, written into a real DuckDB warehouse as the pipeline writes them."""

from __future__ import annotations

from datetime import date, datetime

import duckdb

T = datetime(2026, 11, 20, 12)
D = date(2026, 11, 20)


def add_work(
    con: duckdb.DuckDBPyConnection,
    work_id: str,
    published: datetime | None,
    views: int | None,
    likes: int | None,
    *,
    account: str = "a",
    platform: str = "tiktok",
    mode: str | None = "video",
    title: str | None = None,
    description: str | None = None,
) -> None:
    con.execute(
        "INSERT INTO raw_works (platform, account_id, platform_work_id, content_mode, title, description, published_at, "
        "view_count, like_count, fetched_at, observed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [platform, account, work_id, mode, title, description, published, views, likes, T, D],
    )


def add_snapshot(
    con: duckdb.DuckDBPyConnection, work_id: str, day: date, exposure: int, *, seen: date | None = None,
    account: str = "a", platform: str = "tiktok",
) -> None:  # fmt: skip
    """A snapshot on `day` with views `exposure`, observed on `seen` (default that day) and 1 like per 10 views."""
    seen = seen or day
    con.execute(
        "INSERT INTO work_snapshots (platform, account_id, platform_work_id, snapshot_date, view_count, like_count, "
        "fetched_at, exposure, exposure_metric, exposure_observed_on, interactions, interactions_metric, "
        "interactions_observed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'view_count', ?, ?, 'like_count', ?)",
        [platform, account, work_id, day, exposure, exposure // 10, T, exposure, seen, exposure // 10, seen],
    )
