"""The report in a real browser: every chart draws, nothing fails, nothing is fetched from anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from aitoearn_assets.report.engagement_report import report_path

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_every_chart_renders_offline_without_errors(browser, demo_home):
    report = Path(report_path(demo_home["AITOEARN_DUCKDB_PATH"]))
    assert report.is_file()
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors, outside = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def block_the_network(route):
        if route.request.url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", block_the_network)
    page.goto(report.resolve().as_uri(), wait_until="load")
    drawn = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(chart =>
        Array.from(chart.querySelectorAll('.trace path')).filter(p => (p.getAttribute('d') || '').length > 2).length)"""
    page.wait_for_function(f"({drawn})().length === 5 && ({drawn})().every(n => n > 0)", timeout=15_000)
    marks = page.evaluate(drawn)  # marks drawn per chart: by platform, accounts, daily gains, followers, cadence
    assert len(marks) == 5 and all(n > 0 for n in marks), marks
    text = page.inner_text("body")
    assert "Engagement rate by platform" in text and "Coverage: what each platform can show" in text
    assert "no engagement rate: Work analytics not supported" in text  # douyin says why it is empty
    assert "not fetched yet" in text  # the platforms left out of this refresh
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert errors == [] and outside == []
    page.close()
