"""A small `qs`-style query parser, as the backend's `extended` query parser reads strings.

`a[b]=1` becomes {"a": {"b": "1"}}, `a[]=x&a[]=y` and `a[0]=x` become lists, and a repeated
plain key stays a plain string (its last value), which is what makes flat `cursor=` useless.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_BRACKETED = re.compile(r"^([^\[\]]+)\[([^\[\]]*)\]$")


def parse_query(query: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        match = _BRACKETED.match(key)
        if not match:
            out[key] = value
            continue
        name, inner = match.groups()
        if inner == "" or inner.isdigit():
            current = out.get(name)
            out[name] = (current if isinstance(current, list) else []) + [value]
        else:
            current = out.get(name)
            nested = current if isinstance(current, dict) else {}
            nested[inner] = value
            out[name] = nested
    return out
