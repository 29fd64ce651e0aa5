"""The Dagster UI in a real browser, against a warehouse built from the sandbox: what a person sees."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, REPO

pytestmark = pytest.mark.browser
ASSETS = ["accounts", "raw_works", "work_metrics", "account_engagement", "top_works", "work_growth",
          "account_growth", "engagement_report"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ui(demo_home) -> Iterator[str]:
    """`dagster dev` on a free loopback port; every process it started is stopped afterwards."""
    port = free_port()
    dagster = str(Path(sys.executable).parent / "dagster")
    server = subprocess.Popen(
        [dagster, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO, env=demo_home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, SIGINT not ignored: SIGTERM stops it cleanly
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
            pytest.fail("dagster dev did not answer within 60 s")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
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


def test_the_asset_graph_shows_every_asset(browser, ui):
    seen = ""
    for group in ("ingest", "analytics"):  # each group's lineage graph, its assets as nodes
        page = open_page(browser, f"{ui}/locations/aitoearn_assets.definitions/asset-groups/{group}")
        page.get_by_text("Latest event").first.wait_for(timeout=15_000)
        seen += page.inner_text("body")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"dagster_{group}_graph.png"))
        page.close()
    assert [a for a in ASSETS if a not in seen] == []


def test_raw_works_shows_its_15_partitions(browser, ui):
    page = open_page(browser, f"{ui}/assets/raw_works?view=partitions")
    page.get_by_text("15 Partitions Selected").wait_for(timeout=15_000)
    text = page.inner_text("body")
    assert "Materialized (6)" in text and "google_business" in text
    page.close()


def test_an_asset_page_shows_its_columns_and_latest_checks(browser, ui):
    page = open_page(browser, f"{ui}/assets/account_engagement")
    page.get_by_text("Columns").first.wait_for(timeout=15_000)
    text = page.inner_text("body")
    assert "works with an engagement_rate" in text  # a column description
    assert "Latest check results" in text
    page.close()

    page = open_page(browser, f"{ui}/assets/raw_works?view=checks")
    page.get_by_text("raw_works_no_failed_accounts").first.wait_for(timeout=15_000)
    text = page.inner_text("body")
    assert "Checks (6)" in text and text.count("Succeeded") >= 6
    page.screenshot(path=str(ARTIFACTS / "dagster_checks.png"))
    page.close()
