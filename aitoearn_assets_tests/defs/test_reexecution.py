"""Re-executing a run the way the UI does (its parent's tags copied): "from failure" resumes it, "all" starts
afresh; neither writes today's values under another day's date."""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.tags import ASSET_RESUME_RETRY_TAG, RESUME_RETRY_TAG, TAGS_TO_MAYBE_OMIT_ON_RETRY

from aitoearn_assets.defs.assets.raw_works import raw_works
from aitoearn_assets.defs.assets.start import RUN_CLOCK_CHAIN_TAG, RUN_CLOCK_RUN_TAG, RUN_CLOCK_TAG
from aitoearn_assets.defs.resources.aitoearn import AiToEarnCredentials, AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START
from aitoearn_assets.sandbox import SANDBOX_API_KEY

from .helpers import table

RANGE = {PARTITION_RANGE_START: "KWAI", PARTITION_RANGE_END: "twitter"}  # KWAI, youtube, wxGzh, bilibili, twitter


def works_job() -> dg.JobDefinition:
    """raw_works against the test's sandbox server and file (read from the environment by each run: the
    reconstructed definitions are cached across tests)."""
    aitoearn = AiToEarnResource(
        credentials=AiToEarnCredentials(api_key=SANDBOX_API_KEY, base_url=dg.EnvVar("REEXECUTION_BASE_URL")),
        max_attempts=2, backoff_base_seconds=0.01, max_requests_per_second=None,
    )  # fmt: skip
    defs = dg.Definitions(
        assets=[raw_works],
        jobs=[dg.define_asset_job("works", selection=["raw_works"])],
        resources={"aitoearn": aitoearn, "warehouse": WarehouseResource(database=dg.EnvVar("REEXECUTION_DB"))},
        executor=dg.in_process_executor,
    )
    return defs.resolve_job_def("works")


def reexecute(
    instance: dg.DagsterInstance, parent_id: str, *, from_failure: bool, asset_failure: bool = False
) -> dg.ExecutionResult:
    parent = instance.get_run_by_id(parent_id)
    # as the UI re-executes (DagsterInstance.create_reexecuted_run with use_parent_run_tags): the parent's tags
    # (its "from asset failure" tag too: Dagster copies that one, and sets the "from failure" one afresh)
    copied = {k: v for k, v in parent.tags.items() if k not in TAGS_TO_MAYBE_OMIT_ON_RETRY}
    tags = copied | ({RESUME_RETRY_TAG: "true"} if from_failure else {})
    tags |= {ASSET_RESUME_RETRY_TAG: "true"} if asset_failure else {}
    from_failure = from_failure and not asset_failure
    options = dg.ReexecutionOptions.from_failure(parent_id, instance) if from_failure else dg.ReexecutionOptions(
        parent_id, step_selection=["raw_works"])  # fmt: skip
    return dg.execute_job(dg.reconstructable(works_job), instance, tags=tags, reexecution_options=options,
                          raise_on_error=False)  # fmt: skip


def test_from_failure_resumes_and_all_starts_afresh_each_dated_by_its_own_day(
    server, sandbox, db_path, tmp_path, monkeypatch
):
    instance, first_id = _failing_first_run(server, sandbox, db_path, tmp_path, monkeypatch)
    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-20T11:00:00")
    resumed = reexecute(instance, first_id, from_failure=True)  # the same day: it finishes the run
    assert resumed.success
    assert instance.get_run_by_id(resumed.run_id).tags[RUN_CLOCK_TAG] == "2026-11-20T10:00:00"
    fetched = table(db_path, "SELECT platform, max(observed_on)::VARCHAR FROM raw_works GROUP BY 1 ORDER BY 1")
    assert fetched == [(p, "2026-11-20") for p in sorted(["KWAI", "youtube", "wxGzh", "bilibili", "twitter"])]
    resumed_rows = table(
        db_path, f"SELECT platform FROM ingest_runs WHERE status = 'ok' AND run_id = '{resumed.run_id}'"
    )
    assert resumed_rows == [("twitter",)]  # only what had failed

    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-21T09:00:00")
    again = reexecute(instance, resumed.run_id, from_failure=False)  # "re-execute all", the next day
    assert again.success
    assert instance.get_run_by_id(again.run_id).tags[RUN_CLOCK_TAG] == "2026-11-21T09:00:00"  # its own clock
    landed = table(db_path, f"SELECT platform FROM ingest_runs WHERE run_id = '{again.run_id}' ORDER BY 1")
    assert landed == [(p,) for p in sorted(["KWAI", "youtube", "wxGzh", "bilibili", "twitter"])]  # all fetched
    assert table(db_path, "SELECT DISTINCT observed_on::VARCHAR FROM raw_works") == [("2026-11-21",)]
    assert table(db_path, "SELECT count(DISTINCT snapshot_date) FROM work_snapshots") == [(2,)]  # the 20th kept


def _failing_first_run(server, sandbox, db_path, tmp_path, monkeypatch) -> tuple[dg.DagsterInstance, str]:
    """A run on the 20th whose twitter partition failed (the four others landed)."""
    monkeypatch.setenv("REEXECUTION_BASE_URL", server.base_url)
    monkeypatch.setenv("REEXECUTION_DB", db_path)
    (tmp_path / "home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "home"))
    sandbox.faults.add("http_502", times=None, path_contains="/works/twitter")
    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-20T10:00:00")
    first = dg.execute_job(dg.reconstructable(works_job), instance, tags=RANGE, raise_on_error=False)
    assert not first.success
    sandbox.faults.clear()
    return instance, first.run_id


ALL_FIVE = [(p,) for p in sorted(["KWAI", "youtube", "wxGzh", "bilibili", "twitter"])]


def test_a_resume_on_a_later_day_fetches_everything_under_its_own_date(server, sandbox, db_path, tmp_path, monkeypatch):
    instance, first_id = _failing_first_run(server, sandbox, db_path, tmp_path, monkeypatch)
    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-21T00:30:00")
    resumed = reexecute(instance, first_id, from_failure=True)
    assert resumed.success
    tags = instance.get_run_by_id(resumed.run_id).tags
    assert (tags[RUN_CLOCK_TAG], tags[RUN_CLOCK_CHAIN_TAG]) == ("2026-11-21T00:30:00", "false")
    landed = table(db_path, f"SELECT platform FROM ingest_runs WHERE run_id = '{resumed.run_id}' ORDER BY 1")
    assert landed == ALL_FIVE  # the 20th's landed platforms are observed again on the 21st
    assert table(db_path, "SELECT DISTINCT observed_on::VARCHAR FROM raw_works") == [("2026-11-21",)]


def test_a_same_day_resume_owns_the_clock_it_kept_so_its_own_retries_keep_it_past_midnight(
    server, sandbox, db_path, tmp_path, monkeypatch
):
    instance, first_id = _failing_first_run(server, sandbox, db_path, tmp_path, monkeypatch)
    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-20T23:59:00")
    resumed = reexecute(instance, first_id, from_failure=True)
    tags = instance.get_run_by_id(resumed.run_id).tags
    # a later step (or step retry) of this run finds the clock read by this run, not a copied one
    assert (tags[RUN_CLOCK_TAG], tags[RUN_CLOCK_RUN_TAG], tags[RUN_CLOCK_CHAIN_TAG]) == (
        "2026-11-20T10:00:00",
        resumed.run_id,
        "true",
    )
    assert table(db_path, f"SELECT platform FROM ingest_runs WHERE run_id = '{resumed.run_id}'") == [("twitter",)]


def test_from_asset_failure_resumes_but_re_executing_that_run_all_fetches_all(
    server, sandbox, db_path, tmp_path, monkeypatch
):
    instance, first_id = _failing_first_run(server, sandbox, db_path, tmp_path, monkeypatch)
    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-20T11:00:00")
    resumed = reexecute(instance, first_id, from_failure=True, asset_failure=True)
    assert resumed.success
    assert table(db_path, f"SELECT platform FROM ingest_runs WHERE run_id = '{resumed.run_id}'") == [("twitter",)]

    monkeypatch.setenv("AITOEARN_AS_OF", "2026-11-20T12:00:00")
    again = reexecute(instance, resumed.run_id, from_failure=False)  # copies the "from asset failure" tag
    assert again.success
    assert instance.get_run_by_id(again.run_id).tags[ASSET_RESUME_RETRY_TAG] == "true"
    landed = table(db_path, f"SELECT platform FROM ingest_runs WHERE run_id = '{again.run_id}' ORDER BY 1")
    assert landed == ALL_FIVE
