"""Regenerate docs/report.png: a sandbox warehouse built on two days a week apart, its report, a screenshot.

make screenshot          # needs headless Chromium (apt-get install -y chromium) and the dev extra
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).parents[1]


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="aitoearn-screenshot-"))
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AITOEARN_")}
    env |= {"DAGSTER_HOME": str(home), "AITOEARN_SANDBOX": "1", "AITOEARN_DUCKDB_PATH": str(home / "demo.duckdb")}
    for day in ("2026-11-20", "2026-11-27"):
        subprocess.run([sys.executable, "-m", "aitoearn_assets", "refresh"], cwd=REPO, env=env | {"AITOEARN_AS_OF": day},
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    report = home / "demo_report.html"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(report.as_uri(), wait_until="load")
        page.wait_for_selector(".plotly-graph-div .main-svg .trace")
        page.wait_for_timeout(500)
        page.screenshot(path=str(REPO / "docs" / "report.png"), clip={"x": 0, "y": 0, "width": 1100, "height": 1250})
        browser.close()
    print(f"docs/report.png written from {report}")


if __name__ == "__main__":
    main()
