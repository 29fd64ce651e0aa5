"""Data-quality queries behind the asset checks. Each returns what is wrong (empty: all good)."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from aitoearn_assets.metrics import METRIC_COLUMNS


def duplicate_work_keys(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[tuple[str, str, str, int]]:
    """(platform, account_id, platform_work_id, copies) for keys stored more than once."""
    return con.execute(
        "SELECT platform, account_id, platform_work_id, count(*) AS copies FROM raw_works "
        "GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL LIMIT ?",
        [limit],
    ).fetchall()


def negative_metrics(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """{metric column: rows with a negative value}, only for columns that have any."""
    counts = ", ".join(f"count(*) FILTER (WHERE {c} < 0)" for c in METRIC_COLUMNS)
    row = con.execute(f"SELECT {counts} FROM raw_works").fetchone() or ()
    return {c: n for c, n in zip(METRIC_COLUMNS, row, strict=True) if n}


_LATEST_OK_RUNS = """
    SELECT * FROM ingest_runs WHERE status = 'ok'
    QUALIFY row_number() OVER (PARTITION BY platform ORDER BY recorded_at DESC NULLS LAST, fetched_at DESC) = 1
"""


def _accounts_named_in(con: duckdb.DuckDBPyConnection, column: str) -> list[tuple[str, str, str]]:
    return con.execute(
        f"""
        WITH latest AS ({_LATEST_OK_RUNS})
        SELECT platform, s.account_id, s.reason
        FROM latest, unnest({column}) AS t(s)
        ORDER BY ALL
        """
    ).fetchall()


def skipped_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(platform, account_id, reason) skipped by each platform's latest run (offline, needs re-authorization)."""
    return _accounts_named_in(con, "accounts_skipped")


def failed_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(platform, account_id, reason) whose fetch failed with an error in each platform's latest run."""
    return _accounts_named_in(con, "accounts_failed")


def held_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(platform, account_id, reason) whose shrunken listing was not written in each platform's latest run."""
    return _accounts_named_in(con, "accounts_held")


def partial_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(platform, account_id, reason) whose listing stopped early in each platform's latest run (nothing deleted)."""
    return _accounts_named_in(con, "accounts_partial")


def stale_platforms(con: duckdb.DuckDBPyConnection, now: datetime, max_age: timedelta) -> list[tuple[str, str]]:
    """(platform, why) for every platform ever attempted whose last successful fetch is older than `max_age`."""
    rows = con.execute(
        """
        SELECT platform, max(fetched_at) FILTER (WHERE status = 'ok') AS last_ok
        FROM ingest_runs GROUP BY platform ORDER BY platform
        """
    ).fetchall()
    return [
        (
            platform,
            "never fetched successfully" if last_ok is None else f"last successful fetch {last_ok:%Y-%m-%d %H:%M} UTC",
        )
        for platform, last_ok in rows
        if last_ok is None or now - last_ok > max_age
    ]


def retired_metrics(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(platform, metric) reported by the platform's previous run but by no work in its latest one."""
    return con.execute(
        """
        WITH listed AS (
            SELECT platform, metrics_reported,
                   row_number() OVER (PARTITION BY platform ORDER BY recorded_at DESC NULLS LAST, fetched_at DESC) AS age
            FROM ingest_runs
            WHERE status = 'ok' AND cannot_list_reason IS NULL AND len(accounts_fetched) > 0
        )
        SELECT latest.platform, m.metric
        FROM listed AS latest
        JOIN listed AS previous ON previous.platform = latest.platform AND previous.age = 2,
             unnest(previous.metrics_reported) AS m(metric)
        WHERE latest.age = 1 AND NOT list_contains(latest.metrics_reported, m.metric)
        ORDER BY ALL
        """
    ).fetchall()


def engagement_row_mismatch(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Accounts with works (of those the key lists) missing from account_engagement, extra ones, duplicated ones."""
    (missing, extra, duplicated) = con.execute(
        """
        WITH r AS (SELECT DISTINCT platform, account_id FROM work_engagement),
             e AS (SELECT platform, account_id, count(*) AS n FROM account_engagement GROUP BY ALL)
        SELECT (SELECT count(*) FROM r ANTI JOIN e USING (platform, account_id)),
               (SELECT count(*) FROM e ANTI JOIN r USING (platform, account_id)),
               (SELECT count(*) FROM e WHERE n > 1)
        """
    ).fetchone()  # type: ignore[misc]
    return {"missing": missing, "extra": extra, "duplicated": duplicated}


def negative_rates(con: duckdb.DuckDBPyConnection) -> int:
    """Rows of account_engagement with a negative rate."""
    (n,) = con.execute(
        "SELECT count(*) FROM account_engagement WHERE engagement_rate < 0 OR median_engagement_rate < 0 "
        "OR engagement_rate_by_followers < 0"
    ).fetchone()  # type: ignore[misc]
    return n
