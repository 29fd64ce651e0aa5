"""`raw_works` materialized through Dagster, over real HTTP, into a real DuckDB file."""

from __future__ import annotations

import dagster as dg
import pytest

from aitoearn_assets.api.platforms import PLATFORMS
from aitoearn_assets.defs.resources.aitoearn import AiToEarnCredentials, AiToEarnResource
from aitoearn_assets.sandbox import SandboxDataset

from .helpers import (
    check_results,
    materialization_metadata,
    materialize_analytics,
    materialize_platform,
    materialize_platforms,
    partition_events,
    table,
    works_snapshot,
)

LISTABLE = ["KWAI", "youtube", "twitter", "tiktok", "facebook", "instagram", "threads", "pinterest"]


def test_every_partition_lands_with_exact_keys(aitoearn, db_path):
    for platform in PLATFORMS:
        assert materialize_platform(aitoearn, db_path, platform).success
    counts = dict(table(db_path, "SELECT platform, count(*) FROM raw_works GROUP BY platform"))
    # 2 accounts x 30 listed works; the other 7 cannot list: 2 accounts x 7 works from publish records
    assert counts == {p: 60 if p in LISTABLE else 14 for p in PLATFORMS}
    assert table(db_path, "SELECT count(*) FROM ingest_runs")[0][0] == 15


def test_metadata_says_what_happened(aitoearn, db_path):
    meta = materialization_metadata(materialize_platform(aitoearn, db_path, "twitter"))
    assert meta["dagster/row_count"] == 60 and meta["mode"] == "live" and meta["status"] == "ok"
    assert len(meta["accounts_fetched"]) == 2 and meta["accounts_skipped"] == {}
    assert meta["pages"] == 2 and meta["requests"] == 2  # one page per account (/platforms, /accounts: once a run)
    assert "| platform |" in meta["preview"]

    records = materialization_metadata(materialize_platform(aitoearn, db_path, "douyin"))
    assert "cannot list works" in records["cannot_list_reason"] and records["source"] == "publish_record"
    assert records["works_from_publish_records"] == records["dagster/row_count"] == 14


def test_a_rerun_changes_nothing_but_fetched_at(aitoearn, db_path):
    materialize_platform(aitoearn, db_path, "KWAI")
    before = table(db_path, "SELECT * EXCLUDE (fetched_at) FROM raw_works ORDER BY ALL")
    materialize_platform(aitoearn, db_path, "KWAI")
    assert table(db_path, "SELECT * EXCLUDE (fetched_at) FROM raw_works ORDER BY ALL") == before
    assert len(before) == 60


@pytest.mark.parametrize("fault", ["http_502", "not_json", "missing_data", "missing_pagination", "drop_connection"])
def test_an_account_that_keeps_failing_keeps_its_rows_and_the_others_land(aitoearn, db_path, sandbox, fault):
    materialize_platform(aitoearn, db_path, "tiktok")
    broken = sandbox.dataset.account_id("tiktok", 1)
    before = table(db_path, f"SELECT * FROM raw_works WHERE account_id = '{broken}' ORDER BY ALL")
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, works_per_account=35)  # new works appeared
    sandbox.faults.add(fault, times=None, account_id=broken, skip=1)

    result = materialize_platform(aitoearn, db_path, "tiktok")

    assert result.success  # the run is green; the ERROR check is red and names the account
    meta = materialization_metadata(result)
    assert "failed 4 times" in meta["accounts_failed"][broken] and meta["dagster/row_count"] == 35
    assert table(db_path, f"SELECT * FROM raw_works WHERE account_id = '{broken}' ORDER BY ALL") == before
    assert table(db_path, "SELECT count(*) FROM raw_works WHERE platform = 'tiktok'") == [(65,)]
    check = check_results(result)["raw_works_no_failed_accounts"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["failed"].value[0].startswith(f"tiktok/{broken}: GET /api/v2/channels/works/tiktok failed")


def test_a_platform_whose_listing_fails_leaves_the_table_exactly_as_it_was(aitoearn, db_path, sandbox):
    materialize_platform(aitoearn, db_path, "tiktok")
    before = works_snapshot(db_path)
    sandbox.faults.add("http_502", times=None, path_contains="/accounts")

    result = materialize_platform(aitoearn, db_path, "tiktok")

    assert not result.success
    error = str(result.get_step_failure_events()[-1].event_specific_data.error)
    assert "raw_works failed for tiktok" in error and "failed 4 times" in error
    assert works_snapshot(db_path) == before
    runs = table(db_path, "SELECT status, coalesce(error, '') FROM ingest_runs ORDER BY fetched_at, recorded_at")
    # transient (retries exhausted): Dagster's RetryPolicy ran the step twice more, each attempt recorded
    assert [status for status, _ in runs] == ["ok", "failed", "failed", "failed"]
    assert all(error.startswith("listing the accounts failed") for _, error in runs[1:])
    # the checks ran on the failure path too: the platform's latest fetch failed
    assert "raw_works_platforms_fresh" in check_results(result)


def test_a_skipped_account_keeps_its_earlier_rows(aitoearn, db_path, sandbox):
    materialize_platform(aitoearn, db_path, "instagram")
    revoked = sandbox.dataset.account_id("instagram", 0)
    kept = table(db_path, f"SELECT * FROM raw_works WHERE account_id = '{revoked}' ORDER BY ALL")
    sandbox.dataset = SandboxDataset(
        accounts_per_platform=2, works_per_account=40, revoked_accounts=frozenset({revoked})
    )  # the other account grows from 30 to 40 works

    result = materialize_platform(aitoearn, db_path, "instagram")

    assert result.success
    meta = materialization_metadata(result)
    assert "15048" in meta["accounts_skipped"][revoked] and meta["dagster/row_count"] == 40
    assert table(db_path, f"SELECT * FROM raw_works WHERE account_id = '{revoked}' ORDER BY ALL") == kept
    assert table(db_path, "SELECT count(*) FROM raw_works WHERE platform = 'instagram'") == [(70,)]
    check = check_results(result)["raw_works_all_accounts_fetched"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN


def test_null_versus_zero_and_text_round_trip(aitoearn, db_path, sandbox):
    sandbox.dataset = SandboxDataset(metric_profile="everything")  # some metrics missing, some zero
    materialize_platform(aitoearn, db_path, "tiktok")
    rows = table(db_path, "SELECT title, view_count, like_count FROM raw_works")
    titles = {r[0] for r in rows}
    assert {"", "'); DROP TABLE raw_works;--", "春节 vlog 🎉 \"double\" 'single' \\ back\tslash"} <= titles
    assert any(r[1] == 0 for r in rows) and any(r[1] is None for r in rows)
    assert table(db_path, "SELECT count(*) FROM raw_works WHERE description IS NULL")[0][0] > 0
    assert table(db_path, "SELECT count(*) FROM raw_works WHERE description = ''")[0][0] > 0


def test_sandbox_mode_says_so_and_never_writes_a_live_file(db_path):
    sandbox_mode = AiToEarnResource(credentials=AiToEarnCredentials(sandbox=True))
    meta = materialization_metadata(materialize_platform(sandbox_mode, db_path, "KWAI"))
    assert meta["mode"] == "sandbox"

    live = AiToEarnResource(credentials=AiToEarnCredentials(api_key="sk-live", base_url="https://aitoearn.cn"))
    result = materialize_platform(live, db_path, "douyin")  # refused before any request
    assert not result.success
    assert "holds sandbox data" in str(result.get_step_failure_events()[0].event_specific_data.error)


@pytest.mark.parametrize("url", ["http://aitoearn.cn", "ftp://127.0.0.1"])
def test_bad_base_url_fails_the_run_with_the_fix(db_path, url):
    credentials = AiToEarnCredentials(api_key="sk-x", base_url=url)
    result = materialize_platform(AiToEarnResource(credentials=credentials), db_path, "KWAI")
    assert not result.success
    assert "AITOEARN_BASE_URL" in str(result.all_events)


def test_a_work_served_twice_is_stored_once(aitoearn, db_path, sandbox):
    sandbox.dataset = SandboxDataset(accounts_per_platform=1, works_per_account=50, repeat_work_on_next_page=True)
    meta = materialization_metadata(materialize_platform(aitoearn, db_path, "tiktok"))
    assert meta["duplicates_dropped"] == 2 and meta["dagster/row_count"] == 50
    assert table(db_path, "SELECT count(*), count(DISTINCT platform_work_id) FROM raw_works") == [(50, 50)]


def test_metrics_reported_follow_the_platform(aitoearn, db_path, sandbox):
    sandbox.dataset = SandboxDataset(metric_profile="faithful")
    kwai = materialization_metadata(materialize_platform(aitoearn, db_path, "KWAI"))
    youtube = materialization_metadata(materialize_platform(aitoearn, db_path, "youtube"))
    assert kwai["metrics_reported"] == ["view_count", "like_count", "comment_count"]
    assert youtube["metrics_reported"] == [] and youtube["dagster/row_count"] == 60
    assert table(db_path, "SELECT count(view_count) FROM raw_works WHERE platform = 'youtube'") == [(0,)]


# -- one run, many platforms (the schedule, "Materialize all", --partition-range) -----------------


def test_one_run_fetches_every_platform_and_records_each_partition(aitoearn, db_path):
    result = materialize_platforms(aitoearn, db_path, "douyin", "google_business")

    assert result.success
    materialized = partition_events(result, "ASSET_MATERIALIZATION")  # every partition, with its own figures
    assert set(materialized) == set(PLATFORMS)
    assert materialized["KWAI"]["dagster/row_count"] == 60 and materialized["KWAI"]["status"] == "ok"
    assert "cannot list works" in materialized["douyin"]["cannot_list_reason"]
    assert materialized["douyin"]["dagster/row_count"] == 14 and materialized["tiktok"]["source"] == "list"
    counts = dict(table(db_path, "SELECT platform, count(*) FROM raw_works GROUP BY platform"))
    assert counts == {p: 60 if p in LISTABLE else 14 for p in PLATFORMS}
    assert table(db_path, "SELECT count(DISTINCT run_id), count(*) FROM ingest_runs") == [(1, 15)]


def test_one_failing_platform_keeps_its_rows_the_others_land_and_the_run_fails_naming_it(aitoearn, db_path, sandbox):
    materialize_platforms(aitoearn, db_path, "douyin", "google_business")
    tiktok_before = table(db_path, "SELECT * FROM raw_works WHERE platform = 'tiktok' ORDER BY ALL")
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, works_per_account=31)  # one new work each
    sandbox.faults.add("http_502", times=None, path_contains="/works/tiktok")

    result = materialize_platforms(aitoearn, db_path, "douyin", "google_business")

    assert not result.success
    error = str(result.get_step_failure_events()[-1].event_specific_data.error)
    assert "raw_works failed for tiktok" in error and "14 other platform(s) landed" in error
    assert table(db_path, "SELECT * FROM raw_works WHERE platform = 'tiktok' ORDER BY ALL") == tiktok_before
    assert table(db_path, "SELECT count(*) FROM raw_works WHERE platform = 'KWAI'") == [(62,)]
    assert partition_events(result, "ASSET_OBSERVATION")["tiktok"]["status"] == "failed"
    materialized = partition_events(result, "ASSET_MATERIALIZATION")
    assert "tiktok" not in materialized and materialized["KWAI"]["dagster/row_count"] == 62
    failed_runs = table(db_path, "SELECT platform, error FROM ingest_runs WHERE status = 'failed'")
    assert {p for p, _ in failed_runs} == {"tiktok"} and "every account failed" in failed_runs[0][1]


def test_an_account_error_skips_only_that_account(aitoearn, db_path, sandbox):
    sandbox.dataset = SandboxDataset(accounts_per_platform=4, works_per_account=30)
    materialize_platform(aitoearn, db_path, "instagram")
    denied, exhausted = (sandbox.dataset.account_id("instagram", j) for j in (1, 2))
    kept = table(db_path, f"SELECT * FROM raw_works WHERE account_id IN ('{denied}', '{exhausted}') ORDER BY ALL")
    sandbox.dataset = SandboxDataset(accounts_per_platform=4, works_per_account=33)
    sandbox.faults.add("permission_15070", times=None, account_id=denied)
    sandbox.faults.add("http_503", times=None, account_id=exhausted)

    result = materialize_platform(aitoearn, db_path, "instagram")

    assert result.success
    meta = materialization_metadata(result)
    assert meta["accounts_failed"][denied] == "code 15070: instagram platform API request failed"
    assert "failed 4 times" in meta["accounts_failed"][exhausted]
    assert meta["dagster/row_count"] == 66  # the two healthy accounts, 33 works each
    assert (
        table(db_path, f"SELECT * FROM raw_works WHERE account_id IN ('{denied}', '{exhausted}') ORDER BY ALL") == kept
    )
    failed = check_results(result)["raw_works_no_failed_accounts"]
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    assert sorted(failed.metadata["failed"].value) == sorted(
        [f"instagram/{denied}: code 15070: instagram platform API request failed", f"instagram/{exhausted}: "
         + meta["accounts_failed"][exhausted]]
    )  # fmt: skip


def test_a_401_stops_the_fetch_at_once_and_is_not_retried(aitoearn, db_path, sandbox):
    sandbox.dataset = SandboxDataset(accounts_per_platform=50, works_per_account=5)
    sandbox.faults.add("unauthorized", times=None)  # the key is revoked: every works call answers 401

    result = materialize_platform(aitoearn, db_path, "KWAI")

    assert not result.success
    error = str(result.get_step_failure_events()[-1].event_specific_data.error)
    assert "AITOEARN_API_KEY" in error and "401" in error
    works_calls = [t for t in sandbox.seen if "/works/" in t]
    assert 1 <= len(works_calls) <= aitoearn.max_concurrency  # at most those already in flight; 46+ never start
    assert not any(e.event_type_value == "STEP_UP_FOR_RETRY" for e in result.all_events)


def test_an_empty_or_halved_listing_keeps_the_stored_rows_unless_allowed(aitoearn, db_path, sandbox):
    materialize_platform(aitoearn, db_path, "twitter")
    emptied, halved = (sandbox.dataset.account_id("twitter", j) for j in (0, 1))
    before = works_snapshot(db_path)
    sandbox.dataset = SandboxDataset(
        accounts_per_platform=2, works_per_account=30, works_overrides={emptied: 0, halved: 14}
    )

    result = materialize_platform(aitoearn, db_path, "twitter")

    assert result.success and works_snapshot(db_path) == before
    meta = materialization_metadata(result)
    assert (
        set(meta["accounts_held"]) == {emptied, halved}
        and "returned 14 works where 30" in meta["accounts_held"][halved]
    )
    warn = check_results(result)["raw_works_all_accounts_fetched"]
    assert not warn.passed and len(warn.metadata["held"].value) == 2

    allowed = materialize_platform(
        aitoearn, db_path, "twitter", run_config={"ops": {"raw_works": {"config": {"allow_shrink": True}}}}
    )
    assert allowed.success
    assert table(db_path, "SELECT account_id, count(*) FROM raw_works GROUP BY 1") == [(halved, 14)]


# -- platforms without a works list: their publish records ----------------------------------------


def published_works(sandbox, platform: str) -> list[tuple[str, str]]:
    """(account_id, platform_work_id) of every served record that is a published work, each once."""
    ds = sandbox.dataset
    return sorted(
        {(r["accountId"], r["platformWorkId"]) for j in range(ds.accounts_per_platform)
         for r in ds.publish_records(platform, j) if r["status"] == 1 and r.get("platformWorkId")}
    )  # fmt: skip


@pytest.mark.parametrize("platform", ["bilibili", "douyin", "xhs", "wxSph"])
def test_platforms_without_a_list_hold_exactly_their_published_records(aitoearn, db_path, sandbox, platform):
    first = materialize_platform(aitoearn, db_path, platform)
    assert first.success
    stored = table(
        db_path, f"SELECT account_id, platform_work_id FROM raw_works WHERE platform = '{platform}' ORDER BY ALL"
    )
    assert stored == published_works(sandbox, platform) and len(stored) == 14
    assert table(db_path, "SELECT DISTINCT source FROM raw_works") == [("publish_record",)]
    meta = materialization_metadata(first)
    assert meta["publish_records_not_works"]["status -1"] == 2 and meta["works_from_publish_records"] == 14
    assert table(db_path, "SELECT source, cannot_list_reason IS NOT NULL FROM ingest_runs") == [
        ("publish_record", True)
    ]

    before = works_snapshot(db_path)
    assert materialize_platform(aitoearn, db_path, platform).success
    assert [r[:-3] for r in works_snapshot(db_path)] == [r[:-3] for r in before]  # idempotent but for fetched_at
    assert not any("/works/" in t for t in sandbox.seen if platform == "wxSph")  # no work detail, ever


# -- nothing lost on the fetch paths: a good run, then a bad answer --------------------------------


def test_a_listing_cut_short_writes_what_it_read_and_deletes_nothing(aitoearn, db_path, sandbox):
    """Day 2: one account's upstream hands back the cursor it was given on page 4 of 6 (a repeated cursor):
    its listing is partial, so no stored work is deleted; the works it did read are updated."""
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, works_per_account=120)
    assert materialize_platform(aitoearn, db_path, "tiktok").success  # 20 works a page: 6 pages each
    cut = sandbox.dataset.account_id("tiktok", 0)
    before = table(db_path, f"SELECT platform_work_id FROM raw_works WHERE account_id = '{cut}' ORDER BY 1")
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, works_per_account=125)  # 5 new works each
    sandbox.faults.add("echo_cursor", times=None, path_contains="/works/tiktok", account_id=cut, skip=3)

    result = materialize_platform(aitoearn, db_path, "tiktok")

    assert result.success
    meta = materialization_metadata(result)
    assert "repeated cursor" in meta["accounts_partial"][cut] and cut in meta["accounts_fetched"]
    after = table(db_path, f"SELECT platform_work_id FROM raw_works WHERE account_id = '{cut}' ORDER BY 1")
    assert set(before) < set(after) and len(after) == 125  # none lost; the new ones came on the first pages
    assert table(db_path, "SELECT count(*) FROM raw_works WHERE platform = 'tiktok'") == [(250,)]
    warn = check_results(result)["raw_works_all_accounts_fetched"]
    assert not warn.passed and warn.severity == dg.AssetCheckSeverity.WARN
    assert warn.metadata["partial"].value[0].startswith(f"tiktok/{cut}: listing stopped early")
    ((partial,),) = table(db_path, "SELECT accounts_partial FROM ingest_runs ORDER BY recorded_at DESC LIMIT 1")
    assert [p["account_id"] for p in partial] == [cut]


def test_an_unreadable_count_keeps_the_works_stored_row(aitoearn, db_path, sandbox):
    """Day 2: one work's likeCount arrives as "1.2w": it is set aside and keeps its day-1 row (so it stays in
    top_works and its history); the account's other works are replaced as usual."""
    assert materialize_platform(aitoearn, db_path, "KWAI").success
    account = sandbox.dataset.account_id("KWAI", 0)
    odd = sandbox.dataset.work_id("KWAI", 0, sandbox.dataset.listed_seq("KWAI", 0, 4))
    kept = table(db_path, f"SELECT * FROM raw_works WHERE platform_work_id = '{odd}' AND account_id = '{account}'")
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, works_per_account=30, unreadable_works=frozenset({odd}))

    result = materialize_platform(aitoearn, db_path, "KWAI")

    assert result.success and materialization_metadata(result)["items_set_aside"] == 1
    assert (
        table(db_path, f"SELECT * FROM raw_works WHERE platform_work_id = '{odd}' AND account_id = '{account}'") == kept
    )
    assert table(db_path, "SELECT platform_work_id, reason FROM rejected_works") == [
        (odd, "likeCount is not a count ('1.2w')")
    ]
    assert table(db_path, f"SELECT count(*) FROM raw_works WHERE account_id = '{account}'") == [(30,)]
    assert table(db_path, f"SELECT count(*) FROM work_snapshots WHERE platform_work_id = '{odd}'") == [(1,)]


def test_every_account_is_fetched_even_when_a_filtered_listing_is_capped(aitoearn, db_path, sandbox):
    """The backend lists at most 1,000 accounts when `types` is given; the stand-in caps it at 2. raw_works
    lists once, unfiltered: all 28 accounts are fetched."""
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, works_per_account=5,
                                     extra_accounts=({"id": "tiktok_third", "type": "tiktok", "status": 1},))  # fmt: skip
    sandbox.filtered_accounts_cap = 2
    result = materialize_platforms(aitoearn, db_path, "douyin", "google_business")
    assert result.success
    listed = {a for (accounts,) in table(db_path, "SELECT accounts_listed FROM ingest_runs") for a in accounts}
    assert len(listed) == 31 and "tiktok_third" in listed
    assert not [t for t in sandbox.seen if "types" in t]


def test_an_account_the_key_no_longer_lists_keeps_its_rows_and_leaves_the_analytics(aitoearn, db_path, sandbox):
    gone = sandbox.dataset.account_id("twitter", 1)
    assert materialize_platform(aitoearn, db_path, "twitter").success
    assert materialize_analytics(aitoearn, db_path).success
    rows = table(db_path, f"SELECT count(*) FROM raw_works WHERE account_id = '{gone}'")
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, works_per_account=30, removed_accounts=frozenset({gone}))

    assert materialize_platform(aitoearn, db_path, "twitter").success  # the account is not listed: not fetched
    assert materialize_analytics(aitoearn, db_path).success

    assert table(db_path, f"SELECT count(*) FROM raw_works WHERE account_id = '{gone}'") == rows != [(0,)]
    assert table(db_path, f"SELECT removed_at IS NOT NULL FROM accounts WHERE account_id = '{gone}'") == [(True,)]
    for derived in ("account_engagement", "top_works", "work_engagement"):
        assert table(db_path, f"SELECT count(*) FROM {derived} WHERE account_id = '{gone}'") == [(0,)], derived


def test_a_retry_fetches_only_the_platforms_that_failed(aitoearn, db_path, sandbox):
    """The first attempt of a three-platform run fails for tiktok (its API is down for a moment); Dagster's
    step retry fetches tiktok alone: the platforms that landed are not asked again."""
    sandbox.faults.add("http_502", times=8, path_contains="/works/tiktok")  # both accounts, 4 attempts each

    result = materialize_platforms(aitoearn, db_path, "KWAI", "tiktok")

    assert result.success
    assert sum(e.event_type_value == "STEP_UP_FOR_RETRY" for e in result.all_events) == 1
    assert sum("/works/KWAI" in t for t in sandbox.seen) == 2 and sum("/works/youtube" in t for t in sandbox.seen) == 2
    runs = table(db_path, "SELECT platform, list(status ORDER BY recorded_at) FROM ingest_runs GROUP BY 1 ORDER BY 1")
    # the range KWAI...tiktok: KWAI, youtube, wxGzh, bilibili, twitter, tiktok; each landed once
    assert runs == [(p, ["failed", "ok"] if p == "tiktok" else ["ok"])
                    for p in sorted(["KWAI", "youtube", "wxGzh", "bilibili", "twitter", "tiktok"])]  # fmt: skip
    materialized = partition_events(result, "ASSET_MATERIALIZATION")
    assert materialized["KWAI"]["dagster/row_count"] == 60 and materialized["tiktok"]["dagster/row_count"] == 60


def test_a_platform_that_fails_every_day_turns_the_freshness_check_red(aitoearn, db_path, sandbox, monkeypatch):
    assert materialize_platform(aitoearn, db_path, "tiktok").success
    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-02T06:00:00")  # 30 h later
    sandbox.faults.add("http_502", times=None, path_contains="/works/tiktok")
    result = materialize_platform(aitoearn, db_path, "tiktok")
    assert not result.success
    fresh = check_results(result)["raw_works_platforms_fresh"]  # evaluated on the failure path too
    assert not fresh.passed and fresh.severity == dg.AssetCheckSeverity.ERROR
    assert fresh.metadata["stale"].value == ["tiktok: last successful fetch 2026-11-01 00:00 UTC"]


def test_a_platform_the_warehouse_refuses_fails_alone_and_the_checks_still_run(aitoearn, db_path, monkeypatch):
    """Writing tiktok fails (as a full disk would fail it): tiktok is recorded failed, every other platform of
    the run lands, and the checks are evaluated."""
    import duckdb

    from aitoearn_assets.defs.assets import raw_works as module

    real = module.replace_account_works

    def refuse_tiktok(con, platform, *args, **kwargs):
        if platform == "tiktok":
            raise duckdb.IOException("No space left on device")
        return real(con, platform, *args, **kwargs)

    monkeypatch.setattr(module, "replace_account_works", refuse_tiktok)
    result = materialize_platforms(aitoearn, db_path, "twitter", "facebook")  # twitter, tiktok, facebook
    assert not result.success
    runs = table(db_path, f"SELECT platform, status FROM ingest_runs WHERE run_id = '{result.run_id}' ORDER BY 1")
    # tiktok failed on the first try and on both step retries, which asked tiktok alone
    assert runs == [("facebook", "ok"), *[("tiktok", "failed")] * 3, ("twitter", "ok")]
    assert table(db_path, "SELECT DISTINCT error FROM ingest_runs WHERE platform = 'tiktok'") == [
        ("writing to the warehouse failed: IOException: No space left on device",)
    ]
    assert table(db_path, "SELECT platform, count(*) FROM raw_works GROUP BY 1 ORDER BY 1") == [
        ("facebook", 60), ("twitter", 60)]  # fmt: skip
    assert "raw_works_key_unique" in check_results(result)
