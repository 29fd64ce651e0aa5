"""What the environment binds: the resources, the executor, and the code location's metadata.

Runs execute in-process (one process per run, steps one after another): a partition run through
the CLI, the UI or the schedule costs no subprocess per step. Concurrency comes from the fetch
itself (accounts of every platform fetched in parallel), not from step processes.
"""

from __future__ import annotations

import dagster as dg

from aitoearn_assets.defs.resources.aitoearn import credentials_from_env, resource_from_env
from aitoearn_assets.defs.resources.polars_io import WarehouseIOManager
from aitoearn_assets.defs.resources.warehouse import location_from_env, warehouse_from_env

#: What the environment chose, shown on the code location and on every asset's page (`aitoearn/mode`).
LOCATION_METADATA = {"aitoearn/mode": credentials_from_env().mode, "aitoearn/warehouse": location_from_env().shown}


@dg.definitions
def environment() -> dg.Definitions:
    warehouse = warehouse_from_env()
    return dg.Definitions(
        resources={
            "aitoearn": resource_from_env(),
            "warehouse": warehouse,
            "io_manager": WarehouseIOManager(warehouse=warehouse),  # user assets: tables in and out as polars
        },
        executor=dg.in_process_executor,
        metadata=LOCATION_METADATA,
    )
