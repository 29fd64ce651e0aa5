"""Every asset check passes on good data and fails on data built to fail it."""

from __future__ import annotations

from datetime import datetime

import dagster as dg
import duckdb
import pytest

from aitoearn_assets.defs.checks.analytics_checks import (
    account_engagement_one_row_per_account,
    account_engagement_rates_non_negative,
)
from aitoearn_assets.defs.checks.raw_works_checks import (
    raw_works_all_accounts_fetched,
    raw_works_key_unique,
    raw_works_metrics_still_reported,
    raw_works_no_negative_metrics,
)
from aitoearn_assets.defs.warehouse import WarehouseResource
from aitoearn_assets.warehouse.analytics import build_account_engagement
from aitoearn_assets.warehouse.schema import ensure_schema

T = datetime(2026, 11, 1)


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


def add_run(con, platform: str, at: datetime, metrics: list[str], skipped: list[dict] | None = None) -> None:
    con.execute(
        "INSERT INTO ingest_runs VALUES (?, 'run', ?, 1, ['acc'], ['acc'], ?::STRUCT(account_id VARCHAR, reason VARCHAR)[], ?, NULL)",
        [platform, at, skipped or [], metrics],
    )


def run(check, path: str) -> dg.AssetCheckResult:
    return check(warehouse=WarehouseResource(database=path))


def spoil(path: str, sql: str, *params) -> None:
    with duckdb.connect(path) as con:
        con.execute(sql, list(params))


ALL_CHECKS = [
    raw_works_key_unique,
    raw_works_no_negative_metrics,
    raw_works_all_accounts_fetched,
    raw_works_metrics_still_reported,
    account_engagement_one_row_per_account,
    account_engagement_rates_non_negative,
]


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
        add_run(con, "tiktok", T.replace(day=2), ["like_count"], [{"account_id": "acc2", "reason": "code 15048"}])
    result = run(raw_works_all_accounts_fetched, warehouse)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["skipped"].value == ["tiktok/acc2: code 15048"]


def test_a_metric_the_platform_stopped_reporting_warns(warehouse):
    with duckdb.connect(warehouse) as con:
        add_run(con, "tiktok", T.replace(day=2), [])
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
