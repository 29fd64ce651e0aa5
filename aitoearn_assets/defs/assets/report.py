"""Asset `engagement_report`: a self-contained HTML report beside the warehouse file."""

import dagster as dg

from aitoearn_assets.clock import utc_now
from aitoearn_assets.defs.assets.engagement import account_engagement, top_works
from aitoearn_assets.defs.assets.growth import account_growth, work_growth
from aitoearn_assets.defs.assets.insights import insights
from aitoearn_assets.defs.metadata import asset_metadata
from aitoearn_assets.defs.policies import WRITER_POOL
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.report.engagement_report import build_report


@dg.asset(
    group_name="analytics",
    deps=[account_engagement, top_works, work_growth, account_growth, *insights.keys],
    pool=WRITER_POOL,  # it opens the warehouse: one process at a time may, as for every writer
    kinds={"html", "plotly"},
    automation_condition=dg.AutomationCondition.eager(),
    description=(
        "One self-contained HTML file of charts (no network needed): engagement rate by platform, each account "
        "against its median, top works, daily gains and follower growth, posting cadence, the insights (posting "
        "times, content types, hashtags, breakouts, benchmarks), and what each platform can show. Written beside the warehouse file as `<its name>_report.html` (a lake: AITOEARN_REPORT_PATH, "
        "else beside its data folder)."
    ),
    metadata=asset_metadata(),
)
def engagement_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    path = warehouse.location.report_path
    with warehouse.get_connection() as con:
        summary = build_report(con, path, utc_now())
    lines = ["| platform | accounts | works rated | pooled rate (%) |", "|---|---|---|---|"]
    lines += [f"| {p} | {a} | {w} | {r:.3f} |" for p, a, w, r in summary.headline.iter_rows()]
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(path),
            "charts": summary.charts,
            "engagement_rate_by_platform": dg.MetadataValue.md("\n".join(lines)),
        }
    )
