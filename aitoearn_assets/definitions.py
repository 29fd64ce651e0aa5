"""The project's one `Definitions`: everything in the `defs/` folder, loaded the `dg` way.

A module added under `defs/` (by hand or by `dg scaffold defs ...`) is picked up without editing
this file. In a source checkout (editable install) the project's pyproject.toml locates the
folder; a regular install has no pyproject.toml beside the package, so the package itself is
the project root there.
"""

import gc
import warnings
from pathlib import Path

import dagster as dg

import aitoearn_assets.defs

PACKAGE = Path(__file__).parent


def load_project_defs() -> dg.Definitions:
    """Every definition under `aitoearn_assets/defs/`, each collected once."""
    if (PACKAGE.parent / "pyproject.toml").is_file():
        return dg.load_from_defs_folder(path_within_project=PACKAGE)
    with warnings.catch_warnings():  # load_defs is the form that needs no pyproject.toml
        warnings.simplefilter("ignore", DeprecationWarning)
        return dg.load_defs(aitoearn_assets.defs, project_root=PACKAGE)


defs = load_project_defs()

# What is loaded by now (Dagster, the libraries, these definitions) lives as long as the process.
# Frozen, it is left out of the garbage collector's full passes, which a run otherwise repeats over
# it many times: a run through `dagster asset materialize` costs about 0.5 s less (benchmarks/run.py).
gc.freeze()
