"""The platforms the AiToEarn API knows and how each pages its works list."""

from __future__ import annotations

from dataclasses import dataclass

PLATFORMS: tuple[str, ...] = (
    "douyin",
    "xhs",
    "wxSph",
    "KWAI",
    "youtube",
    "wxGzh",
    "bilibili",
    "twitter",
    "tiktok",
    "facebook",
    "instagram",
    "threads",
    "pinterest",
    "linkedin",
    "google_business",
)


@dataclass(frozen=True)
class WorksPaging:
    """How a platform pages `GET /works/{platform}`: `None` mode means it cannot list works."""

    platform: str
    mode: str | None  # "cursor", "page", "none", or None when listWorks is unsupported
    default_limit: int | None = None
    max_limit: int | None = None
    supports_previous: bool = False

    @property
    def can_list(self) -> bool:
        return self.mode is not None


# The backend's per-platform table (reference section 1); used when `/platforms` cannot be read.
FALLBACK_WORKS_PAGING: dict[str, WorksPaging] = {p: WorksPaging(p, None) for p in PLATFORMS} | {
    "youtube": WorksPaging("youtube", "cursor", 25, 50),
    "twitter": WorksPaging("twitter", "cursor", 10, 100),
    "tiktok": WorksPaging("tiktok", "cursor", 20, 20),
    "KWAI": WorksPaging("KWAI", "cursor", 20, 200),
    "facebook": WorksPaging("facebook", "cursor", 25, 100, supports_previous=True),
    "instagram": WorksPaging("instagram", "cursor", 25, 100, supports_previous=True),
    "threads": WorksPaging("threads", "cursor", 25, 100, supports_previous=True),
    "pinterest": WorksPaging("pinterest", "cursor", 25, 100),
}


#: Platforms whose work analytics answer one snapshot per day over `since`..`until` (reference 3b, 5).
DAILY_SERIES_PLATFORMS = frozenset({"pinterest"})


def check_platform(platform: str) -> str:
    """Return `platform` if the API knows it, else raise a ValueError listing the exact keys."""
    if platform not in PLATFORMS:
        raise ValueError(
            f"Unknown platform {platform!r}. Use one of the exact, case-sensitive keys: {', '.join(PLATFORMS)}."
        )
    return platform


@dataclass(frozen=True)
class PlatformCapabilities:
    """What `GET /platforms` says a platform can do (`registered` False: the server does not list it)."""

    platform: str
    paging: WorksPaging
    work_analytics: bool = False
    account_analytics: bool = False
    registered: bool = True


#: Reference sections 3e and 5, used when `/platforms` cannot be read.
_WORK_ANALYTICS = {"douyin", "xhs", "bilibili", "KWAI", "youtube", "twitter", "tiktok", "facebook", "instagram",
                   "threads", "pinterest"}  # fmt: skip
_ACCOUNT_ANALYTICS = {
    "bilibili",
    "KWAI",
    "tiktok",
    "youtube",
    "twitter",
    "facebook",
    "instagram",
    "threads",
    "pinterest",
}
FALLBACK_CAPABILITIES: dict[str, PlatformCapabilities] = {
    p: PlatformCapabilities(
        p,
        FALLBACK_WORKS_PAGING[p],
        work_analytics=p in _WORK_ANALYTICS,
        account_analytics=p in _ACCOUNT_ANALYTICS,
        registered=p not in ("wxSph", "wxGzh"),
    )
    for p in PLATFORMS
}
