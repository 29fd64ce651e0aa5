"""`raw_works` materialized through Dagster, over real HTTP, into a real DuckDB file."""

from __future__ import annotations

import dagster as dg
import pytest

from aitoearn_assets.api.platforms import PLATFORMS
from aitoearn_assets.defs.resources import AiToEarnResource
from aitoearn_assets.sandbox import SandboxDataset

from .helpers import materialization_metadata, materialize_platform, table, works_snapshot

LISTABLE = ["KWAI", "youtube", "twitter", "tiktok", "facebook", "instagram", "threads", "pinterest"]


def test_every_partition_lands_with_exact_keys(aitoearn, db_path):
    for platform in PLATFORMS:
        assert materialize_platform(aitoearn, db_path, platform).success
    counts = dict(table(db_path, "SELECT platform, count(*) FROM raw_works GROUP BY platform"))
    assert counts == {p: 60 for p in LISTABLE}  # 2 accounts x 30 works; the other 7 cannot list
    assert table(db_path, "SELECT count(*) FROM ingest_runs")[0][0] == 15


def test_metadata_says_what_happened(aitoearn, db_path):
    meta = materialization_metadata(materialize_platform(aitoearn, db_path, "twitter"))
    assert meta["dagster/row_count"] == 60 and meta["mode"] == "live"
    assert len(meta["accounts_fetched"]) == 2 and meta["accounts_skipped"] == {}
    assert meta["pages"] == 2 and meta["requests"] == 4  # /platforms, /accounts, one page per account
    assert "| platform |" in meta["preview"]

    zero = materialization_metadata(materialize_platform(aitoearn, db_path, "douyin"))
    assert zero["dagster/row_count"] == 0 and "cannot list works" in zero["cannot_list_reason"]


def test_a_rerun_changes_nothing_but_fetched_at(aitoearn, db_path):
    materialize_platform(aitoearn, db_path, "KWAI")
    before = table(db_path, "SELECT * EXCLUDE (fetched_at) FROM raw_works ORDER BY ALL")
    materialize_platform(aitoearn, db_path, "KWAI")
    assert table(db_path, "SELECT * EXCLUDE (fetched_at) FROM raw_works ORDER BY ALL") == before
    assert len(before) == 60


@pytest.mark.parametrize("fault", ["http_502", "not_json", "missing_data", "missing_pagination", "drop_connection"])
def test_a_failed_run_leaves_the_table_exactly_as_it_was(aitoearn, db_path, sandbox, fault):
    materialize_platform(aitoearn, db_path, "tiktok")
    before = works_snapshot(db_path)
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, works_per_account=35)  # new works appeared
    sandbox.faults.add(fault, times=None, account_id=sandbox.dataset.account_id("tiktok", 1), skip=1)

    result = materialize_platform(aitoearn, db_path, "tiktok")

    assert not result.success
    assert "failed 4 times" in str(result.get_step_failure_events()[0].event_specific_data.error)
    assert works_snapshot(db_path) == before


def test_a_skipped_account_keeps_its_earlier_rows(aitoearn, db_path, sandbox):
    materialize_platform(aitoearn, db_path, "instagram")
    revoked = sandbox.dataset.account_id("instagram", 0)
    kept = table(db_path, f"SELECT * FROM raw_works WHERE account_id = '{revoked}' ORDER BY ALL")
    sandbox.dataset = SandboxDataset(
        accounts_per_platform=2, works_per_account=40, revoked_accounts=frozenset({revoked})
    )

    result = materialize_platform(aitoearn, db_path, "instagram")

    assert result.success
    meta = materialization_metadata(result)
    assert "15048" in meta["accounts_skipped"][revoked] and meta["dagster/row_count"] == 40
    assert table(db_path, f"SELECT * FROM raw_works WHERE account_id = '{revoked}' ORDER BY ALL") == kept
    assert table(db_path, "SELECT count(*) FROM raw_works WHERE platform = 'instagram'") == [(70,)]
    (check,) = [c for c in result.get_asset_check_evaluations() if c.check_name == "raw_works_all_accounts_fetched"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN


def test_null_versus_zero_and_text_round_trip(aitoearn, db_path):
    materialize_platform(aitoearn, db_path, "tiktok")
    rows = table(db_path, "SELECT title, view_count, like_count FROM raw_works")
    titles = {r[0] for r in rows}
    assert {"", "'); DROP TABLE raw_works;--", "春节 vlog 🎉 \"double\" 'single' \\ back\tslash"} <= titles
    assert any(r[1] == 0 for r in rows) and any(r[1] is None for r in rows)  # the "full" profile has both
    assert table(db_path, "SELECT count(*) FROM raw_works WHERE description IS NULL")[0][0] > 0
    assert table(db_path, "SELECT count(*) FROM raw_works WHERE description = ''")[0][0] > 0


def test_sandbox_mode_says_so_and_never_writes_a_live_file(db_path):
    sandbox_mode = AiToEarnResource()
    meta = materialization_metadata(materialize_platform(sandbox_mode, db_path, "KWAI"))
    assert meta["mode"] == "sandbox"

    live = AiToEarnResource(api_key="sk-live", base_url="https://aitoearn.cn")
    result = materialize_platform(live, db_path, "douyin")  # refused before the write
    assert not result.success
    assert "holds sandbox data" in str(result.get_step_failure_events()[0].event_specific_data.error)


@pytest.mark.parametrize("url", ["http://aitoearn.cn", "ftp://127.0.0.1"])
def test_bad_base_url_fails_the_run_with_the_fix(db_path, url):
    result = materialize_platform(AiToEarnResource(api_key="sk-x", base_url=url), db_path, "KWAI")
    assert not result.success
    assert "AITOEARN_BASE_URL" in str(result.all_events)


def test_a_work_served_twice_is_stored_once(aitoearn, db_path, sandbox):
    sandbox.dataset = SandboxDataset(accounts_per_platform=1, works_per_account=50, repeat_work_on_next_page=True)
    meta = materialization_metadata(materialize_platform(aitoearn, db_path, "tiktok"))
    assert meta["duplicates_dropped"] == 2 and meta["dagster/row_count"] == 50
    assert table(db_path, "SELECT count(*), count(DISTINCT platform_work_id) FROM raw_works") == [(50, 50)]


def test_metrics_reported_follow_the_platform(aitoearn, db_path, sandbox):
    sandbox.dataset = SandboxDataset(metric_profile="realistic")
    kwai = materialization_metadata(materialize_platform(aitoearn, db_path, "KWAI"))
    youtube = materialization_metadata(materialize_platform(aitoearn, db_path, "youtube"))
    assert kwai["metrics_reported"] == ["view_count", "like_count", "comment_count"]
    assert youtube["metrics_reported"] == [] and youtube["dagster/row_count"] == 60
    assert table(db_path, "SELECT count(view_count) FROM raw_works WHERE platform = 'youtube'") == [(0,)]
