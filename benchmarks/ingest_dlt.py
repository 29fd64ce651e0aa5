"""The peer: dlt's rest_api source loading the same accounts and works endpoints into DuckDB.

Bracket cursor paging (`pagination[cursor]` from `data.pagination.nextCursor`), the platform's
largest page, works fetched for several accounts at once (`parallelized`, EXTRACT__WORKERS).

usage: ingest_dlt.py BASE_URL API_KEY CONCURRENCY DUCKDB_PATH
"""

from __future__ import annotations

import os
import sys
import time

from common import LISTABLE, MAX_LIMIT, report


def main() -> None:
    base_url, key, concurrency, db = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    os.environ["EXTRACT__WORKERS"] = str(concurrency)
    os.environ["RUNTIME__LOG_LEVEL"] = "WARNING"
    import dlt
    from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator, SinglePagePaginator
    from dlt.sources.rest_api import rest_api_source

    pipeline = dlt.pipeline("aitoearn_bench", destination=dlt.destinations.duckdb(db), dataset_name="aitoearn",
                            pipelines_dir=os.path.dirname(db))  # fmt: skip
    started = time.perf_counter()
    works = 0
    for platform in LISTABLE:
        source = rest_api_source(
            {
                "client": {"base_url": base_url + "/api/v2/channels/", "headers": {"X-Api-Key": key}},
                "resources": [
                    {
                        "name": "accounts",
                        "endpoint": {"path": "accounts", "params": {"types[]": platform}, "data_selector": "data.list",
                                     "paginator": SinglePagePaginator()},
                    },
                    {
                        "name": "works",
                        "parallelized": True,
                        "endpoint": {
                            "path": f"works/{platform}",
                            "params": {
                                "accountId": "{resources.accounts.id}",
                                "pagination[limit]": MAX_LIMIT[platform],
                            },
                            "data_selector": "data.items",
                            "paginator": JSONResponseCursorPaginator(
                                cursor_path="data.pagination.nextCursor",
                                cursor_param="pagination[cursor]",
                                has_more_path="data.pagination.hasNext",
                                stop_after_empty_page=True,
                            ),
                        },
                    },
                ],
            },
            name=f"aitoearn_{platform}",
        )  # fmt: skip
        info = pipeline.run(source)
        info.raise_on_failed_jobs()
    with pipeline.sql_client() as sql:
        works = sql.execute_sql("SELECT count(*) FROM works")[0][0]
    report(works=works, wall_seconds=time.perf_counter() - started)


if __name__ == "__main__":
    main()
