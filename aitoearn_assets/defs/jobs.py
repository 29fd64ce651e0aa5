"""Jobs: the units the schedule and the `refresh` command launch."""

import dagster as dg

accounts_job = dg.define_asset_job("accounts_job", selection=["accounts"], description="List every account.")
raw_works_job = dg.define_asset_job(
    "raw_works_job", selection=["raw_works"], description="Fetch one platform's works (one partition a run)."
)
works_job = dg.define_asset_job(
    "works_job",
    selection=["raw_works", "work_metrics"],
    description="The daily fetch: every work of the platforms in the run, then the analytics that are due.",
)
work_metrics_job = dg.define_asset_job(
    "work_metrics_job",
    selection=["work_metrics"],
    description="Ask the per-work analytics that are due (any range of platforms in one run).",
)
analytics_job = dg.define_asset_job(
    "analytics_job",
    selection=["account_engagement", "top_works", "work_growth", "account_growth", "engagement_report"],
    description="Recompute account_engagement, top_works, the growth tables and the report from the warehouse.",
)
