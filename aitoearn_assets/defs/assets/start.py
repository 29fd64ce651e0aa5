"""The first step of every asset that calls the API: check the mode, claim the warehouse, date the run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import dagster as dg

from aitoearn_assets.api.errors import AuthError, IncompleteListingError
from aitoearn_assets.clock import utc_now
from aitoearn_assets.defs.resources.aitoearn import SANDBOX_NOTICE, AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.warehouse.schema import WarehouseModeError, ensure_schema
from aitoearn_assets.warehouse.storage import WarehouseVersionError


@dataclass(frozen=True)
class RunStart:
    """When the run started (the pipeline's clock then), and the first run of its chain of retries."""

    started_at: datetime  # naive UTC
    root_run_id: str

    @property
    def run_date(self) -> date:
        """The date every snapshot this run writes carries, even a write after UTC midnight."""
        return self.started_at.date()


#: The run tag holding the pipeline's clock at the start of the run (UTC), set by the run's first step.
RUN_CLOCK_TAG = "aitoearn/run_clock"


def run_start(context: dg.AssetExecutionContext) -> RunStart:
    """The pipeline's clock at the start of the run: read once, by the run's first step, and kept as a run tag,
    so every step (and every retry of a step) of the run dates its writes alike, even after UTC midnight."""
    run = context.instance.get_run_by_id(context.run.run_id) or context.run
    stamp = run.tags.get(RUN_CLOCK_TAG)
    if stamp is None:
        started = utc_now()
        context.instance.add_run_tags(run.run_id, {RUN_CLOCK_TAG: started.isoformat()})
    else:
        started = datetime.fromisoformat(stamp)
    return RunStart(started, run.root_run_id or run.run_id)


def start_api_asset(
    context: dg.AssetExecutionContext, aitoearn: AiToEarnResource, warehouse: WarehouseResource
) -> RunStart:
    """Fail (not retried) before any request when no mode is set or the file cannot hold this run's data
    (the other mode's, or a newer DuckDB's); create missing tables; say so in sandbox mode."""
    aitoearn.check()
    if aitoearn.is_sandbox:
        context.log.warning(SANDBOX_NOTICE)
    try:
        warehouse.check_readable()
        with warehouse.get_connection() as con:
            ensure_schema(con, aitoearn.mode)
    except (WarehouseModeError, WarehouseVersionError) as err:
        raise dg.Failure(description=str(err), allow_retries=False) from err
    return run_start(context)


@contextmanager
def final_api_errors() -> Iterator[None]:
    """Turn the answers no retry fixes (a refused key, a capped account listing) into a `dg.Failure` that
    Dagster does not retry."""
    try:
        yield
    except (AuthError, IncompleteListingError) as err:
        raise dg.Failure(description=str(err), allow_retries=False) from err
