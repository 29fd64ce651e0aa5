"""How the ingest assets run: the writer pool, step retries and freshness."""

from __future__ import annotations

import os
from datetime import timedelta

import dagster as dg

#: One DuckDB writer at a time (DuckDB allows one read-write process per file); the limit is in dagster.yaml.
WRITER_POOL = "duckdb_writer"

#: Seconds Dagster waits before retrying a failed ingest step (transient failures only; doubles each try).
RETRY_DELAY_SECONDS = float(os.environ.get("AITOEARN_RETRY_DELAY_SECONDS", "60"))

INGEST_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=RETRY_DELAY_SECONDS, backoff=dg.Backoff.EXPONENTIAL)

#: A daily pipeline is late once a day and two hours have passed without a success.
FRESHNESS_WINDOW = timedelta(hours=26)
DAILY_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=FRESHNESS_WINDOW)
