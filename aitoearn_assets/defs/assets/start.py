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
    resumes: bool  # a same-day resume of a failed run (Dagster's run retry, "re-execute from (asset) failure")

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
#: "true" when the run kept its parent's clock (a resume on the same UTC day) and so continues its chain.
RUN_CLOCK_CHAIN_TAG = "aitoearn/continues_chain"


def run_start(context: dg.AssetExecutionContext) -> RunStart:
    """The pipeline's clock at the start of the run: read once, by the run's first step, and kept as a run tag,
    so every step (and every retry of a step) of the run dates its writes alike, even after UTC midnight.
    A resume of a failed run on the same UTC day keeps the failed run's date and continues its chain; any
    other re-execution, or a resume on a later day, dates its writes from its own start and fetches afresh
    (what it fetches was observed then)."""
    run = context.instance.get_run_by_id(context.run.run_id) or context.run
    if run.tags.get(RUN_CLOCK_RUN_TAG) == run.run_id:  # an earlier step of this run read it
        started = datetime.fromisoformat(run.tags[RUN_CLOCK_TAG])
        return RunStart(started, run.run_id, run.root_run_id or run.run_id, run.tags.get(RUN_CLOCK_CHAIN_TAG) == "true")
    now = utc_now()
    copied = run.tags.get(RUN_CLOCK_TAG)  # the parent's clock, copied with its tags
    started = datetime.fromisoformat(copied) if copied else None
    resumes = started is not None and started.date() == now.date() and is_resume(context.instance, run)
    if not resumes:
        started = now
    tags = {
        RUN_CLOCK_TAG: started.isoformat(),
        RUN_CLOCK_RUN_TAG: run.run_id,
        RUN_CLOCK_CHAIN_TAG: str(resumes).lower(),
    }
    context.instance.add_run_tags(run.run_id, tags)
    return RunStart(started, run.run_id, run.root_run_id or run.run_id, resumes)


def is_resume(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    """Whether `run` resumes a failed run: Dagster's run retry and "re-execute from failure" tag it afresh
    each time; "from asset failure"'s tag is also copied to any re-execution of such a run, so it counts
    only when the parent run lacks it."""
    if run.tags.get(RESUME_RETRY_TAG) == "true":
        return True
    if run.tags.get(ASSET_RESUME_RETRY_TAG) != "true":
        return False
    parent = instance.get_run_by_id(run.parent_run_id) if run.parent_run_id else None
    return parent is None or parent.tags.get(ASSET_RESUME_RETRY_TAG) != "true"


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
