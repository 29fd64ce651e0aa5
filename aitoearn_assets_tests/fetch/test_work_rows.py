"""Reading served items faithfully: counts, NULL versus zero, text as served, set-aside items."""

from __future__ import annotations

import json
from datetime import datetime

import polars as pl
import pytest

from aitoearn_assets.api.decoding import decode_json
from aitoearn_assets.api.models import Pagination, WorksPage
from aitoearn_assets.fetch.platform_works import WORKS_DECODER
from aitoearn_assets.fetch.work_rows import (
    METRIC_COLUMNS,
    UnreadableItem,
    items_to_frame,
    pages_to_frame,
    read_count,
    read_item,
    read_page,
    read_timestamp,
    rows_to_frame,
)
from aitoearn_assets.sandbox import SandboxDataset

T = datetime(2026, 11, 2)


@pytest.mark.parametrize(("value", "expected"), [(0, 0), (12, 12), ("12", 12), (12.0, 12), (None, None)])
def test_counts_that_can_be_read_faithfully(value, expected):
    assert read_count(value, "likeCount") == expected


@pytest.mark.parametrize("value", [-5, "1.2w", "12.5", 1.5, True, {"n": 1}, [], ""])
def test_counts_that_cannot(value):
    with pytest.raises(UnreadableItem, match="likeCount"):
        read_count(value, "likeCount")


def test_published_at_is_stored_as_utc():
    assert read_timestamp("2026-07-02T12:00:00.000Z", "t") == datetime(2026, 7, 2, 12)
    assert read_timestamp("2026-07-02T20:00:00+08:00", "t") == datetime(2026, 7, 2, 12)
    with pytest.raises(UnreadableItem):
        read_timestamp("yesterday", "t")


def test_missing_metric_is_null_and_zero_stays_zero():
    frame = rows_to_frame(
        "tiktok", "acc", [read_item({"platformWorkId": "w1", "metrics": {"likeCount": 0}})], datetime(2026, 1, 1)
    )
    row = frame.row(0, named=True)
    assert row["like_count"] == 0
    assert all(row[c] is None for c in METRIC_COLUMNS if c != "like_count")


def test_text_is_kept_exactly_as_served():
    texts = ["", "春节 🎉 \"q\" 'single' \\ \t", "'); DROP TABLE raw_works;--", "x" * 200_000]
    rows = [read_item({"platformWorkId": f"w{i}", "title": t}) for i, t in enumerate(texts)]
    frame = rows_to_frame("xhs", "acc", rows, datetime(2026, 1, 1))
    assert frame["title"].to_list() == texts


def test_a_bad_item_is_set_aside_and_the_rest_kept():
    items = [
        {"platformWorkId": "ok", "metrics": {"likeCount": "7"}, "unknownField": 1},
        {"platformWorkId": "neg", "metrics": {"commentCount": -1}},
        None,
        {"platformWorkId": "nullmetrics", "metrics": None},
        {"title": "no id"},
    ]
    rows, rejected = read_page("acc", items)
    assert [r[0] for r in rows] == ["ok", "nullmetrics"]
    assert [(r.platform_work_id, r.reason) for r in rejected] == [
        ("neg", "commentCount is negative (-1)"),
        (None, "the item is NoneType, not an object"),
        (None, "platformWorkId is missing"),
    ]


def both_paths(items: list) -> tuple:
    """items_to_frame's result, and the item-by-item reading of the same items; and checks that the
    page of these items, as the client decodes it, gives the same rows and reasons as well."""
    fast, fast_rejected = items_to_frame("tiktok", "acc", items, T)
    rows, rejected = read_page("acc", items)
    from_page, page_rejected = pages_to_frame("tiktok", [("acc", [served_page(items)])], T)
    assert from_page.equals(fast) and [r.reason for r in page_rejected] == [r.reason for r in fast_rejected]
    return fast, fast_rejected, rows_to_frame("tiktok", "acc", rows, T), rejected


def served_page(items: list) -> WorksPage:
    """The page as the client makes it from the served bytes: typed records when every item fits."""
    body = json.dumps({"code": 0, "data": {"items": items, "pagination": {"hasNext": False}}}).encode()
    typed = WORKS_DECODER.decode(body)
    if typed is None:
        return WorksPage(Pagination.from_api({}), None, served_items=decode_json(body)["data"]["items"])
    return WorksPage(Pagination.from_api({}), None, records=typed.items, body=body)


@pytest.mark.parametrize("bad_items", [False, True])
def test_the_columnar_path_reads_exactly_what_the_item_path_reads(bad_items):
    ds = SandboxDataset(accounts_per_platform=1, works_per_account=200, bad_items=bad_items)
    items = [ds.work("tiktok", 0, i) for i in range(200)]
    fast, fast_rejected, slow, rejected = both_paths(items)
    assert fast.equals(slow) and fast.schema == slow.schema
    assert [r.reason for r in fast_rejected] == [r.reason for r in rejected]
    assert (served_page(items).records is None) == bad_items  # clean pages never build a dict per item


@pytest.mark.parametrize("platform", ["youtube", "twitter", "tiktok", "KWAI", "facebook", "instagram", "threads"])
@pytest.mark.parametrize("profile", ["faithful", "everything"])
def test_every_listing_platforms_pages_are_read_as_typed_records(platform, profile):
    ds = SandboxDataset(accounts_per_platform=1, works_per_account=50, metric_profile=profile)
    items = [ds.work(platform, 0, i) for i in range(50)]
    page = served_page(items)
    assert page.records is not None
    from_records, _ = pages_to_frame(platform, [("acc", [page])], T)
    from_items, _ = items_to_frame(platform, "acc", items, T)
    assert from_records.equals(from_items)


@pytest.mark.parametrize(
    "odd",
    [
        {"metrics": {"likeCount": True}},  # a boolean is not a count
        {"metrics": {"likeCount": 12.0}},  # an integral float is
        {"metrics": {"likeCount": 2**64}},  # past BIGINT
        {"publishedAt": "2026-11-01T08:00:00+08:00"},  # an offset: stored as UTC
        {"publishedAt": "2026-11-01T00:00:00"},  # no zone
        {"title": 7},
        {"platformWorkId": ""},  # fits the record type; the empty id is caught after decoding
        {"platformWorkId": None},
        {"metrics": {"likeCount": -1}},
        {"metrics": {"likeCount": "12"}},
        {"metrics": []},
        {"publishedAt": "yesterday"},
    ],
)
def test_odd_values_give_the_same_rows_either_way(odd):
    base = {
        "platformWorkId": "w1",
        "title": "t",
        "publishedAt": "2026-11-01T00:00:00.000Z",
        "metrics": {"viewCount": 5},
    }
    items = [{"platformWorkId": "w0", "publishedAt": "2026-10-01T00:00:00.000Z"}, {**base, **odd}]
    fast, fast_rejected, slow, rejected = both_paths(items)
    assert fast.equals(slow) and [r.reason for r in fast_rejected] == [r.reason for r in rejected]


def test_several_accounts_become_rows_in_one_pass_and_a_dirty_one_alone():
    ds = SandboxDataset(accounts_per_platform=3, works_per_account=20)
    clean = {f"acc{j}": [ds.work("tiktok", j, i) for i in range(20)] for j in range(3)}
    dirty = {**clean, "acc1": [*clean["acc1"][:19], {**clean["acc1"][19], "metrics": {"likeCount": -1}}]}
    for served in (clean, dirty):
        together, rejected = pages_to_frame("tiktok", [(a, [served_page(items)]) for a, items in served.items()], T)
        alone = [items_to_frame("tiktok", a, items, T) for a, items in served.items()]
        assert together.equals(pl.concat([frame for frame, _ in alone]))
        assert [(r.account_id, r.reason) for r in rejected] == [
            (r.account_id, r.reason) for _, bad in alone for r in bad
        ]
    assert [r.platform_work_id for r in rejected] == [clean["acc1"][19]["platformWorkId"]]
