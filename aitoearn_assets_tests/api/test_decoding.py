"""Decoding answers: typed pages when every item fits the record type, the general way otherwise."""

from __future__ import annotations

import json

import msgspec
import pytest

from aitoearn_assets.api.decoding import TypedPageDecoder, decode_json


class Item(msgspec.Struct, gc=False):
    id: str
    count: int | None = None


DECODER = TypedPageDecoder(Item)


def page(items: list, code: int = 0, **envelope) -> bytes:
    body = {"code": code, "data": {"items": items, "pagination": {"hasNext": True, "nextCursor": "c2"}}}
    return json.dumps({**body, **envelope}).encode()


def test_a_clean_page_becomes_records_with_its_paging_and_request_id():
    typed = DECODER.decode(page([{"id": "a", "count": 3, "extra": [1]}, {"id": "b"}], requestId="req-1"))
    assert typed is not None
    assert typed.items == [Item("a", 3), Item("b", None)]
    assert typed.pagination == {"hasNext": True, "nextCursor": "c2"} and typed.request_id == "req-1"


@pytest.mark.parametrize(
    "body",
    [
        page([{"id": "a", "count": "3"}]),  # a string where an int is declared
        page([{"id": "a", "count": True}]),
        page([{"id": "a", "count": 3.0}]),
        page([{"count": 3}]),  # the required id is missing
        page([None]),
        page([], code=15080),  # an error envelope goes the general way, which raises it
        json.dumps({"code": 0, "data": {}}).encode(),
        b"not json",
    ],
)
def test_anything_else_is_left_to_the_general_way(body):
    assert DECODER.decode(body) is None


def test_the_general_way_reads_integers_past_64_bits():
    assert decode_json(b'{"n": 123456789012345678901234567890}') == {"n": 123456789012345678901234567890}
