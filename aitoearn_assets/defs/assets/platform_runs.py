"""What the two per-platform assets (`raw_works`, `work_metrics`) share: one run, many platforms.

Each platform of a run lands or fails on its own. Its materialization carries its own figures;
a retry of a failed run (a step retry, or a re-execution under the same root run) asks only the
platforms that did not land yet; a run in which some platform failed records the landed ones,
the failed ones' reasons and the checks, then fails naming the failed platforms.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import dagster as dg
import duckdb

from aitoearn_assets.api.client import AiToEarnClient

#: What a retry's materialization of an already landed platform repeats from its bookkeeping row.
_LANDED_FIGURES = {
    "ingest_runs": 'works_written AS "dagster/row_count", len(accounts_fetched) AS accounts_fetched, requests',
    "analytics_runs": "works_asked, works_with_data, backlog_left, requests",
}


def pace_figures(client: AiToEarnClient, seconds: float) -> dict[str, object]:
    """The whole run's traffic: requests per second reached, answers refused for pace (the API's 429) and the
    pace the client ended at (None: unpaced, never refused)."""
    return {
        "run_requests_per_second": round(client.stats.requests / seconds, 1) if seconds > 0 else None,
        "run_rate_limited": client.stats.rate_limited,
        "run_pace_requests_per_second": round(client.pace.rate, 1) if client.pace.rate else None,
    }


def landed_platforms(
    con: duckdb.DuckDBPyConnection, table: str, continues: tuple[str, str], platforms: list[str]
) -> dict[str, dict]:
    """{platform: its figures and the run it landed in} for the platforms of `platforms` that landed in the
    runs this one continues (`RunStart.continues`, in `ingest_runs` or `analytics_runs`): a retry does not
    ask them again."""
    column, value = continues
    if column not in ("run_id", "root_run_id"):
        raise ValueError(f"not a run column: {column!r}")
    figures = _LANDED_FIGURES[table]
    frame = con.execute(
        f"SELECT platform, run_id AS landed_in_run, {figures} FROM {table} WHERE {column} = ? AND status = 'ok' "
        "AND list_contains(?, platform) QUALIFY row_number() OVER (PARTITION BY platform ORDER BY recorded_at DESC) = 1",
        [value, platforms],
    ).pl()
    return {row.pop("platform"): {"status": "ok", **row} for row in frame.iter_rows(named=True)}


def platform_events(
    context: dg.AssetExecutionContext,
    outcomes: Mapping[str, dict],
    checks: list[dg.AssetCheckResult],
    what: str,
    run_figures: Mapping[str, object] | None = None,
) -> Iterator[dg.AssetMaterialization | dg.AssetObservation | dg.AssetCheckResult | dg.MaterializeResult]:
    """The run's events: each platform's own metadata on its own partition; then success, or a failure
    naming the platforms that failed (`outcome["status"] == "failed"`, with `error` and `transient`).
    `run_figures` (the whole run's, e.g. its request rate) go on every partition's materialization."""
    failed = [p for p, o in outcomes.items() if o["status"] == "failed"]
    if not failed:
        for platform, outcome in outcomes.items():
            context.add_asset_metadata({**outcome, **(run_figures or {})}, partition_key=platform)
        yield dg.MaterializeResult(check_results=checks)
        return
    # Events yielded before the failure are kept: the landed platforms show as materialized (those that
    # landed in an earlier attempt have their materialization already).
    for platform, outcome in outcomes.items():
        if "landed_in_run" in outcome:
            continue
        event = dg.AssetObservation if platform in failed else dg.AssetMaterialization
        yield event(context.asset_key, partition=platform, metadata={**outcome, **(run_figures or {})})
    yield from checks
    reasons = "; ".join(f"{p}: {outcomes[p]['error']}" for p in failed)
    raise dg.Failure(
        description=(
            f"{what} failed for {', '.join(failed)} (their earlier data is kept; "
            f"{len(outcomes) - len(failed)} other platform(s) landed). {reasons}"
        ),
        metadata={"failed_platforms": failed},
        allow_retries=any(outcomes[p].get("transient", True) for p in failed),
    )
