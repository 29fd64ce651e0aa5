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


def check_platform(platform: str) -> str:
    """Return `platform` if the API knows it, else raise a ValueError listing the exact keys."""
    if platform not in PLATFORMS:
        raise ValueError(
            f"Unknown platform {platform!r}. Use one of the exact, case-sensitive keys: {', '.join(PLATFORMS)}."
        )
    return platform
