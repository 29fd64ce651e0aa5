"""The `defs/` folder is what Dagster loads: new modules are picked up, nothing is collected twice."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from aitoearn_assets.definitions import defs

REPO = Path(__file__).parents[1]
LIST_KEYS = "from aitoearn_assets.definitions import defs; print(sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()))"


def test_every_definition_is_collected_once():
    graph = defs.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} >= {"accounts", "raw_works", "top_works"}
    assert sorted(s.name for s in defs.schedules) == ["daily_accounts", "daily_raw_works"]
    assert len(list(defs.resolve_all_job_defs())) == len({j.name for j in defs.resolve_all_job_defs()})
    assert len(graph.asset_check_keys) == len(set(graph.asset_check_keys))


def copy_project(target: Path, with_pyproject: bool) -> None:
    shutil.copytree(REPO / "aitoearn_assets", target / "aitoearn_assets", ignore=shutil.ignore_patterns("__pycache__"))
    if with_pyproject:
        shutil.copy(REPO / "pyproject.toml", target / "pyproject.toml")


def keys_loaded_from(folder: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", LIST_KEYS], cwd=folder, capture_output=True, text=True, timeout=120, check=False,
        env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_module_added_under_defs_is_picked_up_without_editing_definitions(tmp_path):
    copy_project(tmp_path, with_pyproject=True)
    (tmp_path / "aitoearn_assets" / "defs" / "my_report.py").write_text(
        textwrap.dedent(
            """
            import dagster as dg

            @dg.asset(deps=["top_works"])
            def my_report() -> None:
                ...
            """
        )
    )
    assert "'my_report'" in keys_loaded_from(tmp_path)


def test_a_regular_install_without_pyproject_loads_the_same_definitions(tmp_path):
    copy_project(tmp_path, with_pyproject=False)
    loaded = keys_loaded_from(tmp_path)
    assert all(f"'{key}'" in loaded for key in ("accounts", "raw_works", "account_engagement", "top_works"))
