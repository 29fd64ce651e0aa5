"""The Dagster UI in a real browser, against a warehouse built from the sandbox: what a person sees, and what a
person does there (materialize, re-execute, turn the schedule on)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from aitoearn_assets.warehouse.publish import analyst_copy_path

from ..ports import free_port
from .conftest import ARTIFACTS, REPO

pytestmark = pytest.mark.browser
ASSETS = ["accounts", "raw_works", "work_metrics", "account_engagement", "top_works", "work_growth",
          "account_growth", "engagement_report"]  # fmt: skip


@pytest.fixture(scope="module")
def ui(demo_home) -> Iterator[str]:
    """`make ui`'s command (`dg dev`) on a free loopback port, the daily schedule every minute (a test cron
    standing in for 03:00); every process it started is stopped afterwards."""
    port = free_port()
    dg = str(Path(sys.executable).parent / "dg")
    server = subprocess.Popen(
        [dg, "dev", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=demo_home | {"AITOEARN_SCHEDULE_CRON": "* * * * *"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, SIGINT not ignored: a signal stops it cleanly
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/server_info", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("dg dev did not answer within 60 s")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        time.sleep(1)
        leftovers = subprocess.run(["pgrep", "-g", str(server.pid)], capture_output=True, text=True).stdout.split()
        for pid in leftovers:
            os.kill(int(pid), signal.SIGKILL)


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url, wait_until="networkidle")
    skip = page.get_by_role("button", name="Skip")  # Dagster's first-visit community dialog
    try:
        skip.wait_for(timeout=5_000)
        skip.click()
    except Exception:
        pass
    return page


def graphql(ui: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{ui}/graphql", data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["data"]


def runs(ui: str) -> list[dict]:
    data = graphql(ui, "{ runsOrError(limit: 50) { ... on Runs { results { runId status jobName tags { key value } "
                       "repositoryOrigin { repositoryLocationName } } } } }")  # fmt: skip
    return data["runsOrError"]["results"]


def wait_for_runs(page, ui: str, done, what: str, timeout: float = 180) -> list[dict]:
    """Watch the Runs page until `done(runs)` holds."""
    deadline = time.monotonic() + timeout
    page.goto(f"{ui}/runs", wait_until="networkidle")
    while time.monotonic() < deadline:
        current = runs(ui)
        if done(current):
            page.reload(wait_until="networkidle")
            return current
        page.wait_for_timeout(2_000)
    pytest.fail(f"the UI did not show {what} within {timeout:.0f} s: {[(r['jobName'], r['status']) for r in runs(ui)]}")


def analyst(env: dict[str, str], sql: str) -> list[tuple]:
    with duckdb.connect(analyst_copy_path(env["AITOEARN_DUCKDB_PATH"]), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_asset_graph_shows_every_asset(browser, ui):
    seen = ""
    for group in ("ingest", "analytics"):  # each group's lineage graph, its assets as nodes
        page = open_page(browser, f"{ui}/locations/aitoearn_assets/asset-groups/{group}")
        page.get_by_text("Latest event").first.wait_for(timeout=15_000)
        seen += page.inner_text("body")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"dagster_{group}_graph.png"))
        page.close()
    assert [a for a in ASSETS if a not in seen] == []


def test_raw_works_shows_its_15_partitions_each_with_its_own_figures(browser, ui, demo_home):
    page = open_page(browser, f"{ui}/assets/raw_works?view=partitions")
    page.get_by_text("15 Partitions Selected").wait_for(timeout=15_000)
    text = page.inner_text("body")
    assert "Materialized (15)" in text and "google_business" in text
    page.close()
    ((kwai,),) = analyst(demo_home, "SELECT count(*) FROM raw_works WHERE platform = 'KWAI'")
    ((total,),) = analyst(demo_home, "SELECT count(*) FROM raw_works")
    page = open_page(browser, f"{ui}/assets/raw_works?view=partitions&partition=KWAI")
    page.get_by_text("dagster/row_count").first.wait_for(timeout=15_000)
    text = page.inner_text("body")
    assert f"{kwai:,}" in text or str(kwai) in text  # KWAI's own works, not the run's total
    assert f"{total:,}" not in text and str(total) not in text
    page.screenshot(path=str(ARTIFACTS / "dagster_partition_kwai.png"))
    page.close()


def test_an_asset_page_shows_its_columns_latest_checks_and_the_mode(browser, ui):
    page = open_page(browser, f"{ui}/assets/account_engagement")
    page.get_by_text("Columns").first.wait_for(timeout=15_000)
    text = page.inner_text("body")
    assert "works with an engagement_rate" in text  # a column description
    assert "Latest check results" in text
    assert "aitoearn/mode" in text and "sandbox" in text  # where a user looks for it
    page.screenshot(path=str(ARTIFACTS / "dagster_asset_page.png"))
    page.close()

    page = open_page(browser, f"{ui}/assets/raw_works?view=checks")
    page.get_by_text("raw_works_no_failed_accounts").first.wait_for(timeout=15_000)
    text = page.inner_text("body")
    assert "Checks (6)" in text and text.count("Succeeded") >= 6
    page.screenshot(path=str(ARTIFACTS / "dagster_checks.png"))
    page.close()


def test_a_run_of_make_run_re_executes_from_the_ui(browser, ui):
    """`make run` records its runs with their code location: the UI re-executes them as its own."""
    works = next(r for r in runs(ui) if r["jobName"] == "raw_works_job")
    assert works["repositoryOrigin"]["repositoryLocationName"] == "aitoearn_assets"
    page = open_page(browser, f"{ui}/runs/{works['runId']}")
    button = page.get_by_role("button", name="Re-execute all").first
    button.wait_for(timeout=15_000)
    button.click()
    parent = works["runId"]
    wait_for_runs(
        page, ui,
        lambda rs: any({"key": "dagster/parent_run_id", "value": parent} in r["tags"] and r["status"] == "SUCCESS"
                       for r in rs),
        "the re-executed run succeed",
    )  # fmt: skip
    page.close()


def test_materialize_from_the_ui_and_the_runs_land(browser, ui, demo_home):
    before = {r["runId"] for r in runs(ui)}
    page = open_page(browser, f"{ui}/assets/raw_works")
    page.get_by_role("button", name="Materialize", exact=False).first.click()  # the partition dialog
    page.get_by_text("Select a partition or create one").click()
    page.keyboard.type("KWAI")
    # the suggestion: the last "KWAI" in the page (its popover comes after the dialog), since the asset page
    # behind the dialog may show a "KWAI" of its own, under the dialog, where a click never lands
    page.get_by_text("KWAI", exact=True).filter(visible=True).last.click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Launch 1 run").click()
    page.get_by_text("Launched", exact=False).first.wait_for(timeout=15_000)
    page.goto(f"{ui}/assets/account_engagement", wait_until="networkidle")
    page.get_by_role("button", name="Materialize", exact=False).first.click()
    confirm = page.get_by_role("button", name="Confirm")  # "upstream not materialized" (partitions the UI checks)
    try:
        confirm.wait_for(timeout=3_000)
        confirm.click()
    except Exception:
        pass

    def landed(rs: list[dict]) -> bool:
        new = [r for r in rs if r["runId"] not in before]
        return len(new) >= 2 and all(r["status"] == "SUCCESS" for r in new)

    current = wait_for_runs(page, ui, landed, "both runs succeed")
    page.screenshot(path=str(ARTIFACTS / "dagster_ui_runs.png"))
    page.close()
    new = {r["runId"] for r in current} - before
    assert analyst(
        demo_home, f"SELECT count(*) FROM ingest_runs WHERE platform = 'KWAI' AND list_contains({sorted(new)}, run_id)"
    ) == [(1,)]
    assert analyst(demo_home, "SELECT count(*) > 0 FROM account_engagement") == [(True,)]


def test_turning_the_daily_schedule_on_launches_its_run(browser, ui):
    page = open_page(browser, f"{ui}/automation")
    row = (
        page.locator("div")
        .filter(has=page.get_by_text("daily_raw_works", exact=True))
        .filter(has=page.locator("input[type=checkbox]"))
        .last
    )
    toggle = row.locator("input[type=checkbox]").last
    assert not toggle.is_checked()
    toggle.locator("xpath=..").click()
    page.wait_for_function("el => el.checked", arg=toggle.element_handle(), timeout=10_000)

    def scheduled(rs: list[dict]) -> bool:
        return any({"key": "dagster/schedule_name", "value": "daily_raw_works"} in r["tags"] and r["status"] == "SUCCESS"
                   for r in rs)  # fmt: skip

    try:
        wait_for_runs(page, ui, scheduled, "the schedule's run succeed", timeout=240)
        page.screenshot(path=str(ARTIFACTS / "dagster_schedule_run.png"))
    finally:
        page.goto(f"{ui}/automation", wait_until="networkidle")
        toggle = page.locator("div").filter(has=page.get_by_text("daily_raw_works", exact=True)).filter(
            has=page.locator("input[type=checkbox]")).last.locator("input[type=checkbox]").last  # fmt: skip
        if toggle.is_checked():
            toggle.locator("xpath=..").click()
        page.close()
