"""Validation of the API base URL: https anywhere, plain http only to this machine."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "https://aitoearn.cn"
LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback_host(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(base_url: str) -> str:
    """Return the base URL without a trailing slash or `/api`, or raise ValueError naming the fix.

    `/api/v2/...` is appended by the client, so both `https://aitoearn.cn` and
    `https://aitoearn.cn/api` are accepted.
    """
    parts = urlsplit(base_url.strip())
    fix = "Set AITOEARN_BASE_URL to https://aitoearn.cn, https://aitoearn.ai or http://127.0.0.1:<port> for a local sandbox."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"AITOEARN_BASE_URL {base_url!r} is not an http(s) URL. {fix}")
    if parts.username or parts.password:
        raise ValueError(f"AITOEARN_BASE_URL must not carry credentials; the key goes in AITOEARN_API_KEY. {fix}")
    if parts.query or parts.fragment:
        raise ValueError(f"AITOEARN_BASE_URL {base_url!r} must not have a query or fragment. {fix}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(
            f"AITOEARN_BASE_URL {base_url!r} uses plain http to a host that is not this machine; "
            f"the API key would travel unencrypted. Use https. {fix}"
        )
    path = parts.path.rstrip("/")
    if path.endswith("/api"):
        path = path[: -len("/api")]
    return f"{parts.scheme}://{parts.netloc}{path}"
