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
    f"max({m}) FILTER (WHERE age = {n} AND {m}_observed_on = snapshot_date)::BIGINT AS {m}_at_{n}d"
    for m in ("exposure", "interactions")
    for n in GAIN_DAYS
)
_AGES = ", ".join(str(n) for n in GAIN_DAYS)

# The snapshots taken at one of the ages first (a hash join on the work's key, its age a filter after
# it), then onto every work: the works are the only table held in memory. An age condition inside
# the join's ON clause makes DuckDB fall back to a nested-loop join, quadratic in the works.
WORK_AGE_METRICS_SQL = f"""
WITH w AS (SELECT platform, account_id, platform_work_id, published_at FROM work_engagement),
at_age AS (
    SELECT platform, account_id, platform_work_id, {_AT_AGE}
    FROM (
        SELECT s.platform, s.account_id, s.platform_work_id, s.snapshot_date,
               s.snapshot_date - w.published_at::DATE AS age, s.exposure, s.exposure_observed_on,
               s.interactions, s.interactions_observed_on
        FROM work_snapshots AS s
        JOIN w USING (platform, account_id, platform_work_id)
        WHERE s.snapshot_date - w.published_at::DATE IN ({_AGES})
    )
    GROUP BY platform, account_id, platform_work_id
)
SELECT w.platform, w.account_id, w.platform_work_id, w.published_at, at_age.* EXCLUDE (platform, account_id, platform_work_id)
FROM w
LEFT JOIN at_age USING (platform, account_id, platform_work_id)
"""


def compute_work_age_metrics(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per work work_engagement shows (columns: tables.WORK_AGE_METRICS_COLUMNS)."""
    frame = con.sql(WORK_AGE_METRICS_SQL).pl()
    return frame.select(list(WORK_AGE_METRICS_COLUMNS)).sort("platform", "account_id", "platform_work_id")
