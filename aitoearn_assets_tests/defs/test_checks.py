"""Every asset check passes on good data and fails on data built to fail it."""

from __future__ import annotations

from datetime import datetime, timedelta

import dagster as dg
import duckdb
import pytest

from aitoearn_assets.clock import utc_now
from aitoearn_assets.defs.checks.raw_works_checks import (
    raw_works_all_accounts_fetched,
    raw_works_key_unique,
    raw_works_metrics_still_reported,
    raw_works_no_failed_accounts,
    raw_works_no_negative_metrics,
    raw_works_platforms_fresh,
)
from aitoearn_assets.warehouse import quality
from aitoearn_assets.warehouse.engagement import build_account_engagement
from aitoearn_assets.warehouse.schema import ensure_schema
from aitoearn_assets.warehouse.writes import record_ingest_run

T = utc_now().replace(microsecond=0) - timedelta(hours=1)  # an hour before the pipeline's (pinned) clock


@pytest.fixture
def warehouse(tmp_path):
    path = str(tmp_path / "checks.duckdb")
    with duckdb.connect(path) as con:
        ensure_schema(con, "sandbox")
        for work_id in ("w1", "w2"):
            add_work(con, "tiktok", "acc", work_id, like=5)
        add_run(con, "tiktok", T, metrics=["like_count"])
        build_account_engagement(con, T)
    return path


def add_work(con, platform: str, account: str, work_id: str, like: int | None = None) -> None:
    con.execute(
        "INSERT INTO raw_works (platform, account_id, platform_work_id, like_count, view_count, fetched_at) "
        "VALUES (?, ?, ?, ?, 100, ?)",
        [platform, account, work_id, like, T],
    )


def add_run(con, platform: str, at: datetime, metrics: list[str], **fields) -> None:
    record_ingest_run(
        con,
        {"platform": platform, "run_id": "run", "fetched_at": at, "works_written": 1, "accounts_listed": ["acc"],
         "accounts_fetched": ["acc"], "metrics_reported": metrics, **fields},
    )  # fmt: skip


def account_engagement_one_row_per_account(con) -> dg.AssetCheckResult:
    """What the account_engagement step checks (its check_specs), from the same query."""
    mismatch = quality.engagement_row_mismatch(con)
    return dg.AssetCheckResult(passed=not any(mismatch.values()), metadata=mismatch)


def account_engagement_rates_non_negative(con) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=quality.negative_rates(con) == 0)


def run(check, path: str) -> dg.AssetCheckResult:
    with duckdb.connect(path) as con:  # evaluated inside the asset's step, on its connection
        return check(con)


def spoil(path: str, sql: str, *params) -> None:
    with duckdb.connect(path) as con:
        con.execute(sql, list(params))


RAW_WORKS_CHECKS = [
    raw_works_key_unique,
    raw_works_no_negative_metrics,
    raw_works_no_failed_accounts,
    raw_works_all_accounts_fetched,
    raw_works_metrics_still_reported,
    raw_works_platforms_fresh,
]
ALL_CHECKS = [*RAW_WORKS_CHECKS, account_engagement_one_row_per_account, account_engagement_rates_non_negative]


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_checks_pass_on_good_data(warehouse, check):
    assert run(check, warehouse).passed


def test_duplicate_key_fails(warehouse):
    spoil(warehouse, "INSERT INTO raw_works SELECT * FROM raw_works WHERE platform_work_id = 'w1'")
    result = run(raw_works_key_unique, warehouse)
    assert not result.passed and result.metadata["duplicate_keys"].value == ["tiktok/acc/w1 x2"]


def test_negative_metric_fails(warehouse):
    spoil(warehouse, "UPDATE raw_works SET like_count = -1 WHERE platform_work_id = 'w2'")
    result = run(raw_works_no_negative_metrics, warehouse)
    assert not result.passed and result.metadata["negative_rows_by_metric"].value == {"like_count": 1}


def test_skipped_account_warns_with_its_name(warehouse):
    with duckdb.connect(warehouse) as con:
        add_run(
            con,
            "tiktok",
            T + timedelta(minutes=1),
            ["like_count"],
            accounts_skipped=[{"account_id": "acc2", "reason": "code 15048"}],
        )
    result = run(raw_works_all_accounts_fetched, warehouse)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["skipped"].value == ["tiktok/acc2: code 15048"]


def test_a_metric_the_platform_stopped_reporting_warns(warehouse):
    with duckdb.connect(warehouse) as con:
        add_run(con, "tiktok", T + timedelta(minutes=1), [])
    result = run(raw_works_metrics_still_reported, warehouse)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["no_longer_reported"].value == ["tiktok.like_count"]


def test_engagement_missing_an_account_fails(warehouse):
    spoil(
        warehouse,
        "INSERT INTO raw_works (platform, account_id, platform_work_id, fetched_at) VALUES ('KWAI', 'new', 'x', ?)",
        T,
    )
    result = run(account_engagement_one_row_per_account, warehouse)
    assert not result.passed and result.metadata["missing"].value == 1


def test_engagement_duplicated_row_fails(warehouse):
    spoil(warehouse, "INSERT INTO account_engagement SELECT * FROM account_engagement")
    assert run(account_engagement_one_row_per_account, warehouse).metadata["duplicated"].value == 1


def test_negative_rate_fails(warehouse):
    spoil(warehouse, "UPDATE account_engagement SET engagement_rate = -0.5")
    assert not run(account_engagement_rates_non_negative, warehouse).passed


def test_an_account_that_failed_is_an_error_naming_it(warehouse):
    with duckdb.connect(warehouse) as con:
        add_run(con, "tiktok", T + timedelta(minutes=1), ["like_count"],
                accounts_failed=[{"account_id": "acc3", "reason": "code 15070: denied"}])  # fmt: skip
    result = run(raw_works_no_failed_accounts, warehouse)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert result.metadata["failed"].value == ["tiktok/acc3: code 15070: denied"]


def test_a_held_account_warns_with_the_way_out(warehouse):
    with duckdb.connect(warehouse) as con:
        add_run(con, "tiktok", T + timedelta(minutes=1), ["like_count"],
                accounts_held=[{"account_id": "acc", "reason": "returned 0 works where 2 are stored; allow_shrink"}])  # fmt: skip
    result = run(raw_works_all_accounts_fetched, warehouse)
    assert not result.passed and "allow_shrink" in result.metadata["held"].value[0]


def test_a_platform_without_a_success_for_26_hours_is_stale(warehouse):
    with duckdb.connect(warehouse) as con:
        add_run(con, "KWAI", T - timedelta(hours=30), ["like_count"])
        add_run(con, "KWAI", T, [], status="failed", error="listing failed")  # a failure is no fresh data
        add_run(con, "twitter", T - timedelta(hours=30), [], status="failed", error="down")
    result = run(raw_works_platforms_fresh, warehouse)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    stale = result.metadata["stale"].value
    assert [s.split(":")[0] for s in stale] == ["KWAI", "twitter"]  # tiktok ran an hour ago: fresh
    assert "never fetched successfully" in stale[1]
