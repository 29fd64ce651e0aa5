"""Client for the AiToEarn Open Platform API v2. No Dagster in this package."""

from aitoearn_assets.api.client import AiToEarnClient, RequestStats
from aitoearn_assets.api.errors import ApiError, AuthError, ResponseFormatError, RetriesExhaustedError
from aitoearn_assets.api.models import Account
from aitoearn_assets.api.platforms import PLATFORMS, WorksPaging
from aitoearn_assets.api.retry import RetryPolicy

__all__ = [
    "PLATFORMS",
    "Account",
    "AiToEarnClient",
    "ApiError",
    "AuthError",
    "RequestStats",
    "ResponseFormatError",
    "RetriesExhaustedError",
    "RetryPolicy",
    "WorksPaging",
]
