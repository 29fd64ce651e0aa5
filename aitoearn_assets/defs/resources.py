"""Dagster resources: the AiToEarn API and the settings that choose sandbox or live."""

import logging
import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from aitoearn_assets.api.base_url import DEFAULT_BASE_URL, normalize_base_url
from aitoearn_assets.api.client import AiToEarnClient
from aitoearn_assets.api.retry import RetryPolicy
from aitoearn_assets.sandbox import SANDBOX_API_KEY, SandboxApi, SandboxDataset, SandboxTransport

LIVE_DUCKDB_PATH = "data/aitoearn.duckdb"
SANDBOX_DUCKDB_PATH = "data/sandbox.duckdb"
SANDBOX_NOTICE = (
    "SANDBOX MODE: AITOEARN_API_KEY is not set, so the embedded sandbox API answers (made-up data, no "
    f"network) and data goes to {SANDBOX_DUCKDB_PATH} unless AITOEARN_DUCKDB_PATH says otherwise."
)


class AiToEarnResource(dg.ConfigurableResource):
    """The AiToEarn Open Platform API. With no `api_key`, the embedded sandbox answers in-process."""

    api_key: str | None = Field(default=None, description="Sent as X-Api-Key. Unset: sandbox mode.")
    base_url: str = Field(default=DEFAULT_BASE_URL, description="https://aitoearn.cn or https://aitoearn.ai")
    timeout_seconds: float = Field(default=30.0, gt=0, description="Per request (connect, read, write).")
    max_attempts: int = Field(default=5, ge=1, description="Tries per request, the first included.")
    backoff_base_seconds: float = Field(default=0.5, ge=0, description="Wait before the first retry; doubles.")
    max_backoff_seconds: float = Field(default=30.0, ge=0, description="Longest single wait between tries.")
    max_total_wait_seconds: float = Field(default=120.0, ge=0, description="Most waiting one request may do.")
    max_requests_per_second: float | None = Field(default=10.0, gt=0, description="Politeness: request rate cap.")
    max_concurrency: int = Field(default=4, ge=1, le=64, description="Politeness: requests in flight at once.")

    @property
    def is_sandbox(self) -> bool:
        return not self.api_key

    @property
    def mode(self) -> str:
        return "sandbox" if self.is_sandbox else "live"

    def validate_settings(self) -> None:
        """Raise ValueError naming the fix if the base URL is unusable (called at run start)."""
        if not self.is_sandbox:
            normalize_base_url(self.base_url)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self.validate_settings()

    def client(self, log: logging.Logger | None = None, sandbox_api: SandboxApi | None = None) -> AiToEarnClient:
        """A new client (use it as a context manager). In sandbox mode it talks to `sandbox_api`
        (by default the demo data set) through an in-process transport."""
        retry = RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay_seconds=self.backoff_base_seconds,
            max_delay_seconds=self.max_backoff_seconds,
            max_total_wait_seconds=self.max_total_wait_seconds,
        )
        common = dict(
            timeout_seconds=self.timeout_seconds,
            retry=retry,
            max_requests_per_second=self.max_requests_per_second,
            max_concurrency=self.max_concurrency,
            log=log,
        )
        if self.is_sandbox:  # in-process, nobody to be polite to: no rate cap
            common["max_requests_per_second"] = None
            api = sandbox_api or SandboxApi(SandboxDataset(accounts_per_platform=3, works_per_account=120))
            return AiToEarnClient(SANDBOX_API_KEY, "http://127.0.0.1", transport=SandboxTransport(api), **common)
        return AiToEarnClient(self.api_key or "", self.base_url, **common)


def resource_from_env(environ: dict[str, str] | None = None) -> AiToEarnResource:
    """The resource as the environment configures it; the key is read through `dg.EnvVar`."""
    env = os.environ if environ is None else environ
    settings: dict[str, object] = {}
    if env.get("AITOEARN_API_KEY"):
        settings["api_key"] = dg.EnvVar("AITOEARN_API_KEY")
    if env.get("AITOEARN_BASE_URL"):
        settings["base_url"] = dg.EnvVar("AITOEARN_BASE_URL")
    return AiToEarnResource(**settings)


def duckdb_path_from_env(environ: dict[str, str] | None = None) -> str:
    """AITOEARN_DUCKDB_PATH, else the default file of the mode (live and sandbox never share one)."""
    env = os.environ if environ is None else environ
    path = env.get("AITOEARN_DUCKDB_PATH") or (LIVE_DUCKDB_PATH if env.get("AITOEARN_API_KEY") else SANDBOX_DUCKDB_PATH)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return path
