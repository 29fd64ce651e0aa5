"""work_growth + account_growth over N works x D days of snapshots generated straight into DuckDB.

usage: growth.py generate WORKS DAYS DUCKDB_PATH | growth.py compute DUCKDB_PATH
"""

from __future__ import annotations

import sys
import time

import duckdb
from common import report

from aitoearn_assets.defs.resources.warehouse import DEFAULT_MEMORY_LIMIT
from aitoearn_assets.warehouse import definitions
from aitoearn_assets.warehouse.growth import compute_account_growth, compute_work_growth
from aitoearn_assets.warehouse.schema import ensure_schema
from aitoearn_assets.warehouse.writes import replace_table_from_frame

WORKS_PER_ACCOUNT = 100
#: Every third account is on a platform that reports no views; `{a}`: the account's number.
NO_VIEWS = "{a} % 3 = 0"


def platform_of(account: str) -> str:
    return f"CASE WHEN {NO_VIEWS.format(a=account)} THEN 'xhs' ELSE 'tiktok' END"


def generate(works: int, days: int, path: str) -> None:
    """Daily snapshots of every work (views and likes growing, a few lowered), its raw_works row, and
    daily account snapshots; pinterest-free (no daily series), like most of a real warehouse. Every third
    account is on a platform that reports no views (xhs here): its works' exposure is NULL in every snapshot."""
    with duckdb.connect(path, config={"memory_limit": "2GB"}) as con:
        ensure_schema(con, "sandbox")
        con.execute(
            f"""
            INSERT INTO raw_works (platform, account_id, platform_work_id, published_at, fetched_at)
            SELECT {platform_of("(w // $per)")}, 'acc' || (w // $per), 'w' || w,
                   TIMESTAMP '2026-11-28' - to_days((w % 120)::INT), now()
            FROM range($works) AS t(w)
            """,
            {"works": works, "per": WORKS_PER_ACCOUNT},
        )

        # one day at a time, oldest first, as daily runs append them; the measures as a write records them
        # (warehouse.definitions); every fifth work's likes come from weekly analytics, so six days in
        # seven carry the last observation over
        def column(c: str) -> str:
            return c if c in ("view_count", "like_count") else "NULL::BIGINT"

        day = f"""
            INSERT INTO work_snapshots BY NAME
            SELECT * EXCLUDE (w, d, weekly),
                   {definitions.exposure(column)} AS exposure, {definitions.exposure_metric(column)} AS exposure_metric,
                   CASE WHEN view_count IS NOT NULL THEN snapshot_date END AS exposure_observed_on,
                   {definitions.interactions(column)} AS interactions,
                   {definitions.interactions_metric(column)} AS interactions_metric,
                   CASE WHEN weekly THEN snapshot_date - (6 - (d + 6) % 7)::INT ELSE snapshot_date END
                       AS interactions_observed_on
            FROM (
                SELECT w, d, w % 5 = 0 AS weekly,
                       {platform_of("(w // $per)")} AS platform,
                       'acc' || (w // $per) AS account_id, 'w' || w AS platform_work_id,
                       DATE '2026-11-28' - d::INT AS snapshot_date,
                       CASE WHEN NOT {NO_VIEWS.format(a="(w // $per)")}
                            THEN 1000 + (w % 997) * 10 + ($days - d) * (w % 50) END::BIGINT AS view_count,
                       (10 + (w % 89) + ($days - CASE WHEN weekly THEN d + 6 - (d + 6) % 7 ELSE d END) * (w % 7)
                        - CASE WHEN w % 1000 = 1 AND d = 0 THEN 50 ELSE 0 END)::BIGINT AS like_count,
                       'list' AS metrics_source, now()::TIMESTAMP AS fetched_at
                FROM range($works) AS t(w), (SELECT $d::BIGINT AS d)
            )
            """
        for d in reversed(range(days)):
            con.execute(day, {"works": works, "days": days, "per": WORKS_PER_ACCOUNT, "d": d})
        con.execute(
            f"""
            INSERT INTO account_snapshots BY NAME
            SELECT {platform_of("a")} AS platform, 'acc' || a AS account_id,
                   DATE '2026-11-28' - d::INT AS snapshot_date,
                   (5000 + a * 3 + ($days - d) * (a % 40))::BIGINT AS followers, 'analytics' AS source,
                   now()::TIMESTAMP AS fetched_at
            FROM range($accounts) AS t(a), range($days) AS u(d)
            """,
            {"accounts": works // WORKS_PER_ACCOUNT, "days": days},
        )
        con.execute("CHECKPOINT")


def compute(path: str) -> None:
    started = time.perf_counter()
    with duckdb.connect(path, config={"memory_limit": DEFAULT_MEMORY_LIMIT}) as con:
        works = compute_work_growth(con)
        replace_table_from_frame(con, "work_growth", works, keep_order=False)  # as the asset writes it
        accounts = compute_account_growth(con, works)
        replace_table_from_frame(con, "account_growth", accounts, keep_order=False)
    seconds = time.perf_counter() - started
    # growth over snapshots that observe nothing takes no baseline at all: that would measure nothing
    gains = {c: works[c].count() for c in works.columns if "_gain_" in c}
    if min(gains.values()) < works.height // 2:
        raise SystemExit(f"most works have no gain, the data measures nothing: {gains}")
    report(seconds=seconds, works=works.height, accounts=accounts.height, gains=gains)


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        print("{}")
    else:
        compute(sys.argv[2])
