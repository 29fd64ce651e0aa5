"""`work_age_metrics`: each work's exposure and interactions at 1, 7 and 28 days old (README, "Definitions").

The value at age N is the one observed on the work's snapshot dated its publish date (UTC) + N days:
works are compared at the same age, not a month-old post against this morning's. A snapshot that
carried an earlier value over (`<measure>_observed_on` before its date) shows the value of a younger
work, so it gives NULL, as does a missing snapshot. Every work work_engagement shows has a row.
"""

from __future__ import annotations

import duckdb
import polars as pl

from aitoearn_assets.metrics import GAIN_DAYS
from aitoearn_assets.tables import WORK_AGE_METRICS_COLUMNS

_AT_AGE = ", ".join(
    f"max(s.{m}) FILTER (WHERE a.age = {n} AND s.{m}_observed_on = s.snapshot_date)::BIGINT AS {m}_at_{n}d"
    for m in ("exposure", "interactions")
    for n in GAIN_DAYS
)
_AGES = ", ".join(f"({n})" for n in GAIN_DAYS)

# Each work's dated ages first, so the snapshots join on equalities alone (a hash join): an age
# condition in the ON clause makes DuckDB fall back to a nested-loop join, quadratic in the works.
WORK_AGE_METRICS_SQL = f"""
WITH a AS (
    SELECT w.platform, w.account_id, w.platform_work_id, w.published_at, ages.age,
           w.published_at::DATE + ages.age AS day
    FROM (SELECT platform, account_id, platform_work_id, published_at FROM work_engagement) AS w
    CROSS JOIN (VALUES {_AGES}) AS ages(age)
)
SELECT a.platform, a.account_id, a.platform_work_id, any_value(a.published_at) AS published_at, {_AT_AGE}
FROM a
LEFT JOIN work_snapshots AS s
       ON s.platform = a.platform AND s.account_id = a.account_id AND s.platform_work_id = a.platform_work_id
      AND s.snapshot_date = a.day
GROUP BY a.platform, a.account_id, a.platform_work_id
"""


def compute_work_age_metrics(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per work work_engagement shows (columns: tables.WORK_AGE_METRICS_COLUMNS)."""
    frame = con.sql(WORK_AGE_METRICS_SQL).pl()
    return frame.select(list(WORK_AGE_METRICS_COLUMNS)).sort("platform", "account_id", "platform_work_id")
