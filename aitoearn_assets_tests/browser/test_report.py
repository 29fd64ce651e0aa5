"""The report in a real browser: every chart draws, nothing fails, nothing is fetched from anywhere; a chart
without enough data says why; one colour per platform, the same in every chart; every legend entry shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from aitoearn_assets.api.platforms import PLATFORMS
from aitoearn_assets.report.engagement_report import PLATFORM_COLOURS
from aitoearn_assets.warehouse.location import WarehouseLocation

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

#: For each chart: its traces' names and colours, and whether each legend entry lies inside the chart.
CHARTS = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(chart => {
    const box = chart.getBoundingClientRect();
    const legend = Array.from(chart.querySelectorAll('.legend .traces')).map(t => {
        const r = t.getBoundingClientRect();
        return r.width > 0 && r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
    });
    const shown = chart._fullLayout.showlegend ? chart._fullData.filter(t => t.showlegend).length : 0;
    const traces = chart.data.map(t => ({name: t.name,
        colours: [].concat((t.marker && t.marker.color) || (t.line && t.line.color) || [])}));
    const marks = Array.from(chart.querySelectorAll('.trace path')).filter(p => (p.getAttribute('d') || '').length > 2)
        .concat(Array.from(chart.querySelectorAll('.hm image')));  // a heatmap is drawn as one image
    return {title: chart.closest('section').querySelector('h2').textContent, traces, legend, shown, marks: marks.length};
})"""


def open_report(browser, env: dict[str, str]):
    report = Path(WarehouseLocation(env["AITOEARN_DUCKDB_PATH"]).report_path)
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
    return page, errors, outside


def test_every_chart_renders_offline_without_errors(browser, demo_home):
    page, errors, outside = open_report(browser, demo_home)
    page.wait_for_function(f"({CHARTS})().length === 7 && ({CHARTS})().every(c => c.marks > 0)", timeout=20_000)
    charts = page.evaluate(CHARTS)
    assert [c["title"] for c in charts] == [
        "Engagement rate by platform", "Each account against its median work", "Gained in the last day and the last 7 days",
        "Follower growth per account", "Posting cadence (works per week)", "When works are published, and how they do",
        "Content types side by side",
    ]  # fmt: skip
    text = page.inner_text("body")
    assert "no engagement rate: Work analytics not supported" in text  # douyin says why it is empty
    assert "A dash in the rate column: no rate: its exposure is 0 or not reported" in text
    assert page.locator(".empty").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert errors == [] and outside == []
    page.close()


def test_one_distinct_colour_per_platform_in_every_chart_and_every_legend_entry_shows(browser, demo_home):
    assert len(set(PLATFORM_COLOURS.values())) == len(PLATFORMS) == 15
    page, _, _ = open_report(browser, demo_home)
    page.wait_for_function(f"({CHARTS})().length === 7", timeout=20_000)
    seen: dict[str, set[str]] = {}
    for chart in page.evaluate(CHARTS):
        assert all(chart["legend"]), f"{chart['title']}: a legend entry lies outside the chart (scrolled away)"
        assert len(chart["legend"]) == chart["shown"], chart["title"]  # every entry drawn
        if chart["title"].startswith("Posting cadence"):  # one trace per platform, named after it
            for trace in chart["traces"]:
                seen.setdefault(trace["name"], set()).update(trace["colours"])
        if chart["title"].startswith("Content types"):  # one trace per format, each bar its platform's colour
            assert all(set(t["colours"]) <= set(PLATFORM_COLOURS.values()) for t in chart["traces"])
    assert len(seen) == 15  # every platform published
    assert all(colours == {PLATFORM_COLOURS[p]} for p, colours in seen.items())
    swatches = page.evaluate(
        "() => Array.from(document.querySelectorAll('table tr')).filter(r => r.querySelector('.swatch'))"
        ".map(r => [r.querySelector('.swatch').parentElement.textContent.trim(), getComputedStyle(r.querySelector('.swatch')).backgroundColor])"
    )
    by_platform: dict[str, set[str]] = {}
    for platform, colour in swatches:
        by_platform.setdefault(platform, set()).add(colour)
    assert all(len(c) == 1 for c in by_platform.values())  # tables use the charts' colours, one each
    assert len({next(iter(c)) for c in by_platform.values()}) == len(by_platform)
    page.close()


def test_a_first_run_shows_an_empty_state_where_there_is_no_history_yet(browser, first_run_home):
    page, errors, _ = open_report(browser, first_run_home)
    page.wait_for_function(f"({CHARTS})().length === 5", timeout=20_000)
    empty = page.locator("section").filter(has=page.locator(".empty"))
    titles = [empty.nth(n).locator("h2").inner_text() for n in range(empty.count())]
    assert titles == ["Gained in the last day and the last 7 days", "Follower growth per account"]
    assert "run the pipeline on two days" in empty.first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "report_first_run.png"), full_page=True)
    assert errors == []
    page.close()


def test_coverage_lists_the_platforms_with_most_works_first(browser, demo_home):
    page, _, _ = open_report(browser, demo_home)
    rows = page.evaluate(
        "() => Array.from(document.querySelectorAll('section')).find(s => s.textContent.includes('Coverage'))"
        ".querySelectorAll('tbody tr').length"
    )
    works = page.evaluate(
        "() => Array.from(Array.from(document.querySelectorAll('section')).find(s => s.textContent.includes('Coverage'))"
        ".querySelectorAll('tbody tr')).map(r => Number(r.cells[2].textContent.replace(/,/g, '')))"
    )
    assert rows == 15 and works == sorted(works, reverse=True)
    page.close()


def section(page, title: str):
    return page.locator("section").filter(has=page.locator("h2", has_text=title))


def test_the_insight_sections_show_what_the_insight_tables_hold(browser, demo_home):
    import duckdb

    page, errors, _ = open_report(browser, demo_home)
    page.wait_for_function(f"({CHARTS})().length === 7", timeout=20_000)
    heatmap = section(page, "When works are published")
    assert heatmap.locator(".updatemenu-container").count() == 1  # the platform chooser above the heatmap
    traces = heatmap.locator(".plotly-graph-div").evaluate(
        "c => c._fullData.map(t => ({name: t.name, visible: t.visible, type: t.type}))"
    )
    assert all(t["type"] == "heatmap" for t in traces) and [t["visible"] for t in traces].count(True) == 1
    # choose another platform: its heatmap shows instead
    heatmap.locator(".updatemenu-header-group").click()
    heatmap.locator(".updatemenu-dropdown-button").nth(1).click()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('section')).find(s => s.textContent.includes('When works are'))"
        ".querySelector('.plotly-graph-div')._fullData[1].visible === true"
    )
    hover = heatmap.locator(".plotly-graph-div").evaluate("c => c.data[0].hovertemplate")
    assert "works" in hover and "%{customdata}" in hover  # the works count on hover
    assert "Asia/Shanghai" in heatmap.locator(".caption").inner_text()  # the reporting timezone, said
    best = heatmap.locator("tbody tr")
    assert best.count() > 0 and "works)" in best.first.inner_text()

    db = demo_home["AITOEARN_DUCKDB_PATH"]
    with duckdb.connect(db, read_only=True) as con:
        (breakouts,) = con.execute("SELECT count(*) FROM work_breakouts").fetchone()
        (ranked,) = con.execute("SELECT count(*) FROM account_benchmarks WHERE percentile IS NOT NULL").fetchone()
        platforms_with_tags = con.execute(
            "SELECT count(DISTINCT platform) FROM hashtag_engagement WHERE works_rated > 0"
        ).fetchone()[0]
    rows = section(page, "Breakouts of the last 7 run dates").locator("tbody tr")
    assert breakouts > 0 and rows.count() == breakouts  # two run dates: every breakout is recent
    assert rows.first.locator("a").get_attribute("href").startswith("https://")
    tag_rows = section(page, "Top hashtags per platform").locator("tbody tr")
    assert 0 < tag_rows.count() <= 5 * platforms_with_tags and tag_rows.first.inner_text().split("\t")[1].startswith(
        "#"
    )
    assert section(page, "Where each account stands").locator("tbody tr").count() == min(ranked, 15 * 9)
    assert errors == []
    page.close()
