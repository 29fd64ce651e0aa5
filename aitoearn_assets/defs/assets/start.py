"""The first step of every asset that calls the API: check the mode, claim the warehouse, date the run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import dagster as dg
from dagster._core.storage.tags import ASSET_RESUME_RETRY_TAG, RESUME_RETRY_TAG

from aitoearn_assets.api.errors import AuthError, IncompleteListingError
from aitoearn_assets.clock import utc_now
from aitoearn_assets.defs.resources.aitoearn import SANDBOX_NOTICE, AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.warehouse.schema import WarehouseModeError, ensure_schema
from aitoearn_assets.warehouse.storage import WarehouseVersionError


@dataclass(frozen=True)
class RunStart:
    """When the run started (the pipeline's clock then), and which earlier runs' landed platforms it continues."""

    started_at: datetime  # naive UTC
    run_id: str
    root_run_id: str  # the first run of its chain of re-executions (the run itself when it is none)
    resumes: bool  # a resume of a failed run: Dagster's run retry or "re-execute from failure"

    @property
    def run_date(self) -> date:
        """The date every snapshot this run writes carries, even a write after UTC midnight."""
        return self.started_at.date()

    @property
    def continues(self) -> tuple[str, str]:
        """(column, value) of the ingest_runs / analytics_runs rows whose landed platforms this run skips: a
        resume continues its chain; any other run only its own step retries ("re-execute all" fetches all)."""
        return ("root_run_id", self.root_run_id) if self.resumes else ("run_id", self.run_id)


#: The run tag holding the pipeline's clock at the start of the run (UTC), set by the run's first step, and
#: the run that read it (a re-execution copies its parent's tags: a copied clock is the parent's, not its own).
RUN_CLOCK_TAG = "aitoearn/run_clock"
RUN_CLOCK_RUN_TAG = "aitoearn/run_clock_of"


def run_start(context: dg.AssetExecutionContext) -> RunStart:
    """The pipeline's clock at the start of the run: read once, by the run's first step, and kept as a run tag,
    so every step (and every retry of a step) of the run dates its writes alike, even after UTC midnight.
    A resume of a failed run on the same UTC day keeps the failed run's date; any other re-execution, or a
    resume on a later day, dates its writes from its own start (they were observed then)."""
    run = context.instance.get_run_by_id(context.run.run_id) or context.run
    resumes = "true" in (run.tags.get(RESUME_RETRY_TAG), run.tags.get(ASSET_RESUME_RETRY_TAG))
    stamp, read_by = run.tags.get(RUN_CLOCK_TAG), run.tags.get(RUN_CLOCK_RUN_TAG)
    now = utc_now()
    started = datetime.fromisoformat(stamp) if stamp else None
    if started is not None and read_by != run.run_id and not (resumes and started.date() == now.date()):
        started = None  # a clock copied from the parent run that this run does not continue
    if started is None:
        started = now
        context.instance.add_run_tags(run.run_id, {RUN_CLOCK_TAG: started.isoformat(), RUN_CLOCK_RUN_TAG: run.run_id})
    return RunStart(started, run.run_id, run.root_run_id or run.run_id, resumes)


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
