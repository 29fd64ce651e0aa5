"""This project in-process (for peak memory): raw_works over the given platforms in one Dagster run.

usage: ingest_ours.py BASE_URL API_KEY CONCURRENCY DUCKDB_PATH [PLATFORM ...]
"""

from __future__ import annotations

import sys
import time

import dagster as dg
from common import report

from aitoearn_assets.api.platforms import PLATFORMS
from aitoearn_assets.defs.assets.raw_works import raw_works
from aitoearn_assets.defs.resources.aitoearn import AiToEarnCredentials, AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource


def main() -> None:
    base_url, key, concurrency, db = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    platforms = sys.argv[5:] or PLATFORMS
    resources = {
        "aitoearn": AiToEarnResource(
            credentials=AiToEarnCredentials(api_key=key, base_url=base_url),
            max_concurrency=concurrency,
            max_requests_per_second=None,
        ),
        "warehouse": WarehouseResource(database=db),
    }
    works = requests = 0
    started = time.perf_counter()
    tags = {"dagster/asset_partition_range_start": platforms[0], "dagster/asset_partition_range_end": platforms[-1]}
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([raw_works], tags=tags, resources=resources, instance=instance)
        for event in result.asset_materializations_for_node("raw_works")[:1]:
            works += event.metadata["dagster/row_count"].value
            requests += event.metadata["requests"].value
    report(works=works, requests=requests, wall_seconds=time.perf_counter() - started)


if __name__ == "__main__":
    main()
