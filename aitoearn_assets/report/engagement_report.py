"""The engagement report: one self-contained HTML file of charts over the warehouse (no Dagster).

Charts are drawn by plotly; its JavaScript is inlined once, so the file opens with no network.
Every chart says which metric it uses and how many works stand behind it; a platform with nothing
to show says why (no works list and no published records, no analytics, no accounts).
"""

from __future__ import annotations

import html
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs

from aitoearn_assets.api.platforms import PLATFORMS

REPORT_SUFFIX = "_report.html"
CHART_CONFIG = {"displaylogo": False, "responsive": True}


def report_path(database: str) -> str:
    """`data/aitoearn.duckdb` -> `data/aitoearn_report.html` (beside the warehouse file)."""
    path = Path(database)
    return str(path.with_name(f"{path.stem}{REPORT_SUFFIX}"))


@dataclass(frozen=True)
class ReportSummary:
    path: str
    charts: int
    headline: pl.DataFrame  # platform, accounts, works_rated, pooled engagement rate


def build_report(con: duckdb.DuckDBPyConnection, path: str, generated_at: datetime) -> ReportSummary:
    """Write the report to `path` (replaced atomically) and return what it shows."""
    sections: list[str] = []
    headline = _platform_rates(con)
    sections.append(_chart_section(
        "Engagement rate by platform",
        _bar(headline, "platform", "rate_pct", "Pooled engagement rate (%)", text="works_rated"),
        "Pooled over rated works: sum of interactions / sum of exposure. The bar label is the number of rated "
        f"works behind it. Exposure metric per platform: {_metric_note(con)}.",
    ))  # fmt: skip
    sections.append(_chart_section(
        "Each account against its median work",
        _accounts_chart(con),
        "Per account: its pooled engagement rate and the median rate of its rated works (both %).",
    ))  # fmt: skip
    sections.append(
        _section("Top works per platform", _top_works_table(con), "Rank 1 to 3 of each account, by interactions.")
    )
    growth = _daily_gains(con)
    if growth.height >= 1:
        sections.append(_chart_section(
            "Interactions and exposure gained per day",
            _gains_chart(growth),
            f"Day-over-day gains summed over every work seen on both days ({growth['works'].max()} works at most).",
        ))  # fmt: skip
    else:
        sections.append(
            _section("Interactions and exposure gained per day", "", "No history yet: run the pipeline on two days.")
        )
    followers = con.sql(
        "SELECT snapshot_date, platform || ' / ' || account_id AS account, followers FROM account_snapshots "
        "WHERE followers IS NOT NULL ORDER BY ALL"
    ).pl()
    sections.append(_chart_section(
        "Follower growth per account",
        _followers_chart(followers),
        f"Followers at each daily snapshot ({followers['account'].n_unique()} accounts with a follower count).",
    ) if followers["snapshot_date"].n_unique() > 0 else _section("Follower growth per account", "", "No account snapshots yet."))  # fmt: skip
    cadence = con.sql(
        "SELECT platform, date_trunc('week', published_at)::DATE AS week, count(*) AS works FROM raw_works "
        "WHERE published_at IS NOT NULL GROUP BY ALL ORDER BY ALL"
    ).pl()
    sections.append(_chart_section(
        "Posting cadence (works per week)",
        _cadence_chart(cadence),
        f"Works per ISO week of publication (UTC), {cadence['works'].sum()} works.",
    ))  # fmt: skip
    sections.append(_section("Coverage: what each platform can show", _coverage_table(con), ""))
    page = _page(sections, generated_at)
    _write_atomically(path, page)
    charts = sum(1 for s in sections if 'class="plotly-graph-div"' in s)
    return ReportSummary(path, charts, headline)


# -- data ----------------------------------------------------------------------------------------------


def _platform_rates(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(
        """
        SELECT platform, count(*) AS accounts, sum(works_rated)::BIGINT AS works_rated,
               round(sum(engagement_rate * exposure) / nullif(sum(exposure), 0) * 100, 3) AS rate_pct
        FROM account_engagement GROUP BY platform HAVING sum(works_rated) > 0 ORDER BY rate_pct DESC
        """
    ).pl()


def _metric_note(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        "SELECT platform, string_agg(DISTINCT exposure_metric, '/'), string_agg(DISTINCT metrics_source, '/') "
        "FROM work_engagement WHERE engagement_rate IS NOT NULL GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return "; ".join(f"{p}: {m} ({s})" for p, m, s in rows) or "none rated yet"


def _daily_gains(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(
        """
        WITH measured AS (
            SELECT platform, account_id, platform_work_id, snapshot_date,
                   coalesce(view_count, impression_count, reach_count, play_count) AS exposure,
                   coalesce(like_count, 0) + coalesce(comment_count, 0) + coalesce(share_count, 0)
                     + coalesce(collect_count, 0) + coalesce(save_count, 0) AS interactions,
                   lag(snapshot_date) OVER w AS previous_date,
                   lag(coalesce(view_count, impression_count, reach_count, play_count)) OVER w AS previous_exposure,
                   lag(coalesce(like_count, 0) + coalesce(comment_count, 0) + coalesce(share_count, 0)
                       + coalesce(collect_count, 0) + coalesce(save_count, 0)) OVER w AS previous_interactions
            FROM work_snapshots
            WINDOW w AS (PARTITION BY platform, account_id, platform_work_id ORDER BY snapshot_date)
        )
        SELECT snapshot_date AS day, count(*) AS works,
               sum((exposure - previous_exposure) / (snapshot_date - previous_date))::BIGINT AS exposure_gained,
               sum((interactions - previous_interactions) / (snapshot_date - previous_date))::BIGINT AS interactions_gained
        FROM measured WHERE previous_date IS NOT NULL
        GROUP BY 1 ORDER BY 1
        """
    ).pl()


# -- charts --------------------------------------------------------------------------------------------


def _bar(frame: pl.DataFrame, x: str, y: str, title: str, text: str | None = None) -> go.Figure:
    figure = go.Figure(go.Bar(x=frame[x].to_list(), y=frame[y].to_list(),
                              text=frame[text].to_list() if text else None, textposition="outside"))  # fmt: skip
    figure.update_layout(yaxis_title=title, margin={"t": 30})
    return figure


def _accounts_chart(con: duckdb.DuckDBPyConnection) -> go.Figure:
    rows = con.sql(
        "SELECT platform || ' / ' || coalesce(nickname, account_id) AS account, engagement_rate * 100 AS rate, "
        "median_engagement_rate * 100 AS median, works_rated FROM account_engagement "
        "WHERE engagement_rate IS NOT NULL ORDER BY platform, rate DESC"
    ).pl()
    figure = go.Figure(
        [
            go.Bar(name="engagement rate (%)", x=rows["account"].to_list(), y=rows["rate"].to_list()),
            go.Scatter(name="median work (%)", x=rows["account"].to_list(), y=rows["median"].to_list(), mode="markers"),
        ]
    )
    figure.update_layout(margin={"t": 30}, xaxis_tickangle=-45)
    return figure


def _gains_chart(growth: pl.DataFrame) -> go.Figure:
    figure = go.Figure(
        [
            go.Scatter(name="exposure gained", x=growth["day"].to_list(), y=growth["exposure_gained"].to_list()),
            go.Scatter(
                name="interactions gained",
                x=growth["day"].to_list(),
                y=growth["interactions_gained"].to_list(),
                yaxis="y2",
            ),
        ]
    )
    figure.update_layout(yaxis={"title": "exposure"}, yaxis2={"title": "interactions", "overlaying": "y", "side": "right"},
                         margin={"t": 30})  # fmt: skip
    return figure


def _followers_chart(followers: pl.DataFrame) -> go.Figure:
    figure = go.Figure()
    for (account,), part in followers.group_by("account", maintain_order=True):
        figure.add_trace(go.Scatter(name=str(account), x=part["snapshot_date"].to_list(), y=part["followers"].to_list(),
                                    mode="lines+markers"))  # fmt: skip
    figure.update_layout(yaxis_title="followers", margin={"t": 30}, showlegend=followers["account"].n_unique() <= 20)
    return figure


def _cadence_chart(cadence: pl.DataFrame) -> go.Figure:
    figure = go.Figure()
    for (platform,), part in cadence.group_by("platform", maintain_order=True):
        figure.add_trace(go.Bar(name=str(platform), x=part["week"].to_list(), y=part["works"].to_list()))
    figure.update_layout(barmode="stack", yaxis_title="works published", margin={"t": 30})
    return figure


# -- tables --------------------------------------------------------------------------------------------


def _top_works_table(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        "SELECT platform, account_id, rank, coalesce(nullif(title, ''), platform_work_id), url, interactions, "
        "engagement_rate, metrics_source FROM top_works WHERE rank <= 3 ORDER BY platform, account_id, rank"
    ).fetchall()
    if not rows:
        return "<p>No works with interactions yet.</p>"
    body = "".join(
        f"<tr><td>{_e(p)}</td><td>{_e(a)}</td><td>{r}</td><td>{_link(t, u)}</td><td>{i:,}</td>"
        f"<td>{'' if rate is None else f'{rate * 100:.2f} %'}</td><td>{_e(src)}</td></tr>"
        for p, a, r, t, u, i, rate, src in rows
    )
    return ("<table><thead><tr><th>platform</th><th>account</th><th>rank</th><th>work</th><th>interactions</th>"
            f"<th>rate</th><th>metrics from</th></tr></thead><tbody>{body}</tbody></table>")  # fmt: skip


def _coverage_table(con: duckdb.DuckDBPyConnection) -> str:
    facts = {
        p: (accounts, works, rated, source, note)
        for p, accounts, works, rated, source, note in con.execute(
            """
            WITH a AS (SELECT platform, count(*) AS n FROM accounts GROUP BY 1),
                 w AS (SELECT platform, count(*) AS works, count(engagement_rate) AS rated FROM work_engagement GROUP BY 1),
                 r AS (SELECT platform, source, coalesce(error, cannot_list_reason) AS note FROM ingest_runs
                       QUALIFY row_number() OVER (PARTITION BY platform ORDER BY fetched_at DESC) = 1),
                 m AS (SELECT platform, any_value(reason) AS reason FROM work_metrics WHERE status = 'not_supported' GROUP BY 1)
            SELECT p.platform, coalesce(a.n, 0), coalesce(w.works, 0), coalesce(w.rated, 0), r.source,
                   coalesce(m.reason, r.note)
            FROM (SELECT DISTINCT platform FROM (SELECT platform FROM accounts UNION SELECT platform FROM ingest_runs)) AS p
            LEFT JOIN a USING (platform) LEFT JOIN w USING (platform) LEFT JOIN r USING (platform) LEFT JOIN m USING (platform)
            """
        ).fetchall()
    }
    body = ""
    for platform in PLATFORMS:
        accounts, works, rated, source, note = facts.get(platform, (0, 0, 0, None, None))
        if accounts == 0:
            why = "no accounts connected"
        elif source is None:
            why = "not fetched yet"
        elif works == 0 and source == "publish_record":
            why = "no works: it has no works list, and nothing was published through AiToEarn"
        elif works == 0:
            why = "its accounts have no works"
        elif rated == 0:
            why = f"no engagement rate: {note or 'the API reports no exposure or no interactions for it'}"
        else:
            why = f"{rated} of {works} works rated"
        body += (f"<tr><td>{_e(platform)}</td><td>{accounts}</td><td>{works}</td><td>{_e(source or '')}</td>"
                 f"<td>{_e(why)}</td></tr>")  # fmt: skip
    return ("<table><thead><tr><th>platform</th><th>accounts</th><th>works</th><th>works from</th><th>what it shows</th>"
            f"</tr></thead><tbody>{body}</tbody></table>")  # fmt: skip


# -- page ----------------------------------------------------------------------------------------------


def _chart_section(title: str, figure: go.Figure, caption: str) -> str:
    figure.update_layout(template="plotly_white", height=380)
    div = figure.to_html(full_html=False, include_plotlyjs=False, config=CHART_CONFIG)
    return _section(title, div, caption)


def _section(title: str, body: str, caption: str) -> str:
    note = f'<p class="caption">{_e(caption)}</p>' if caption else ""
    return f"<section><h2>{_e(title)}</h2>{note}{body}</section>"


def _page(sections: list[str], generated_at: datetime) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>AiToEarn engagement report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }}
h1 {{ font-size: 1.6rem; }} h2 {{ font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }}
.caption {{ color: #555; font-size: .9rem; }} table {{ border-collapse: collapse; width: 100%; font-size: .85rem; }}
th, td {{ border-bottom: 1px solid #eee; padding: .3rem .5rem; text-align: left; }}
</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<h1>AiToEarn engagement report</h1>
<p class="caption">Generated {generated_at:%Y-%m-%d %H:%M} UTC from the warehouse. Rates are interactions / exposure
(README, "Definitions"); NULL metrics (not reported by a platform) are never counted as zero.</p>
{"".join(sections)}
</body></html>
"""


def _write_atomically(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, staging = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(staging, 0o644)
        os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.remove(staging)


def _e(value: object) -> str:
    return html.escape(str(value))


def _link(title: str, url: str | None) -> str:
    if url and url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}" rel="noopener">{_e(title)}</a>'
    return _e(title)
