"""Fetching a whole platform over real HTTP: skip rules, duplicates, set-aside items."""

from __future__ import annotations

from aitoearn_assets.fetch.platform_works import fetch_platform_works
from aitoearn_assets.sandbox import SandboxDataset


def test_every_account_and_work_of_the_platform(tmp_path, make_client, sandbox):
    result = fetch_platform_works(make_client(), "instagram", tmp_path, max_concurrency=2)
    assert sorted(result.fetched_account_ids) == [sandbox.dataset.account_id("instagram", j) for j in range(2)]
    works = result.read_frame()
    assert works.height == result.staged_rows == 60 and not result.skipped and not result.rejected
    assert set(works["platform"]) == {"instagram"}
    assert result.stage.spilled(result.fetched_account_ids) == {}  # well within the memory budget: no file


def test_a_platform_that_cannot_list_reads_its_publish_records_and_says_why(tmp_path, make_client, sandbox):
    result = fetch_platform_works(make_client(), "douyin", tmp_path)
    assert "cannot list works" in result.cannot_list_reason and result.source == "publish_record"
    works = result.read_frame().sort("account_id", "platform_work_id")
    ds = sandbox.dataset
    # each account's 12 records are of works 18 to 29; by seq mod 12, 0, 1, 2, 4, 6, 8 (twice: 9 republishes
    # 8) and 10 are published works
    published = [seq for seq in range(18, 30) if seq % 12 in (0, 1, 2, 4, 6, 8, 10)]
    expected = sorted((ds.account_id("douyin", j), ds.work_id("douyin", j, seq)) for j in range(2) for seq in published)
    assert list(zip(works["account_id"], works["platform_work_id"], strict=True)) == expected
    assert set(works["source"]) == {"publish_record"} and works["view_count"].null_count() == works.height
    assert result.records_not_works == {"status 8": 2, "status -1": 2, "status 0": 2, "no platformWorkId yet": 2}
    republished = works.filter(works["platform_work_id"] == ds.work_id("douyin", 0, 20)).row(0, named=True)
    assert republished["publish_record_id"].endswith("00021")  # the most recently updated of its two records
    assert republished["url"] == f"https://douyin.example/video/{ds.work_id('douyin', 0, 20)}"
    assert not any("/works/douyin" in t for t in sandbox.seen)  # nothing but records asked


def test_hidden_platforms_read_records_and_never_ask_for_work_details(tmp_path, make_client, sandbox):
    result = fetch_platform_works(make_client(), "wxSph", tmp_path)
    assert result.read_frame().height == 14 and "not registered" in result.cannot_list_reason
    assert [t for t in sandbox.seen if "/works/" in t] == []


def test_a_failing_records_call_skips_that_account(tmp_path, make_client, sandbox):
    sandbox.dataset = type(sandbox.dataset)(
        accounts_per_platform=2, extra_accounts=({"id": "bilibili_not_mine", "type": "bilibili", "status": 1},)
    )
    sandbox.faults.add("account_missing_15076", times=None, path_contains="/publish/records",
                       account_id="bilibili_not_mine")  # fmt: skip
    result = fetch_platform_works(make_client(), "bilibili", tmp_path)
    assert [(f.account_id, f.reason) for f in result.failed] == [
        ("bilibili_not_mine", "code 15076: Platform account missing")
    ]
    assert result.read_frame().height == 14


def test_offline_and_revoked_accounts_are_skipped_with_their_reason(tmp_path, make_client, sandbox):
    ds = sandbox.dataset
    offline, revoked, fine = (ds.account_id("twitter", j) for j in range(3))
    sandbox.dataset = SandboxDataset(
        accounts_per_platform=3, works_per_account=30,
        offline_accounts=frozenset({offline}), revoked_accounts=frozenset({revoked}),
    )  # fmt: skip
    result = fetch_platform_works(make_client(), "twitter", tmp_path)
    assert result.fetched_account_ids == [fine]
    reasons = {s.account_id: s.reason for s in result.skipped}
    assert "status 0" in reasons[offline] and "15048" in reasons[revoked]
    assert result.read_frame().height == 30


def test_a_work_served_twice_is_kept_once(tmp_path, make_client, sandbox):
    sandbox.dataset = SandboxDataset(accounts_per_platform=1, works_per_account=50, repeat_work_on_next_page=True)
    result = fetch_platform_works(make_client(), "tiktok", tmp_path)  # pages of 20, each repeating one work
    works = result.read_frame()
    assert result.staged_rows - works.height == 2
    assert works.height == 50 and works["platform_work_id"].n_unique() == 50


def test_bad_items_are_set_aside_and_counted(tmp_path, make_client, sandbox):
    sandbox.dataset = SandboxDataset(accounts_per_platform=1, works_per_account=50, bad_items=True)
    result = fetch_platform_works(make_client(), "KWAI", tmp_path)
    # positions 13 ("1.2w"), 19 (negative) and 37 (null item) are set aside; 7, 23, 29 and 31 are stored
    works = result.read_frame()
    assert len(result.rejected) == 3 and works.height == 47
    rows = {r["platform_work_id"]: r for r in works.iter_rows(named=True)}
    assert rows["kw0w0000007"]["like_count"] == 12
    assert all(rows["kw0w0000023"][c] is None for c in ("view_count", "like_count"))
    assert len(rows["kw0w0000031"]["description"]) == 70_000


def test_concurrency_and_rate_stay_within_the_politeness_limits(tmp_path, make_client, sandbox):
    sandbox.dataset = SandboxDataset(accounts_per_platform=6, works_per_account=10)
    sandbox.latency_seconds = 0.05
    result = fetch_platform_works(make_client(max_concurrency=2), "KWAI", tmp_path, max_concurrency=4)
    assert len(result.fetched_account_ids) == 6
    assert sandbox.max_in_flight == 2  # the client's bound wins over a larger thread pool

    sandbox.max_in_flight = 0
    fetch_platform_works(make_client(max_concurrency=4), "KWAI", tmp_path, max_concurrency=4)
    assert sandbox.max_in_flight == 4


def test_code_15080_from_the_works_endpoint_falls_back_to_publish_records(tmp_path, make_client, sandbox):
    sandbox.claim_every_platform_lists = True  # /platforms says douyin lists works; the endpoint says 15080
    result = fetch_platform_works(make_client(), "douyin", tmp_path)
    assert result.read_frame().height == 14 and "15080" in result.cannot_list_reason


def test_an_account_of_another_key_is_skipped(tmp_path, make_client, sandbox):
    sandbox.dataset = SandboxDataset(
        accounts_per_platform=1,
        works_per_account=5,
        extra_accounts=({"id": "KWAI_not_mine", "type": "KWAI", "status": 1},),
    )
    result = fetch_platform_works(make_client(), "KWAI", tmp_path)
    assert [(s.account_id, s.reason) for s in result.skipped] == [("KWAI_not_mine", "code 12600: Account not found")]
    assert result.read_frame().height == 5


def test_records_that_answer_not_supported_fail_the_account_instead_of_asking_again(tmp_path, make_client, sandbox):
    answered = sandbox.dataset.account_id("douyin", 1)
    sandbox.faults.add("unsupported_15080", times=None, path_contains="/publish/records", account_id=answered)
    result = fetch_platform_works(make_client(), "douyin", tmp_path)
    assert [(f.account_id, f.reason) for f in result.failed] == [
        (answered, "code 15080: This platform does not support this operation")
    ]
    assert result.read_frame().height == 7  # the other account's published works
    assert sum("/publish/records" in t and answered in t for t in sandbox.seen) == 1
