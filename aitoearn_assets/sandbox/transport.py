"""Serve a SandboxApi in-process as an httpx transport (no sockets, no threads)."""

from __future__ import annotations

import time

import httpx

from aitoearn_assets.sandbox.app import SandboxApi, SandboxRequest


class SandboxTransport(httpx.BaseTransport):
    """An httpx transport answering from `api`; timeouts and dropped connections behave as on a
    real socket (httpx.ReadTimeout, httpx.RemoteProtocolError)."""

    def __init__(self, api: SandboxApi) -> None:
        self.api = api

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sandbox_request = SandboxRequest(
            method=request.method,
            target=request.url.raw_path.decode("ascii"),
            headers={k.lower(): v for k, v in request.headers.items()},
        )
        response = self.api.handle(sandbox_request)
        timeout = (request.extensions.get("timeout") or {}).get("read")
        if response.delay_seconds:
            if timeout is not None and response.delay_seconds > timeout:
                time.sleep(timeout)
                raise httpx.ReadTimeout("timed out waiting for the sandbox", request=request)
            time.sleep(response.delay_seconds)
        if response.drop_connection:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return httpx.Response(response.status, headers=response.headers, content=response.body, request=request)
