"""Downstream: account_engagement + top_works over N works generated straight into DuckDB.

usage: downstream.py generate WORKS DUCKDB_PATH   (1,000 works per account)
       downstream.py compute DUCKDB_PATH          (timed, best of 3; in its own process for a clean peak RSS)
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

import duckdb
from common import report

from aitoearn_assets.defs.resources.warehouse import DEFAULT_MEMORY_LIMIT
from aitoearn_assets.warehouse.engagement import build_account_engagement, build_top_works
from aitoearn_assets.warehouse.schema import ensure_schema

WORKS_PER_ACCOUNT = 1_000
REPEAT = 5
GENERATE = """
INSERT INTO raw_works BY NAME
SELECT CASE (i // $per_account) % 4 WHEN 0 THEN 'tiktok' WHEN 1 THEN 'KWAI' WHEN 2 THEN 'twitter' ELSE 'instagram' END AS platform,
       'acct' || (i // $per_account)                                     AS account_id,
       'w' || i                                                          AS platform_work_id,
       'video'                                                           AS content_mode,
       'Work ' || i                                                      AS title,
       'https://example.test/w/' || i                                    AS url,
       TIMESTAMP '2026-11-01' - INTERVAL (i % 100000) MINUTE             AS published_at,
       CASE WHEN i % 7 <> 0 THEN hash(i) % 1000000 END::BIGINT           AS view_count,
       CASE WHEN i % 7 = 0 THEN hash(i) % 5000 END::BIGINT               AS impression_count,
       CASE WHEN i % 11 <> 0 THEN hash(i + 1) % 50000 END::BIGINT        AS like_count,
       CASE WHEN i % 3 = 0 THEN hash(i + 2) % 5000 END::BIGINT           AS comment_count,
       CASE WHEN i % 5 = 0 THEN hash(i + 3) % 2000 END::BIGINT           AS share_count,
       TIMESTAMP '2026-11-29'                                            AS fetched_at
FROM range($works) AS t(i)
"""


def main() -> None:
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), sys.argv[3])
        report()
    else:
        compute(sys.argv[2])


def generate(works: int, path: str) -> None:
    with duckdb.connect(path) as con:
        ensure_schema(con, "sandbox")
        con.execute(GENERATE, {"works": works, "per_account": WORKS_PER_ACCOUNT})
        con.execute(
            "INSERT INTO accounts (account_id, platform, nickname, fans_count, fetched_at) "
            "SELECT DISTINCT account_id, platform, account_id, 1000 + hash(account_id) % 100000, now() FROM raw_works"
        )
        con.execute("CHECKPOINT")


def compute(path: str) -> None:
    with duckdb.connect(path, config={"memory_limit": DEFAULT_MEMORY_LIMIT}) as con:  # as the assets connect
        (works,) = con.execute("SELECT count(*) FROM raw_works").fetchone()
        runs = []
        for _ in range(REPEAT):  # best of REPEAT: the machine is shared and noisy
            started = time.perf_counter()
            accounts = build_account_engagement(con, datetime.now(UTC).replace(tzinfo=None))
            top = build_top_works(con, 10)
            runs.append(time.perf_counter() - started)
    report(works=works, accounts=accounts, top_rows=top, seconds=min(runs), runs=runs)


if __name__ == "__main__":
    main()
