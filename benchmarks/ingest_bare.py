"""The limit: the same requests with the same concurrency, only decoding the JSON.

usage: ingest_bare.py BASE_URL API_KEY CONCURRENCY
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from common import MAX_LIMIT, report

from aitoearn_assets.api.platforms import PLATFORMS


def main() -> None:
    base_url, key, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    works = requests = 0
    started = time.perf_counter()
    with httpx.Client(base_url=base_url + "/api/v2/channels", headers={"X-Api-Key": key},
                      limits=httpx.Limits(max_connections=concurrency)) as http:  # fmt: skip

        def get(path: str, params: dict | None = None) -> dict:
            return json.loads(http.get(path, params=params).content)["data"]

        def account_works(platform: str, account_id: str) -> tuple[int, int]:
            n = pages = 0
            params = {"accountId": account_id, "pagination[limit]": str(MAX_LIMIT[platform])}
            while True:
                data = get(f"/works/{platform}", params)
                n, pages = n + len(data["items"]), pages + 1
                if not data["pagination"]["hasNext"] or not data["items"]:
                    return n, pages
                params["pagination[cursor]"] = data["pagination"]["nextCursor"]

        with ThreadPoolExecutor(concurrency) as pool:
            for platform in PLATFORMS:
                get("/platforms")
                accounts = get("/accounts", {"types[]": platform})["list"]
                requests += 2
                if platform not in MAX_LIMIT:
                    continue
                for n, pages in pool.map(account_works, [platform] * len(accounts), [a["id"] for a in accounts]):
                    works, requests = works + n, requests + pages
    report(works=works, requests=requests, wall_seconds=time.perf_counter() - started)


if __name__ == "__main__":
    main()
