"""The engagement report: one self-contained HTML file of charts over the warehouse (no Dagster).

`report_data` reads every figure the report shows from the warehouse's tables (the derived ones hold
the definitions; the report computes none of its own), `render` draws them. Charts are drawn by
plotly, its JavaScript inlined once, so the file opens with no network. Each platform has one colour
in every chart; a chart without enough data says why instead; a blank number says why it is blank.
"""

from __future__ import annotations

import html
import os
import tempfile
from dataclasses import dataclass, fields
from datetime import datetime

import duckdb
import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs

from aitoearn_assets.api.platforms import PLATFORMS

CHART_CONFIG = {"displaylogo": False, "responsive": True}
#: One colour per platform, the same in every chart: 15 colours a reader tells apart.
PLATFORM_COLOURS: dict[str, str] = dict(
    zip(
        PLATFORMS,
        ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
         "#bcbd22", "#393b79", "#ad494a", "#637939", "#7b4173", "#000000", "#f2b701"),
        strict=True,
    )
)  # fmt: skip
BLANK_RATE = "no rate: its exposure is 0 or not reported"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Insight sections: an account's best slots need this many rated works; hashtags and benchmarks shown per platform.
BEST_SLOT_MIN_RATED = 3
TOP_HASHTAGS = 5
#: The sections about each account (benchmarks included) show this many accounts of each platform, and the top works
#: this many works of each platform: at thousands of accounts a chart of every one is unreadable (the tables hold
#: them all).
ACCOUNTS_SHOWN = 15
TOP_WORKS_SHOWN = 15
BREAKOUT_RUN_DATES = 7
#: How the content modes are told apart in a chart whose colours are the platforms'.
MODE_PATTERNS = {"video": "", "article": "/", "article2": "."}


@dataclass(frozen=True)
class ReportData:
    """Every figure the report draws, as read from the warehouse."""

    platform_rates: pl.DataFrame  # platform, accounts, works_rated, rate_pct
    account_rates: pl.DataFrame  # platform, account, rate_pct, median_pct, works_rated
    top_works: pl.DataFrame  # platform, account_id, rank, work, url, interactions, rate_pct, metrics_source
    gains: pl.DataFrame  # platform, works, exposure_gain_1d, interactions_gain_1d, exposure_gain_7d, ...
    followers: pl.DataFrame  # platform, account, observed_on, followers (accounts observed on 2 dates or more)
    cadence: pl.DataFrame  # platform, week, works
    coverage: pl.DataFrame  # platform, accounts, works, works_rated, source, note
    exposure_metrics: pl.DataFrame  # platform, exposure_metric, metrics_source
    posting_heatmap: pl.DataFrame  # platform, weekday, hour, works, works_rated, rate_pct
    best_slots: pl.DataFrame  # platform, account, slot_rank, weekday, hour, works_rated, rate_pct
    content_types: pl.DataFrame  # platform, content_mode, works, works_rated, rate_pct
    hashtags: pl.DataFrame  # platform, hashtag, works, accounts, works_rated, rate_pct, median_interactions
    breakouts: pl.DataFrame  # detected_on, platform, account, work, url, age_days, exposure_at_age, median, ratio
    benchmarks: pl.DataFrame  # platform, account, works_rated, rate_pct, percentile, platform_median_pct, peers
    run_dates: int  # dates with work snapshots: gains need two
    insights_built: bool  # whether the insight tables exist (an older warehouse, or insights not materialized)
    timezone: str | None  # the one posting_times was computed in (None: not built)

    def frames(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), pl.DataFrame)}


@dataclass(frozen=True)
class ReportSummary:
    path: str
    charts: int
    headline: pl.DataFrame  # platform, accounts, works_rated, pooled engagement rate (%)


#: Each account's name in the report, `platform / nickname`, one per account so a chart draws one bar or line an
#: account and a section counts accounts right: an account with no nickname (or missing from `accounts`) shows its
#: id, and a nickname that two current accounts of a platform share is followed by the id of each.
ACCOUNT_NAMES = """
SELECT platform, account_id,
       CASE WHEN count(*) FILTER (WHERE removed_at IS NULL) OVER (PARTITION BY platform, nickname) > 1
            THEN nickname || ' (' || account_id || ')'
            ELSE nickname
       END AS name
FROM accounts WHERE nullif(nickname, '') IS NOT NULL
"""


def _account(alias: str) -> str:
    """The label (ACCOUNT_NAMES) of the account of the rows `alias`, joined by `_named(alias)`."""
    return f"{alias}.platform || ' / ' || coalesce(a.name, {alias}.account_id)"


def _named(alias: str) -> str:
    """The join that gives the rows `alias` their account's name (as `a.name`)."""
    return f"LEFT JOIN ({ACCOUNT_NAMES}) AS a ON a.platform = {alias}.platform AND a.account_id = {alias}.account_id"


def report_data(con: duckdb.DuckDBPyConnection) -> ReportData:
    """The report's figures: sums and picks of the derived tables, nothing defined anew."""
    return ReportData(
        platform_rates=con.sql(
            """
            SELECT platform, count(*)::BIGINT AS accounts, sum(works_rated)::BIGINT AS works_rated,
                   sum(CASE WHEN works_rated > 0 THEN engagement_rate * exposure END) / sum(exposure) * 100 AS rate_pct
            FROM account_engagement GROUP BY platform HAVING sum(works_rated) > 0 ORDER BY rate_pct DESC, platform
            """
        ).pl(),
        account_rates=con.sql(
            f"""
            SELECT t.platform, {_account("t")} AS account,
                   t.engagement_rate * 100 AS rate_pct, t.median_engagement_rate * 100 AS median_pct, t.works_rated
            FROM account_engagement AS t {_named("t")}
            WHERE t.engagement_rate IS NOT NULL ORDER BY t.platform, rate_pct DESC, account
            """
        ).pl(),
        top_works=con.sql(
            """
            SELECT platform, account_id, rank, coalesce(nullif(title, ''), platform_work_id) AS work, url,
                   interactions, engagement_rate * 100 AS rate_pct, metrics_source
            FROM top_works WHERE rank <= 3 ORDER BY platform, account_id, rank
            """
        ).pl(),
        gains=con.sql(
            f"""
            SELECT platform, count(*)::BIGINT AS works,
                   {", ".join(f"sum({m}_gain_{n}d)::BIGINT AS {m}_gain_{n}d" for n in (1, 7) for m in ("exposure", "interactions"))}
            FROM work_growth
            WHERE exposure_gain_1d IS NOT NULL OR interactions_gain_1d IS NOT NULL
               OR exposure_gain_7d IS NOT NULL OR interactions_gain_7d IS NOT NULL
            GROUP BY platform ORDER BY platform
            """
        ).pl(),
        followers=con.sql(
            f"""
            SELECT s.platform, any_value({_account("s")}) AS account,
                   s.observed_on, arg_min(s.followers, s.snapshot_date) AS followers
            FROM account_snapshots AS s
            JOIN account_followers AS f
              ON f.platform = s.platform AND f.account_id = s.account_id AND f.followers_source = s.source
            {_named("s")}
            WHERE s.followers IS NOT NULL AND s.observed_on IS NOT NULL
            GROUP BY s.platform, s.account_id, s.observed_on
            QUALIFY count(*) OVER (PARTITION BY s.platform, s.account_id) >= 2
            ORDER BY s.platform, account, s.observed_on
            """
        ).pl(),
        cadence=con.sql(
            """
            SELECT platform, date_trunc('week', published_at)::DATE AS week, count(*)::BIGINT AS works
            FROM work_engagement WHERE published_at IS NOT NULL GROUP BY ALL ORDER BY week, platform
            """
        ).pl(),
        coverage=_coverage(con),
        exposure_metrics=con.sql(
            "SELECT platform, string_agg(DISTINCT exposure_metric, '/' ORDER BY exposure_metric) AS exposure_metric, "
            "string_agg(DISTINCT metrics_source, '/' ORDER BY metrics_source) AS metrics_source "
            "FROM work_engagement WHERE engagement_rate IS NOT NULL GROUP BY platform ORDER BY platform"
        ).pl(),
        **_insights(con),
        insights_built=bool(
            con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'account_benchmarks' "
                "AND database_name = current_database()"
            ).fetchone()[0]  # type: ignore[index]
        ),
        run_dates=con.execute("SELECT count(DISTINCT snapshot_date) FROM work_snapshots").fetchone()[0],  # type: ignore[index]
        timezone=_posting_times_timezone(con),
    )


def _posting_times_timezone(con: duckdb.DuckDBPyConnection) -> str | None:
    """The timezone posting_times was built in, as it records it (not today's setting)."""
    try:
        found = con.execute("SELECT any_value(timezone) FROM posting_times").fetchone()
    except duckdb.CatalogException:  # not built (every posting_times ever built records its timezone)
        return None
    return found[0] if found else None


#: A pooled rate over several rows of a slice table: their rates weighted by their rated exposure.
_POOLED_PCT = "sum(engagement_rate * exposure) / sum(exposure) * 100"


def _insights(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """The insight sections' figures: picks and pooled sums of the insight tables (a table not built yet gives
    an empty figure: its section says so)."""
    queries = {
        "posting_heatmap": f"""
            SELECT platform, weekday, hour, sum(works)::BIGINT AS works, sum(works_rated)::BIGINT AS works_rated,
                   {_POOLED_PCT} AS rate_pct
            FROM posting_times GROUP BY ALL HAVING sum(works_rated) > 0 ORDER BY platform, weekday, hour
            """,
        "best_slots": f"""
            SELECT t.platform, {_account("t")} AS account, t.weekday, t.hour, t.works_rated, t.engagement_rate * 100 AS rate_pct,
                   row_number() OVER (PARTITION BY t.platform, t.account_id
                                      ORDER BY t.engagement_rate DESC, t.works_rated DESC, t.weekday, t.hour) AS slot_rank
            FROM posting_times AS t {_named("t")}
            WHERE t.works_rated >= {BEST_SLOT_MIN_RATED}
            QUALIFY slot_rank <= 3
            ORDER BY t.platform, account, slot_rank
            """,
        "content_types": f"""
            SELECT platform, content_mode, sum(works)::BIGINT AS works, sum(works_rated)::BIGINT AS works_rated,
                   {_POOLED_PCT} AS rate_pct
            FROM content_type_engagement WHERE content_mode IS NOT NULL
            GROUP BY ALL HAVING sum(works_rated) > 0 ORDER BY platform, content_mode
            """,
        "hashtags": f"""
            SELECT platform, hashtag, works, accounts, works_rated, engagement_rate * 100 AS rate_pct, median_interactions
            FROM hashtag_engagement WHERE works_rated > 0
            QUALIFY row_number() OVER (PARTITION BY platform ORDER BY engagement_rate DESC, works DESC, hashtag)
                    <= {TOP_HASHTAGS}
            ORDER BY platform, rate_pct DESC, hashtag
            """,
        "breakouts": f"""
            SELECT t.detected_on, t.platform, {_account("t")} AS account,
                   coalesce(nullif(t.title, ''), t.platform_work_id) AS work, t.url, t.age_days, t.exposure_at_age,
                   t.account_median_at_age, t.ratio
            FROM work_breakouts AS t {_named("t")}
            WHERE t.detected_on IN (SELECT DISTINCT snapshot_date FROM work_snapshots
                                    ORDER BY snapshot_date DESC LIMIT {BREAKOUT_RUN_DATES})
            ORDER BY t.detected_on DESC, t.ratio DESC, t.platform, work, t.account_id, t.platform_work_id, t.age_days
            """,
        "benchmarks": f"""
            SELECT t.platform, {_account("t")} AS account, t.works_rated, t.engagement_rate * 100 AS rate_pct, t.percentile,
                   t.platform_median_rate * 100 AS platform_median_pct, t.platform_accounts AS peers
            FROM account_benchmarks AS t {_named("t")}
            WHERE t.percentile IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY t.platform ORDER BY t.percentile DESC, account) <= {ACCOUNTS_SHOWN}
            ORDER BY t.platform, t.percentile DESC, account
            """,
    }
    figures = {}
    for name, query in queries.items():
        try:
            figures[name] = con.sql(query).pl()
        except duckdb.CatalogException:  # the insights were never materialized in this warehouse
            figures[name] = pl.DataFrame()
    return figures


def _coverage(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    facts = con.sql(
        """
        WITH a AS (SELECT platform, count(*) AS n FROM accounts WHERE removed_at IS NULL GROUP BY 1),
             w AS (SELECT platform, count(*) AS works, count(engagement_rate) AS rated FROM work_engagement GROUP BY 1),
             r AS (SELECT platform, source, coalesce(error, cannot_list_reason) AS note FROM ingest_runs
                   QUALIFY row_number() OVER (PARTITION BY platform ORDER BY recorded_at DESC NULLS LAST, fetched_at DESC) = 1),
             m AS (SELECT platform, any_value(reason ORDER BY reason) AS reason FROM work_metrics
                   WHERE status = 'not_supported' GROUP BY 1)
        SELECT p.platform, coalesce(a.n, 0)::BIGINT AS accounts, coalesce(w.works, 0)::BIGINT AS works,
               coalesce(w.rated, 0)::BIGINT AS works_rated, r.source, coalesce(m.reason, r.note) AS note
        FROM (SELECT platform FROM accounts UNION SELECT platform FROM ingest_runs) AS p
        LEFT JOIN a USING (platform) LEFT JOIN w USING (platform) LEFT JOIN r USING (platform)
        LEFT JOIN m USING (platform)
        """
    ).pl()
    known = set(facts["platform"])
    missing = pl.DataFrame(
        {"platform": [p for p in PLATFORMS if p not in known]}, schema={"platform": pl.String()}
    ).with_columns(
        pl.lit(0, pl.Int64).alias("accounts"), pl.lit(0, pl.Int64).alias("works"),
        pl.lit(0, pl.Int64).alias("works_rated"), pl.lit(None, pl.String).alias("source"),
        pl.lit(None, pl.String).alias("note"),
    )  # fmt: skip
    return pl.concat([facts, missing]).sort(["works", "accounts", "platform"], descending=[True, True, False])


def build_report(con: duckdb.DuckDBPyConnection, path: str, generated_at: datetime) -> ReportSummary:
    """Write the report to `path` (replaced atomically) and return what it shows."""
    data = report_data(con)
    sections = render_sections(data)
    _write_atomically(path, _page(sections, generated_at))
    charts = sum(1 for s in sections if 'class="plotly-graph-div"' in s)
    return ReportSummary(path, charts, data.platform_rates)


# -- sections ------------------------------------------------------------------------------------------


def render_sections(data: ReportData) -> list[str]:
    """The report's sections, in reading order."""
    rates = data.platform_rates
    account_rates = per_platform(data.account_rates, ACCOUNTS_SHOWN, "works_rated")
    top_works = per_platform(data.top_works, TOP_WORKS_SHOWN, "interactions")
    followers = accounts_per_platform(data.followers, ACCOUNTS_SHOWN, "followers", row_by="observed_on")
    best_slots = accounts_per_platform(data.best_slots, ACCOUNTS_SHOWN, "rate_pct", row_by="slot_rank", last=False)
    metric_note = "; ".join(
        f"{p}: {m} ({s})" for p, m, s in data.exposure_metrics.iter_rows()
    ) or "none rated yet"  # fmt: skip
    sections = [
        _chart_or_empty(
            "Engagement rate by platform",
            rates.height > 0,
            lambda: _platform_bars(rates),
            "Pooled over rated works: sum of interactions / sum of exposure. The label on a bar is the number of "
            f"rated works behind it. Exposure metric per platform: {metric_note}.",
            "No rated work yet: no platform reported both exposure and interactions.",
        ),
        _chart_or_empty(
            "Each account against its median work",
            account_rates.height > 0,
            lambda: _accounts_chart(account_rates),
            "Per account: its pooled engagement rate (bar) and the median rate of its rated works (dot), in %."
            + shown_note(
                account_rates,
                data.account_rates,
                f"the {ACCOUNTS_SHOWN} accounts of each platform with the most rated works",
                "account_engagement",
            ),
            "No account has a rated work yet.",
        ),
        _section(
            "Top works per platform",
            _top_works_table(top_works),
            f"Rank 1 to 3 of each account, by interactions. A dash in the rate column: {BLANK_RATE}."
            + shown_note(
                top_works,
                data.top_works,
                f"of these, the {TOP_WORKS_SHOWN} with the most interactions on each platform",
                "top_works",
                accounts=False,
            ),
        ),
        _chart_or_empty(
            "Gained in the last day and the last 7 days",
            data.gains.height > 0 and data.run_dates >= 2,
            lambda: _gains_chart(data.gains),
            "Exposure and interactions gained per platform (work_growth: between real observations, never a "
            "carried-over value), summed over the works that have the gain. A dash: no work of the platform was "
            "observed far enough apart for that gain.",
            "No history yet: gains need observations on at least two run dates (run the pipeline on two days).",
            after=lambda: _gains_table(data.gains),
        ),
        _chart_or_empty(
            "Follower growth per account",
            followers.height > 0,
            lambda: _followers_chart(followers),
            f"Followers at each observation ({data.followers['account'].n_unique()} accounts observed on two dates or "
            "more): live counts from account analytics, else the counts AiToEarn cached."
            + shown_note(
                followers,
                data.followers,
                f"the {ACCOUNTS_SHOWN} accounts of each platform with the most followers at their latest observation",
                "account_snapshots",
            ),
            "Not enough history yet: no account's followers were observed on two dates (run the pipeline on two days).",
        ),
        _chart_or_empty(
            "Posting cadence (works per week)",
            data.cadence.height > 0,
            lambda: _cadence_chart(data.cadence),
            f"Works per ISO week of publication (UTC), {data.cadence['works'].sum():,} works.",
            "No work with a publish time yet.",
        ),
        *_insight_sections(data, best_slots),
        _section("Coverage: what each platform can show", _coverage_table(data.coverage), "Most works first."),
    ]
    return sections


NOT_BUILT = "The insight tables are not built yet: materialize `insights` (the daily job does)."


def _insight_sections(data: ReportData, best_slots: pl.DataFrame) -> list[str]:
    if not data.insights_built:
        titles = ("When works are published, and how they do", "Content types side by side", "Top hashtags per platform",
                  "Breakouts of the last 7 run dates", "Where each account stands on its platform")  # fmt: skip
        return [_section(title, _empty(NOT_BUILT), "") for title in titles]
    return [
        _chart_or_empty(
            "When works are published, and how they do",
            data.posting_heatmap.height > 0,
            lambda: _posting_heatmap(data.posting_heatmap),
            f"Pooled engagement rate (%) of the works published in each weekday and hour ({data.timezone}), over "
            "every account of the platform chosen above the chart; hover a cell for its works. Blank: no rated work "
            "published then.",
            "No rated work with a publish time yet.",
            after=lambda: _best_slots_table(
                best_slots,
                shown_note(
                    best_slots,
                    data.best_slots,
                    f"the {ACCOUNTS_SHOWN} accounts of each platform whose best slot has the highest rate",
                    "posting_times",
                ),
            ),
        ),
        _chart_or_empty(
            "Content types side by side",
            data.content_types.height > 0,
            lambda: _content_types_chart(data.content_types),
            "Pooled engagement rate (%) of each platform's formats (video: solid, article (image-text): hatched, "
            "article2 (text): dotted); the label is the number of rated works.",
            "No rated work with a content type yet.",
        ),
        _section(
            "Top hashtags per platform",
            _hashtags_table(data.hashtags),
            f"The {TOP_HASHTAGS} hashtags of each platform with the highest pooled engagement rate, among those on at "
            "least 3 of its works (case-folded; each counted once per work, from its title and description).",
        ),
        _section(
            "Breakouts of the last 7 run dates",
            _breakouts_table(data.breakouts),
            "Works whose exposure at 1 or 7 days old reached 3 times or more the median of their account's other "
            "works at the same age (5 or more of them), by the run date each was first found.",
        ),
        _section(
            "Where each account stands on its platform",
            _benchmarks_table(data.benchmarks),
            "Percentile: the share of the platform's accounts with 5 or more rated works whose engagement rate is "
            f"strictly lower (the {ACCOUNTS_SHOWN} highest of each platform shown). Accounts below 5 rated works "
            "are not ranked.",
        ),
    ]


def per_platform(rows: pl.DataFrame, n: int, by: str) -> pl.DataFrame:
    """The `n` rows of each platform with the highest `by` (NULL last; ties in `rows`' order), in `rows`' order."""
    if not rows.height:
        return rows
    return (
        rows.with_row_index("_order")
        .sort(["platform", by, "_order"], descending=[False, True, False], nulls_last=True)
        .group_by("platform", maintain_order=True)
        .head(n)
        .sort("_order")
        .drop("_order")
    )


def accounts_per_platform(rows: pl.DataFrame, n: int, by: str, row_by: str, last: bool = True) -> pl.DataFrame:
    """Every row of the `n` accounts of each platform with the highest `by` in the account's last row by `row_by`
    (its first with `last=False`), in `rows`' order."""
    if not rows.height:
        return rows
    ends = rows.sort(row_by, descending=last).group_by("platform", "account", maintain_order=True).first()
    chosen = per_platform(ends.sort("platform", "account"), n, by).select("platform", "account")
    return rows.join(chosen, on=["platform", "account"], how="semi", maintain_order="left")


def shown_note(shown: pl.DataFrame, every: pl.DataFrame, which: str, table: str, accounts: bool = True) -> str:
    """What a capped section leaves out, counted in accounts (else in works); nothing when it shows everything."""

    def count(frame: pl.DataFrame) -> int:
        return frame["account"].n_unique() if accounts else frame.height

    if count(shown) == count(every):
        return ""
    return (f" Shown: {which} ({count(shown):,} of {count(every):,} {'accounts' if accounts else 'works'}; all of "
            f"them are in {table}).")  # fmt: skip


# -- charts --------------------------------------------------------------------------------------------


def _platform_bars(rates: pl.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=rates["platform"].to_list(),
            y=rates["rate_pct"].to_list(),
            text=rates["works_rated"].to_list(),
            textposition="outside",
            marker_color=[PLATFORM_COLOURS[p] for p in rates["platform"]],
            hovertemplate="%{x}: %{y:.2f} %<br>%{text} rated works<extra></extra>",
        )
    )
    figure.update_layout(yaxis_title="Pooled engagement rate (%)", showlegend=False)
    return figure


def _accounts_chart(rows: pl.DataFrame) -> go.Figure:
    figure = go.Figure()
    for (platform,), part in rows.group_by("platform", maintain_order=True):
        colour = PLATFORM_COLOURS[str(platform)]
        figure.add_trace(go.Bar(name=str(platform), legendgroup=str(platform), x=part["account"].to_list(),
                                y=part["rate_pct"].to_list(), marker_color=colour))  # fmt: skip
        figure.add_trace(go.Scatter(name=f"{platform} median", legendgroup=str(platform), showlegend=False,
                                    x=part["account"].to_list(), y=part["median_pct"].to_list(), mode="markers",
                                    marker={"color": "#222", "symbol": "diamond"}))  # fmt: skip
    figure.update_layout(xaxis_tickangle=-45, yaxis_title="%")
    return figure


def _gains_chart(gains: pl.DataFrame) -> go.Figure:
    figure = go.Figure()
    for column, label, shape in (("exposure_gain_7d", "last 7 days", ""), ("exposure_gain_1d", "last day", "/")):
        figure.add_trace(
            go.Bar(
                name=label,
                x=gains["platform"].to_list(),
                y=gains[column].to_list(),
                marker={"color": [PLATFORM_COLOURS[p] for p in gains["platform"]], "pattern": {"shape": shape}},
                hovertemplate=f"%{{x}}: %{{y:,}} exposure gained, {label}<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="group", yaxis_title="exposure gained", legend_title_text="solid: 7 days, hatched: 1 day"
    )
    return figure


def _gains_table(gains: pl.DataFrame) -> str:
    def number(value: int | None) -> str:
        return "&mdash;" if value is None else f"{value:,}"

    body = "".join(
        f"<tr><td>{_swatch(r['platform'])}{_e(r['platform'])}</td><td>{r['works']:,}</td>"
        f"<td>{number(r['exposure_gain_1d'])}</td><td>{number(r['exposure_gain_7d'])}</td>"
        f"<td>{number(r['interactions_gain_1d'])}</td><td>{number(r['interactions_gain_7d'])}</td></tr>"
        for r in gains.sort("exposure_gain_7d", descending=True, nulls_last=True).iter_rows(named=True)
    )
    return ("<table><thead><tr><th>platform</th><th>works with a gain</th><th>exposure, 1 day</th>"
            "<th>exposure, 7 days</th><th>interactions, 1 day</th><th>interactions, 7 days</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")  # fmt: skip


def _followers_chart(followers: pl.DataFrame) -> go.Figure:
    figure = go.Figure()
    shown: set[str] = set()
    for (platform, account), part in followers.group_by("platform", "account", maintain_order=True):
        platform = str(platform)
        figure.add_trace(go.Scatter(name=platform, legendgroup=platform, showlegend=platform not in shown,
                                    x=part["observed_on"].to_list(), y=part["followers"].to_list(),
                                    mode="lines+markers", line={"color": PLATFORM_COLOURS[platform]},
                                    hovertext=str(account), hovertemplate="%{hovertext}: %{y:,}<extra></extra>"))  # fmt: skip
        shown.add(platform)
    figure.update_layout(yaxis_title="followers", yaxis_type="log")
    return figure


def _cadence_chart(cadence: pl.DataFrame) -> go.Figure:
    figure = go.Figure()
    for platform in PLATFORMS:
        part = cadence.filter(pl.col("platform") == platform)
        if part.height:
            figure.add_trace(go.Bar(name=platform, x=part["week"].to_list(), y=part["works"].to_list(),
                                    marker_color=PLATFORM_COLOURS[platform]))  # fmt: skip
    figure.update_layout(barmode="stack", yaxis_title="works published")
    return figure


def _posting_heatmap(cells: pl.DataFrame) -> go.Figure:
    figure = go.Figure()
    platforms = cells["platform"].unique(maintain_order=True).to_list()
    for n, platform in enumerate(platforms):
        part = cells.filter(pl.col("platform") == platform)
        z = [[None] * 24 for _ in WEEKDAYS]
        works = [[0] * 24 for _ in WEEKDAYS]
        for _, weekday, hour, count, _, rate in part.iter_rows():
            z[weekday - 1][hour], works[weekday - 1][hour] = rate, count
        figure.add_trace(
            go.Heatmap(
                name=platform, x=list(range(24)), y=list(WEEKDAYS), z=z, customdata=works, visible=n == 0,
                showlegend=False, colorscale="YlGnBu", colorbar={"title": "%"}, hoverongaps=False,
                hovertemplate=f"{platform}, %{{y}} %{{x}}:00: %{{z:.2f}} % over %{{customdata}} works<extra></extra>",
            )
        )  # fmt: skip
    buttons = [{"label": p, "method": "update", "args": [{"visible": [q == p for q in platforms]}]} for p in platforms]
    figure.update_layout(
        updatemenus=[{"buttons": buttons, "x": 0, "y": 1.15, "xanchor": "left", "showactive": True}],
        xaxis={"title": "hour", "dtick": 1},
        yaxis={"autorange": "reversed"},
    )
    return figure


def _content_types_chart(types: pl.DataFrame) -> go.Figure:
    figure = go.Figure()
    for mode, shape in MODE_PATTERNS.items():
        part = types.filter(pl.col("content_mode") == mode)
        if part.height:
            figure.add_trace(
                go.Bar(
                    name=mode, x=part["platform"].to_list(), y=part["rate_pct"].to_list(),
                    text=part["works_rated"].to_list(), textposition="outside",
                    marker={"color": [PLATFORM_COLOURS[p] for p in part["platform"]], "pattern": {"shape": shape}},
                    hovertemplate=f"%{{x}} {mode}: %{{y:.2f}} % over %{{text}} rated works<extra></extra>",
                )
            )  # fmt: skip
    figure.update_layout(barmode="group", yaxis_title="Pooled engagement rate (%)", legend_title_text="format")
    return figure


# -- tables --------------------------------------------------------------------------------------------


def _best_slots_table(slots: pl.DataFrame, note: str = "") -> str:
    if not slots.height:
        return _empty(f"No account has a weekday and hour with {BEST_SLOT_MIN_RATED} rated works yet.")
    best: dict[tuple[str, str], list[str]] = {}  # in the order of `slots`: one pass, not a filter per account
    for platform, account, w, h, n, r in slots.select(
        "platform", "account", "weekday", "hour", "works_rated", "rate_pct"
    ).iter_rows():
        best.setdefault((platform, account), []).append(f"{WEEKDAYS[w - 1]} {h:02d}:00 ({r:.2f} %, {n} works)")
    body = "".join(
        f"<tr><td>{_swatch(platform)}{_e(platform)}</td><td>{_e(account)}</td><td>{_e(', '.join(text))}</td></tr>"
        for (platform, account), text in best.items()
    )
    caption = f'<p class="caption">{_e(note.strip())}</p>' if note else ""
    return (f"<h3>Each account's best slots (at least {BEST_SLOT_MIN_RATED} rated works)</h3>{caption}"
            "<table><thead><tr><th>platform</th><th>account</th><th>best weekday and hour, pooled rate</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")  # fmt: skip


def _hashtags_table(tags: pl.DataFrame) -> str:
    if not tags.height:
        return _empty("No hashtag is on 3 works of a platform, one of them rated, yet.")
    body = "".join(
        f"<tr><td>{_swatch(p)}{_e(p)}</td><td>#{_e(t)}</td><td>{w:,}</td><td>{a:,}</td><td>{n:,}</td>"
        f"{_rate_cell(r)}<td>{_number(m)}</td></tr>"
        for p, t, w, a, n, r, m in tags.iter_rows()
    )
    return ("<table><thead><tr><th>platform</th><th>hashtag</th><th>works</th><th>accounts</th><th>rated</th>"
            f"<th>rate</th><th>median interactions</th></tr></thead><tbody>{body}</tbody></table>")  # fmt: skip


def _breakouts_table(breakouts: pl.DataFrame) -> str:
    if not breakouts.height:
        return _empty(
            "No breakout found in the last 7 run dates: a work needs 5 other works of its account measured at the "
            "same age (1 or 7 days old on a run date), and 3 times their median exposure."
        )
    body = "".join(
        f"<tr><td>{d}</td><td>{_swatch(p)}{_e(p)}</td><td>{_e(a)}</td><td>{_link(w, u)}</td><td>{age} d</td>"
        f"<td>{x:,}</td><td>{_number(m)}</td><td>{r:.1f}&times;</td></tr>"
        for d, p, a, w, u, age, x, m, r in breakouts.iter_rows()
    )
    return ("<table><thead><tr><th>first found</th><th>platform</th><th>account</th><th>work</th><th>age</th>"
            "<th>exposure at that age</th><th>account median</th><th>ratio</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")  # fmt: skip


def _benchmarks_table(rows: pl.DataFrame) -> str:
    if not rows.height:
        return _empty("No account has 5 rated works yet: an account is ranked among its platform's accounts that do.")
    body = "".join(
        f"<tr><td>{_swatch(p)}{_e(p)}</td><td>{_e(a)}</td><td>{n:,}</td>{_rate_cell(r)}<td>{pc * 100:.0f}</td>"
        f"{_rate_cell(m)}<td>{peers}</td></tr>"
        for p, a, n, r, pc, m, peers in rows.iter_rows()
    )
    return ("<table><thead><tr><th>platform</th><th>account</th><th>rated works</th><th>rate</th><th>percentile</th>"
            "<th>platform median</th><th>accounts ranked</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")  # fmt: skip


def _number(value: float | None) -> str:
    if value is None:
        return "&mdash;"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _top_works_table(rows: pl.DataFrame) -> str:
    if not rows.height:
        return _empty("No works with interactions yet.")
    body = "".join(
        f"<tr><td>{_swatch(p)}{_e(p)}</td><td>{_e(a)}</td><td>{r}</td><td>{_link(t, u)}</td><td>{i:,}</td>"
        f"{_rate_cell(rate)}<td>{_e(src or '')}</td></tr>"
        for p, a, r, t, u, i, rate, src in rows.iter_rows()
    )
    return ("<table><thead><tr><th>platform</th><th>account</th><th>rank</th><th>work</th><th>interactions</th>"
            f"<th>rate</th><th>metrics from</th></tr></thead><tbody>{body}</tbody></table>")  # fmt: skip


def _rate_cell(rate: float | None) -> str:
    if rate is None:
        return f'<td class="blank" title="{_e(BLANK_RATE)}">&mdash;</td>'
    return f"<td>{rate:.2f} %</td>"


def _coverage_table(coverage: pl.DataFrame) -> str:
    body = ""
    for platform, accounts, works, rated, source, note in coverage.iter_rows():
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
        body += (f"<tr><td>{_swatch(platform)}{_e(platform)}</td><td>{accounts}</td><td>{works:,}</td>"
                 f"<td>{_e(source or '')}</td><td>{_e(why)}</td></tr>")  # fmt: skip
    return ("<table><thead><tr><th>platform</th><th>accounts</th><th>works</th><th>works from</th><th>what it shows</th>"
            f"</tr></thead><tbody>{body}</tbody></table>")  # fmt: skip


# -- page ----------------------------------------------------------------------------------------------


def _chart_or_empty(title: str, enough: bool, figure, caption: str, empty: str, after=None) -> str:  # noqa: ANN001
    """A chart section (and what `after` adds below the chart), or the section's empty state saying why there is
    nothing to draw yet."""
    if not enough:
        return _section(title, _empty(empty), "")
    return _chart_section(title, figure(), caption, after() if after else "")


def _chart_section(title: str, figure: go.Figure, caption: str, after: str = "") -> str:
    legend_rows = sum(1 for trace in figure.data if trace.showlegend is not False)
    figure.update_layout(
        template="plotly_white",
        height=420 + 22 * max(0, (legend_rows - 1) // 6),
        margin={"t": 30, "b": 40},
        legend={"orientation": "h", "yanchor": "top", "y": -0.25, "xanchor": "left", "x": 0},
    )
    div = figure.to_html(full_html=False, include_plotlyjs=False, config=CHART_CONFIG)
    return _section(title, div + after, caption)


def _section(title: str, body: str, caption: str) -> str:
    note = f'<p class="caption">{_e(caption)}</p>' if caption else ""
    return f"<section><h2>{_e(title)}</h2>{note}{body}</section>"


def _empty(why: str) -> str:
    return f'<p class="empty">{_e(why)}</p>'


def _swatch(platform: str) -> str:
    colour = PLATFORM_COLOURS.get(platform, "#999")
    return f'<span class="swatch" style="background:{colour}"></span>'


def _page(sections: list[str], generated_at: datetime) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>AiToEarn engagement report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }}
h1 {{ font-size: 1.6rem; }} h2 {{ font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }}
.caption {{ color: #555; font-size: .9rem; }} table {{ border-collapse: collapse; width: 100%; font-size: .85rem; }}
.empty {{ color: #7a5b00; background: #fff8e1; border: 1px solid #f0dca0; padding: .8rem 1rem; border-radius: 4px; }}
.swatch {{ display: inline-block; width: .7rem; height: .7rem; margin-right: .35rem; border-radius: 2px; }}
td.blank {{ color: #999; cursor: help; }}
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
    os.makedirs(folder, exist_ok=True)
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
