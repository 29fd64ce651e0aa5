"""Serve a SandboxApi over real HTTP/1.1 on a loopback port (threaded, keep-alive)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aitoearn_assets.api.base_url import is_loopback_host
from aitoearn_assets.sandbox.app import SandboxApi, SandboxRequest

#: Where a server whose API keeps a journal hands it out (`--journal`; benchmarks replay it as the bare loop).
JOURNAL_PATH = "/__sandbox/journal"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave together: no 40 ms delayed-ACK stalls
    wbufsize = -1  # buffered; the stdlib flushes after each request
    server: SandboxServer

    def do_GET(self) -> None:
        if self.path.startswith(JOURNAL_PATH) and self.server.api.journal is not None:
            self._send_journal()
            return
        request = SandboxRequest("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
        response = self.server.api.handle(request)
        if response.delay_seconds:
            time.sleep(response.delay_seconds)
        if response.drop_connection:
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def _send_journal(self) -> None:
        """The requests answered so far (and forget them): [[time, target, refused], ...]."""
        journal = self.server.api.journal
        entries, journal[:] = list(journal), []  # type: ignore[index]
        body = json.dumps(entries).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests and benchmarks
        pass


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, api: SandboxApi, host: str = "127.0.0.1", port: int = 0) -> None:
        if not is_loopback_host(host):
            raise ValueError(f"The sandbox serves only on this machine's loopback addresses, not {host!r}")
        self.api = api
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


@contextmanager
def serve_in_thread(api: SandboxApi, host: str = "127.0.0.1", port: int = 0) -> Iterator[SandboxServer]:
    """Run a SandboxServer in a background thread for the `with` block; yields it (see base_url)."""
    server = SandboxServer(api, host, port)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="aitoearn-sandbox", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
