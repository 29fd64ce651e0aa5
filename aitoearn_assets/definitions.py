"""The project's one `Definitions`, configured from the environment (see README, "Settings")."""

import dagster as dg

from aitoearn_assets.defs.assets import analytics, ingest
from aitoearn_assets.defs.checks import analytics_checks, raw_works_checks
from aitoearn_assets.defs.jobs import accounts_job, analytics_job, raw_works_job
from aitoearn_assets.defs.resources import duckdb_path_from_env, resource_from_env
from aitoearn_assets.defs.schedules import build_daily_schedules, daily_cron
from aitoearn_assets.defs.warehouse import WarehouseResource

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([ingest, analytics]),
    asset_checks=dg.load_asset_checks_from_modules([raw_works_checks, analytics_checks]),
    jobs=[accounts_job, raw_works_job, analytics_job],
    schedules=build_daily_schedules(*daily_cron()),
    resources={
        "aitoearn": resource_from_env(),
        "warehouse": WarehouseResource(database=duckdb_path_from_env()),
    },
)
