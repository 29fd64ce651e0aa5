"""The limit: the requests a contender sent (the sandbox's journal of them), sent again with the same concurrency,
each answer read and its JSON decoded, nothing else.

usage: bare_replay.py BASE_URL API_KEY CONCURRENCY JOURNAL.json
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from common import report


def main() -> None:
    base_url, key, concurrency, journal = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    with open(journal, encoding="utf-8") as f:
        targets = [target for _, target, refused in json.load(f) if not refused]
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, headers={"X-Api-Key": key},
                      limits=httpx.Limits(max_connections=concurrency)) as http:  # fmt: skip

        def get(target: str) -> int:
            body = json.loads(http.get(target).content)
            return int(body["code"] == 0)

        with ThreadPoolExecutor(concurrency) as pool:
            answered = sum(pool.map(get, targets))
    report(requests=len(targets), answered=answered, wall_seconds=time.perf_counter() - started)


if __name__ == "__main__":
    main()
