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
    f"max(s.{m}) FILTER (WHERE s.snapshot_date = w.published_at::DATE + {n} AND s.{m}_observed_on = s.snapshot_date)"
    f"::BIGINT AS {m}_at_{n}d"
    for m in ("exposure", "interactions")
    for n in GAIN_DAYS
)
_AGES = ", ".join(str(n) for n in GAIN_DAYS)

WORK_AGE_METRICS_SQL = f"""
SELECT w.platform, w.account_id, w.platform_work_id, any_value(w.published_at) AS published_at, {_AT_AGE}
FROM (SELECT platform, account_id, platform_work_id, published_at FROM work_engagement) AS w
LEFT JOIN work_snapshots AS s
       ON s.platform = w.platform AND s.account_id = w.account_id AND s.platform_work_id = w.platform_work_id
      AND s.snapshot_date - w.published_at::DATE IN ({_AGES})
GROUP BY w.platform, w.account_id, w.platform_work_id
"""


def compute_work_age_metrics(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per work work_engagement shows (columns: tables.WORK_AGE_METRICS_COLUMNS)."""
    frame = con.sql(WORK_AGE_METRICS_SQL).pl()
    return frame.select(list(WORK_AGE_METRICS_COLUMNS)).sort("platform", "account_id", "platform_work_id")
