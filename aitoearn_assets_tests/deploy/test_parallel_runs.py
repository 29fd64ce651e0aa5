"""Runs in parallel on the lake, each a process on its own "machine", while an analyst reads (needs Postgres)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import dagster as dg
import duckdb
import polars as pl

from aitoearn_assets.defs.assets.raw_works import raw_works
from aitoearn_assets.defs.resources.aitoearn import AiToEarnCredentials, AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.warehouse.location import WarehouseLocation

from .conftest import BIN, worker

PLATFORMS = ["KWAI", "tiktok", "twitter", "douyin"]
ANALYTICS = "account_engagement,top_works,work_growth,account_growth,engagement_report"

#: An analyst's session held open the whole time, querying in a loop: every answer must show each platform
#: either not yet written or written whole, its works and its ingest_runs row together (one commit).
ANALYST = textwrap.dedent(
    """
    import json, os, sys, time
    from aitoearn_assets.warehouse.location import WarehouseLocation
    catalog, stop = sys.argv[1], sys.argv[2]
    con, counts, queries, before_created, errors, states = None, {}, 0, 0, [], set()
    while not os.path.exists(stop):
        try:
            con = con or WarehouseLocation(catalog).connect_read_only()
            con.execute("BEGIN")  # both queries on one snapshot
            works = dict(con.execute("SELECT platform, count(*) FROM raw_works GROUP BY 1").fetchall())
            runs = dict(con.execute("SELECT platform, sum(works_written) FROM ingest_runs GROUP BY 1").fetchall())
            con.execute("COMMIT")
            queries += 1
            states.add(",".join(sorted(works)))
            for platform, n in works.items():
                counts.setdefault(platform, set()).add(n)
            if works != {p: n for p, n in runs.items() if n}:
                errors.append(f"works {works} but ingest_runs {runs}")
        except Exception as err:
            if queries == 0 and ("data_path is not set" in str(err) or "does not exist" in str(err)):
                before_created += 1  # the first run has not created the lake yet
                con = None
            else:
                errors.append(str(err)[:300])
        time.sleep(0.02)
    print(json.dumps({"queries": queries, "before_created": before_created, "errors": errors,
                      "counts": {p: sorted(c) for p, c in counts.items()}, "states": sorted(states)}))
    """
)


def materialize(select: str, *extra: str) -> list[str]:
    return [
        str(BIN / "dagster"),
        "asset",
        "materialize",
        "-m",
        "aitoearn_assets.definitions",
        "--select",
        select,
        *extra,
    ]


def served_works(tmp_path) -> pl.DataFrame:
    """What the sandbox serves for these platforms, fetched in this process into a DuckDB file."""
    file = WarehouseResource(database=str(tmp_path / "expected.duckdb"))
    resources = {"aitoearn": AiToEarnResource(credentials=AiToEarnCredentials(sandbox=True)), "warehouse": file}
    for platform in PLATFORMS:
        assert dg.materialize([raw_works], partition_key=platform, resources=resources).success
    with duckdb.connect(file.database, read_only=True) as con:
        return con.sql("SELECT * FROM raw_works ORDER BY ALL").pl()


def test_four_runs_at_once_each_on_its_own_worker_land_exactly_while_an_analyst_reads(production, tmp_path):
    catalog = production["AITOEARN_DUCKDB_PATH"]
    stop = tmp_path / "stop"
    analyst = subprocess.Popen(
        [sys.executable, "-c", ANALYST, catalog, str(stop)], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    # the account listing and four platforms at once, on a lake no run has created yet
    commands = {"accounts": materialize("accounts")} | {
        p: materialize("raw_works", "--partition", p) for p in PLATFORMS
    }
    runs = {
        name: subprocess.Popen(
            command, **worker(production, tmp_path / name), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for name, command in commands.items()
    }
    logs = {name: run.communicate(timeout=600)[0] for name, run in runs.items()}
    try:
        failed = {n: logs[n][-6000:] for n, r in runs.items() if r.returncode != 0}
        assert not failed, "\n\n".join(f"{n} failed:\n{log}" for n, log in failed.items())
        downstream = subprocess.run(
            materialize(ANALYTICS), **worker(production, tmp_path / "analytics"), capture_output=True, text=True,
            timeout=600,
        )  # fmt: skip
        assert downstream.returncode == 0, downstream.stderr[-3000:]
    finally:
        stop.touch()
        seen = json.loads(analyst.communicate(timeout=60)[0])
    assert not [n for n, log in logs.items() if "Could not set lock" in log or "Conflicting lock" in log]

    with WarehouseLocation(catalog).connect_read_only() as con:
        landed = con.sql("SELECT * FROM raw_works ORDER BY ALL").pl()
        per_platform = dict(con.execute("SELECT platform, count(*) FROM raw_works GROUP BY 1").fetchall())
        runs_logged = con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]
        engagement = dict(con.execute("SELECT platform, count(*) FROM account_engagement GROUP BY 1").fetchall())
        listed = con.execute("SELECT count(*) FROM accounts").fetchone()[0]
    assert landed.equals(served_works(tmp_path))  # every work the sandbox served, once, none lost
    assert runs_logged == len(PLATFORMS) and listed == 45
    assert engagement == dict.fromkeys(PLATFORMS, 3)

    assert seen["errors"] == [] and seen["queries"] > 20
    assert len(seen["states"]) >= 3, seen["states"]  # it read while platforms were landing one by one
    for platform in PLATFORMS:  # the analyst saw each platform whole or not at all, never half-written
        assert seen["counts"].get(platform, [per_platform[platform]]) == [per_platform[platform]], seen["counts"]
