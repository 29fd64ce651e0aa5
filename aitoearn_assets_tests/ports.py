"""A free loopback port for a server the tests start in another process (Postgres, the Dagster webserver).

The port is free when chosen; another process may take it before the server binds it, so a server whose
start can fail that way is started again on a new port (`Postgres.start`). The sandbox needs none of this:
it binds port 0 itself (`serve_in_thread`, `python -m aitoearn_assets.sandbox --port 0`).
"""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
