"""Jobs: the units the schedule and the `refresh` command launch.

raw_works and work_metrics run as separate runs (the schedule starts the first, the automation the second):
a run holding both would skip work_metrics for every platform when one platform's listing failed."""

import dagster as dg

accounts_job = dg.define_asset_job("accounts_job", selection=["accounts"], description="List every account.")
raw_works_job = dg.define_asset_job(
    "raw_works_job", selection=["raw_works"], description="Fetch one platform's works (one partition a run)."
)
work_metrics_job = dg.define_asset_job(
    "work_metrics_job",
    selection=["work_metrics"],
    description="Ask the per-work analytics that are due (any range of platforms in one run).",
)
ANALYTICS_ASSETS = [
    "account_engagement",
    "top_works",
    "work_growth",
    "account_growth",
    "posting_times",
    "content_type_engagement",
    "hashtag_engagement",
    "work_age_metrics",
    "work_breakouts",
    "account_benchmarks",
    "engagement_report",
]
analytics_job = dg.define_asset_job(
    "analytics_job",
    selection=ANALYTICS_ASSETS,
    description=(
        "Recompute account_engagement, top_works, the growth tables, the insights and the report from the warehouse."
    ),
)
