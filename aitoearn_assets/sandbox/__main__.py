"""`python -m aitoearn_assets.sandbox --port 8765`: serve the sandbox API on 127.0.0.1."""

from __future__ import annotations

import argparse

from aitoearn_assets.sandbox.app import SANDBOX_API_KEY, SandboxApi
from aitoearn_assets.sandbox.dataset import METRIC_PROFILES, SandboxDataset
from aitoearn_assets.sandbox.server import SandboxServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the AiToEarn sandbox API on a loopback port.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--accounts-per-platform", type=int, default=2)
    parser.add_argument("--works-per-account", type=int, default=30)
    parser.add_argument("--metric-profile", choices=METRIC_PROFILES, default="faithful")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer")
    parser.add_argument("--cache-answers", action="store_true", help="encode each answer once (benchmarks)")
    args = parser.parse_args(argv)
    dataset = SandboxDataset(
        seed=args.seed,
        accounts_per_platform=args.accounts_per_platform,
        works_per_account=args.works_per_account,
        metric_profile=args.metric_profile,
    )
    server = SandboxServer(
        SandboxApi(dataset, latency_seconds=args.latency_ms / 1000, cache_answers=args.cache_answers),
        args.host,
        args.port,
    )
    print(f"AiToEarn sandbox on {server.base_url} (key: {SANDBOX_API_KEY}); Ctrl-C stops it", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
