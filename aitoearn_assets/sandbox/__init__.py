"""A deterministic stand-in for the AiToEarn API, served in-process or on 127.0.0.1."""

from aitoearn_assets.sandbox.app import SANDBOX_API_KEY, SandboxApi
from aitoearn_assets.sandbox.dataset import SandboxDataset
from aitoearn_assets.sandbox.faults import FaultPlan
from aitoearn_assets.sandbox.server import SandboxServer, serve_in_thread
from aitoearn_assets.sandbox.transport import SandboxTransport

__all__ = [
    "SANDBOX_API_KEY",
    "FaultPlan",
    "SandboxApi",
    "SandboxDataset",
    "SandboxServer",
    "SandboxTransport",
    "serve_in_thread",
]
