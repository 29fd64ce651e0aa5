"""The documented CLI commands, in real processes, and the key in none of their traces."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from aitoearn_assets.sandbox import SandboxApi, SandboxDataset, serve_in_thread
from aitoearn_assets.warehouse.publish import analyst_copy_path

from .conftest import cli_env

REPO = Path(__file__).parents[1]
DAGSTER = str(Path(sys.executable).parent / "dagster")
SECRET = "sk-TEST-secret-7f3a9c1e5b"
WRONG_SECRET = "sk-TEST-wrong-d41d8cd98f"


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    full_env = cli_env(**env)
    return subprocess.run(
        [DAGSTER, *args], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=300, check=False
    )


def materialize(select: str, env: dict[str, str], partition: str | None = None) -> subprocess.CompletedProcess:
    args = ["asset", "materialize", "-m", "aitoearn_assets.definitions", "--select", select]
    return run_cli(args + (["--partition", partition] if partition else []), env)


def count(db: str, sql: str) -> int:
    with duckdb.connect(db, read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_documented_commands_in_sandbox_mode(tmp_path):
    env = {
        "AITOEARN_SANDBOX": "1",
        "AITOEARN_DUCKDB_PATH": str(tmp_path / "demo.duckdb"),
        "DAGSTER_HOME": str(tmp_path),
    }
    done = materialize("raw_works", env, partition="KWAI")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "SANDBOX MODE" in done.stderr
    assert count(env["AITOEARN_DUCKDB_PATH"], "SELECT count(*) FROM raw_works WHERE platform = 'KWAI'") == 360

    done = materialize("account_engagement,top_works", env)
    assert done.returncode == 0, done.stderr[-3000:]
    analyst = analyst_copy_path(env["AITOEARN_DUCKDB_PATH"])
    assert count(analyst, "SELECT count(*) FROM account_engagement") == 3
    assert count(analyst, "SELECT count(*) FROM top_works") == 30

    assert run_cli(["definitions", "validate"], env).returncode == 0


def test_bilibili_works_come_from_publish_records_and_get_a_rate(tmp_path):
    env = {
        "AITOEARN_SANDBOX": "1",
        "AITOEARN_DUCKDB_PATH": str(tmp_path / "demo.duckdb"),
        "DAGSTER_HOME": str(tmp_path),
    }
    done = materialize("raw_works", env, partition="bilibili")
    assert done.returncode == 0, done.stderr[-3000:]
    assert materialize("work_metrics", env, partition="bilibili").returncode == 0
    assert materialize("account_engagement", env).returncode == 0
    analyst = analyst_copy_path(env["AITOEARN_DUCKDB_PATH"])
    assert count(analyst, "SELECT count(*) FROM raw_works WHERE source = 'publish_record'") == 21
    assert count(analyst, "SELECT count(engagement_rate) FROM account_engagement WHERE platform = 'bilibili'") == 3


def test_work_metrics_for_one_platform_after_its_works(tmp_path):
    env = {
        "AITOEARN_SANDBOX": "1",
        "AITOEARN_DUCKDB_PATH": str(tmp_path / "demo.duckdb"),
        "DAGSTER_HOME": str(tmp_path),
    }
    assert materialize("raw_works", env, partition="youtube").returncode == 0
    done = materialize("work_metrics", env, partition="youtube")
    assert done.returncode == 0, done.stderr[-3000:]
    analyst = analyst_copy_path(env["AITOEARN_DUCKDB_PATH"])
    assert count(analyst, "SELECT count(*) FROM work_metrics WHERE platform = 'youtube' AND status = 'ok'") == 360
    assert count(analyst, "SELECT count(view_count) FROM work_engagement WHERE platform = 'youtube'") == 360


def key_traces(folder: Path, databases: list[str], secret: str) -> list[str]:
    """Every place under `folder` (file bytes) and in `databases` (every text cell) holding `secret`."""
    found = [str(p) for p in folder.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    for db in databases:
        with duckdb.connect(db, read_only=True) as con:
            for table, column in con.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
            ).fetchall():
                if con.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" LIKE ?', [f"%{secret}%"]).fetchone()[
                    0
                ]:
                    found.append(f"{db}:{table}.{column}")
    return found


def test_live_mode_over_http_never_leaks_the_key(tmp_path):
    dataset = SandboxDataset(
        accounts_per_platform=2, works_per_account=30, revoked_accounts=frozenset({"tiktok_u42x080001"})
    )
    api = SandboxApi(dataset, api_key=SECRET)
    api.faults.add("http_503", times=2)
    api.faults.add("envelope_429", times=1, skip=3)
    home = tmp_path / "home"
    home.mkdir()
    db = str(tmp_path / "live.duckdb")
    with serve_in_thread(api) as server:
        env = {"AITOEARN_BASE_URL": server.base_url, "AITOEARN_DUCKDB_PATH": db, "DAGSTER_HOME": str(home)}
        good = materialize("raw_works", env | {"AITOEARN_API_KEY": SECRET}, partition="tiktok")
        bad = materialize("raw_works", env | {"AITOEARN_API_KEY": WRONG_SECRET}, partition="tiktok")

    assert good.returncode == 0, good.stderr[-3000:]
    assert count(db, "SELECT count(*) FROM raw_works") == 30  # one account revoked, skipped
    assert bad.returncode != 0 and "AITOEARN_API_KEY" in bad.stderr and "401" in bad.stderr
    assert api.faults.faults[0].fired == 2

    for secret in (SECRET, WRONG_SECRET):
        for output in (good.stdout, good.stderr, bad.stdout, bad.stderr):
            assert secret not in output
        assert key_traces(home, [db, analyst_copy_path(db)], secret) == []
        assert key_traces(tmp_path, [], secret) == []


def test_run_config_that_changes_a_setting_keeps_the_key_and_base_url(tmp_path):
    """The README invites `resources: aitoearn: config: {...}` in the launchpad: it must stay live."""
    api = SandboxApi(SandboxDataset(accounts_per_platform=2, works_per_account=30), api_key=SECRET)
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text("resources:\n  aitoearn:\n    config:\n      max_concurrency: 8\n")
    db = str(tmp_path / "live.duckdb")
    with serve_in_thread(api) as server:
        env = {
            "AITOEARN_API_KEY": SECRET,
            "AITOEARN_BASE_URL": server.base_url,
            "AITOEARN_DUCKDB_PATH": db,
            "DAGSTER_HOME": str(tmp_path),
        }
        args = ["asset", "materialize", "-m", "aitoearn_assets.definitions", "--select", "raw_works"]
        done = run_cli([*args, "--partition", "KWAI", "-c", str(run_yaml)], env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "SANDBOX MODE" not in done.stderr and SECRET not in done.stderr
    assert api.requests >= 3  # /platforms, /accounts, the works pages: the live server answered
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute("SELECT value FROM warehouse_info WHERE key = 'mode'").fetchone() == ("live",)
        assert con.execute("SELECT count(*) FROM raw_works").fetchone() == (60,)


def test_no_key_and_no_sandbox_flag_loads_but_fails_before_any_request(tmp_path):
    env = {"AITOEARN_DUCKDB_PATH": str(tmp_path / "none.duckdb"), "DAGSTER_HOME": str(tmp_path)}
    assert run_cli(["definitions", "validate", "-m", "aitoearn_assets.definitions"], env).returncode == 0
    done = materialize("raw_works", env, partition="KWAI")
    assert done.returncode != 0
    assert "Neither AITOEARN_API_KEY nor AITOEARN_SANDBOX is set" in done.stderr
    assert "STEP_UP_FOR_RETRY" not in done.stderr  # a setting, not a glitch: not retried


def refresh_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    full_env = cli_env(**env)
    return subprocess.run(
        [sys.executable, "-m", "aitoearn_assets", "refresh", *args],
        cwd=REPO, env=full_env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_refresh_prints_a_line_per_platform_and_a_summary_of_the_whole_job(tmp_path):
    env = {"AITOEARN_SANDBOX": "1", "AITOEARN_DUCKDB_PATH": str(tmp_path / "r.duckdb"), "DAGSTER_HOME": str(tmp_path)}
    done = refresh_cli(["--platform", "KWAI", "--platform", "douyin", "--platform", "youtube"], env)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert "DEBUG" not in done.stdout + done.stderr and "Warning" not in done.stderr
    assert any(line.startswith("raw_works[KWAI]: 360 works from 3 account(s)") for line in lines)
    publish_records = "raw_works[douyin]: 21 works from the publish records of 3 account(s)"
    douyin = next(line for line in lines if line.startswith(publish_records))
    assert douyin.endswith("(no works list: the API says douyin cannot list works (capability work.listWorks is off, "
                           "or the platform is not registered))")  # fmt: skip
    works = lines.index("Works")
    assert [line.split()[0] for line in lines[works + 3 : works + 6]] == ["douyin", "KWAI", "youtube"]
    analytics = lines.index("Work analytics (platforms asked this run)")
    youtube = next(line.split() for line in lines[analytics:] if line.startswith("youtube"))
    assert youtube[:5] == ["youtube", "ok", "360", "360", "0"]  # asked, with data, no data
    assert "Analytics tables (rows): account_engagement 9, top_works 60" in done.stdout
    assert any(line.startswith("Checks: ") and "0 failed" in line for line in lines)
    analyst = analyst_copy_path(env["AITOEARN_DUCKDB_PATH"])
    assert f"Warehouse for analysts: {Path(analyst).resolve()}" in done.stdout  # absolute, as the report's
    assert f"Report: {(tmp_path / 'r_report.html').resolve()}" in done.stdout
    assert lines[-1].startswith("Refresh complete in")
    assert count(analyst, "SELECT count(engagement_rate) FROM account_engagement WHERE platform = 'youtube'") == 3

    verbose = refresh_cli(["--platform", "KWAI", "--verbose"], env)
    assert verbose.returncode == 0 and "STEP_SUCCESS" in verbose.stderr


def test_refresh_takes_run_config_like_the_cli(tmp_path):
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text(
        "resources:\n  aitoearn:\n    config:\n      max_concurrency: 2\n"
        "ops:\n  work_metrics:\n    config:\n      max_requests: 5\n  top_works:\n    config:\n      n: 2\n"
    )
    env = {"AITOEARN_SANDBOX": "1", "AITOEARN_DUCKDB_PATH": str(tmp_path / "r.duckdb"), "DAGSTER_HOME": str(tmp_path)}
    done = refresh_cli(["--platform", "youtube", "-c", str(run_yaml)], env)
    assert done.returncode == 0, done.stderr[-3000:]
    analyst = analyst_copy_path(env["AITOEARN_DUCKDB_PATH"])
    assert count(analyst, "SELECT count(*) FROM work_metrics") == 5  # the budget of the run config
    assert count(analyst, "SELECT max(rank) FROM top_works") == 2


def test_make_sql_opens_the_analyst_copy_in_the_duckdb_cli_and_python_reads_it_too(tmp_path):
    """The README's analyst command as written (`make sql`), the duckdb CLI of the project's environment (the
    pipeline's 1.5.5), the newest CLI (1.5.6, from PyPI) and Python's duckdb 1.5.x all open the analyst copy."""
    env = {"AITOEARN_SANDBOX": "1", "AITOEARN_DUCKDB_PATH": str(tmp_path / "r.duckdb"), "DAGSTER_HOME": str(tmp_path)}
    assert refresh_cli(["--platform", "KWAI"], env).returncode == 0
    make = subprocess.run(
        ["make", "--no-print-directory", "sql"], cwd=REPO, env=cli_env(**env), input="SELECT count(*) AS works FROM raw_works;\n",
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert make.returncode == 0, make.stderr[-2000:]
    assert "360" in make.stdout and "works" in make.stdout
    cli = Path(sys.executable).parent / "duckdb"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith(f"v{duckdb.__version__}")
    newest = tmp_path / "cli-1.5.6"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", newest, "duckdb-cli==1.5.6"],
                   capture_output=True, check=True, timeout=300)  # fmt: skip
    for binary in (cli, newest / "duckdb_cli" / "duckdb"):
        direct = subprocess.run(
            [binary, "-readonly", analyst_copy_path(env["AITOEARN_DUCKDB_PATH"]), "-csv", "-noheader",
             "-c", "SELECT version(), count(*) FROM account_engagement"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert direct.stdout.split(",")[1].strip() == "3", direct.stdout
    assert direct.stdout.startswith("v1.5.6")
    assert duckdb.__version__.startswith("1.5.") and count(analyst_copy_path(env["AITOEARN_DUCKDB_PATH"]),
                                                             "SELECT count(*) FROM raw_works") == 360  # fmt: skip
