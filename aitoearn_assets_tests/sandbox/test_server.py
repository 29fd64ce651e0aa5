"""`python -m aitoearn_assets.sandbox` serves the API on a loopback port, as documented."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from aitoearn_assets.sandbox import SANDBOX_API_KEY, SandboxApi
from aitoearn_assets.sandbox.server import SandboxServer


def test_the_sandbox_runs_as_its_own_process():
    server = subprocess.Popen(
        [sys.executable, "-m", "aitoearn_assets.sandbox", "--port", "0", "--works-per-account", "7"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        banner = server.stdout.readline()
        base_url = banner.split(" on ", 1)[1].split(" ", 1)[0]
        answer = httpx.get(f"{base_url}/api/v2/channels/accounts", headers={"X-Api-Key": SANDBOX_API_KEY}).json()
        account = answer["data"]["list"][0]
        works = httpx.get(
            f"{base_url}/api/v2/channels/works/{account['type']}",
            params={"accountId": account["id"]},
            headers={"X-Api-Key": SANDBOX_API_KEY},
        ).json()
        assert answer["code"] == 0 and works["code"] in (0, 15080, 15032)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # never left running after the test
            server.kill()
            server.wait()
            raise


def test_it_refuses_to_listen_beyond_this_machine():
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(SandboxApi(), host="0.0.0.0")
