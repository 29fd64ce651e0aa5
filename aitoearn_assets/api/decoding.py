"""Decoding answers: the general way (`decode_json`), and a list page straight into typed records.

A `TypedPageDecoder` decodes `{code: 0, data: {items: [...], pagination: {...}}}` with every item
checked against the caller's record type (a `msgspec.Struct`): no dict per item, and the checks run
in msgspec's C code. Its types are strict: a number where text is declared, a string, a fraction or
a boolean where an integer is declared, a value outside a declared bound, or a missing required
field fails the whole page, and so does anything but a success envelope. A page that fails there
is decoded the general way, which reads or explains every item (see `client.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import msgspec


def decode_json(content: bytes) -> Any:
    """msgspec (fast); the standard decoder for what msgspec refuses but Python's json takes."""
    try:
        return msgspec.json.decode(content)
    except msgspec.DecodeError:
        return json.loads(content)


@dataclass(frozen=True)
class TypedPage:
    """A success page decoded into records: its items, its `pagination`, its `requestId`, the body."""

    items: list[Any]
    pagination: dict[str, Any]
    request_id: str | None
    body: bytes


class TypedPageDecoder:
    """Decodes a success page whose items are all of `item_type` (a `msgspec.Struct` subclass)."""

    def __init__(self, item_type: type[msgspec.Struct]) -> None:
        data = msgspec.defstruct("PageData", [("items", list[item_type]), ("pagination", dict[str, Any])], gc=False)
        envelope = msgspec.defstruct("Envelope", [("code", int), ("data", data), ("requestId", str | None, None)])
        self._decoder = msgspec.json.Decoder(envelope)

    def decode(self, body: bytes) -> TypedPage | None:
        """The page, or None when the body is not a success page whose items all fit `item_type`."""
        try:
            envelope = self._decoder.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        if envelope.code != 0:
            return None
        return TypedPage(envelope.data.items, envelope.data.pagination, envelope.requestId, body)
