"""Jobs: the units the schedule and the `refresh` command launch."""

import dagster as dg

accounts_job = dg.define_asset_job("accounts_job", selection=["accounts"], description="List every account.")
raw_works_job = dg.define_asset_job(
    "raw_works_job", selection=["raw_works"], description="Fetch one platform's works (one partition a run)."
)
