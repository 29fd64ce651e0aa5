"""The AiToEarn API as a Dagster resource, and the credentials that choose live or sandbox.

The credentials are a nested resource bound from the environment when the definitions load, so
run config that changes a setting of `aitoearn` (e.g. `max_concurrency` in the launchpad) never
replaces the key or the base URL: they are not part of `aitoearn`'s config at all.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

import dagster as dg
from pydantic import Field

from aitoearn_assets.api.base_url import DEFAULT_BASE_URL, normalize_base_url
from aitoearn_assets.api.client import AiToEarnClient
from aitoearn_assets.api.retry import RetryPolicy
from aitoearn_assets.clock import utc_now
from aitoearn_assets.sandbox import SANDBOX_API_KEY, SandboxApi, SandboxDataset, SandboxTransport

KEY_VARIABLE = "AITOEARN_API_KEY"
SANDBOX_VARIABLE = "AITOEARN_SANDBOX"
NO_MODE_MESSAGE = (
    f"Neither {KEY_VARIABLE} nor {SANDBOX_VARIABLE} is set in the environment of this code location, so this "
    f"run has no API to read. Set {KEY_VARIABLE} to your AiToEarn key for live data, or {SANDBOX_VARIABLE}=1 "
    "for the built-in demo sandbox, then reload the code location (or restart `dagster dev` / the daemon)."
)
BOTH_MODES_MESSAGE = (
    f"Both {KEY_VARIABLE} and {SANDBOX_VARIABLE} are set: choose one. Unset {SANDBOX_VARIABLE} to read the "
    f"live API, or unset {KEY_VARIABLE} for the demo sandbox."
)
SANDBOX_NOTICE = (
    f"SANDBOX MODE ({SANDBOX_VARIABLE}=1): the embedded sandbox API answers with made-up data, no network. "
    f"Set {KEY_VARIABLE} (and unset {SANDBOX_VARIABLE}) for live data."
)
#: Which of the sandbox's named data sets sandbox mode serves (default `demo`: 3 accounts a platform, 120 works
#: each, as a real key would see them; `varied`, `large`: sandbox/dataset.py DATASETS).
SANDBOX_DATASET_VARIABLE = "AITOEARN_SANDBOX_DATASET"


class AiToEarnCredentials(dg.ConfigurableResource):
    """Where the API is and the key to it; bound from the environment (`credentials_from_env`)."""

    api_key: str | None = Field(default=None, description=f"Sent as X-Api-Key; from {KEY_VARIABLE}.")
    base_url: str = Field(default=DEFAULT_BASE_URL, description="https://aitoearn.cn or https://aitoearn.ai")
    sandbox: bool = Field(default=False, description=f"Answer from the embedded sandbox ({SANDBOX_VARIABLE}=1).")

    def __repr_args__(self):  # pydantic's hook for repr() and str(): the key never shows
        for name, value in super().__repr_args__():
            yield name, ("<set>" if name == "api_key" and value else value)

    @property
    def mode(self) -> str:
        """`live`, `sandbox`, or `unset` / `conflict` when the environment chose neither or both."""
        if self.api_key and self.sandbox:
            return "conflict"
        if self.api_key:
            return "live"
        return "sandbox" if self.sandbox else "unset"

    def check(self) -> None:
        """Raise `dg.Failure` (not retried) naming the fix when no usable mode is set."""
        problem = {"unset": NO_MODE_MESSAGE, "conflict": BOTH_MODES_MESSAGE}.get(self.mode)
        if problem is None and self.mode == "live":
            try:
                normalize_base_url(self.base_url)
            except ValueError as err:
                problem = str(err)
        if problem:
            raise dg.Failure(description=problem, allow_retries=False)


def sandbox_requested(env: Mapping[str, str]) -> bool:
    """True when the environment asks for the sandbox (`AITOEARN_SANDBOX` is 1, true or yes)."""
    return env.get(SANDBOX_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def credentials_from_env(environ: dict[str, str] | None = None) -> AiToEarnCredentials:
    """The credentials the environment gives; the key is read through `dg.EnvVar`, never copied."""
    env = os.environ if environ is None else environ
    settings: dict[str, object] = {"sandbox": sandbox_requested(env)}
    if env.get(KEY_VARIABLE):
        settings["api_key"] = dg.EnvVar(KEY_VARIABLE)
    if env.get("AITOEARN_BASE_URL"):
        settings["base_url"] = dg.EnvVar("AITOEARN_BASE_URL")
    return AiToEarnCredentials(**settings)


class AiToEarnResource(dg.ConfigurableResource):
    """The AiToEarn Open Platform API: retries, timeouts and politeness limits (run config may change them)."""

    credentials: AiToEarnCredentials
    timeout_seconds: float = Field(default=30.0, gt=0, description="Per request (connect, read, write).")
    max_attempts: int = Field(default=5, ge=1, description="Tries per request, the first included.")
    backoff_base_seconds: float = Field(default=0.5, ge=0, description="Wait before the first retry; doubles.")
    max_backoff_seconds: float = Field(default=30.0, ge=0, description="Longest single wait between tries.")
    max_total_wait_seconds: float = Field(default=120.0, ge=0, description="Most waiting one request may do.")
    max_requests_per_second: float | None = Field(default=10.0, gt=0, description="Politeness: request rate cap.")
    max_concurrency: int = Field(default=4, ge=1, le=64, description="Politeness: requests in flight at once.")

    @property
    def is_sandbox(self) -> bool:
        return self.credentials.mode == "sandbox"

    @property
    def mode(self) -> str:
        return self.credentials.mode

    def check(self) -> None:
        """Fail before any request when the environment chose no mode (or a bad base URL)."""
        self.credentials.check()

    def client(self, log: logging.Logger | None = None, sandbox_api: SandboxApi | None = None) -> AiToEarnClient:
        """A new client (use it as a context manager). In sandbox mode it talks to `sandbox_api`
        (by default the faithful demo data set) through an in-process transport."""
        self.check()
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
            name = os.environ.get(SANDBOX_DATASET_VARIABLE) or "demo"
            # dated from the pipeline's clock: the newest works from the days before
            api = sandbox_api or SandboxApi(SandboxDataset.named(name, as_of=utc_now()))
            return AiToEarnClient(SANDBOX_API_KEY, "http://127.0.0.1", transport=SandboxTransport(api), **common)
        return AiToEarnClient(self.credentials.api_key or "", self.credentials.base_url, **common)


def resource_from_env(environ: dict[str, str] | None = None) -> AiToEarnResource:
    """The resource with the environment's credentials and default settings."""
    return AiToEarnResource(credentials=credentials_from_env(environ))
