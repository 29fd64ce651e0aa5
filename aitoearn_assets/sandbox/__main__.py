"""`python -m aitoearn_assets.sandbox --port 8765`: serve the sandbox API on 127.0.0.1."""

from __future__ import annotations

import argparse

from aitoearn_assets.sandbox.app import SANDBOX_API_KEY, SandboxApi
from aitoearn_assets.sandbox.dataset import DATASETS, METRIC_PROFILES, SandboxDataset
from aitoearn_assets.sandbox.server import SandboxServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the AiToEarn sandbox API on a loopback port.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0: any free port (the first line printed names it)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dataset", choices=sorted(DATASETS), help="a named data set (the sizes below override it)")
    parser.add_argument("--accounts-per-platform", type=int)
    parser.add_argument("--works-per-account", type=int)
    parser.add_argument("--metric-profile", choices=METRIC_PROFILES, default="faithful")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer")
    parser.add_argument("--rate-limit", type=float, help="the guard's requests per second (over it: code 429)")
    parser.add_argument("--cache-answers", action="store_true", help="encode each answer once (benchmarks)")
    parser.add_argument("--journal", action="store_true", help="keep every request, handed out at /__sandbox/journal")
    args = parser.parse_args(argv)
    sizes = {"accounts_per_platform": args.accounts_per_platform, "works_per_account": args.works_per_account}
    changes = {k: v for k, v in sizes.items() if v is not None}
    if args.works_per_account is not None:
        changes["works_range"] = None
    if args.dataset:
        dataset = SandboxDataset.named(args.dataset, seed=args.seed, metric_profile=args.metric_profile, **changes)
    else:
        dataset = SandboxDataset(seed=args.seed, metric_profile=args.metric_profile, **changes)
    api = SandboxApi(dataset, latency_seconds=args.latency_ms / 1000, cache_answers=args.cache_answers,
                     rate_limit_per_second=args.rate_limit, journal=[] if args.journal else None)  # fmt: skip
    server = SandboxServer(api, args.host, args.port)
    print(f"AiToEarn sandbox on {server.base_url} (key: {SANDBOX_API_KEY}); Ctrl-C stops it", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
