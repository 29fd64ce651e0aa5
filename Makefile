# Two commands for a newcomer: `make run` (install + the main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
# No key: `make run` and `make ui` use the demo sandbox, on purpose and visibly (AITOEARN_SANDBOX=1).
ifeq ($(strip $(AITOEARN_API_KEY)),)
export AITOEARN_SANDBOX ?= 1
endif

.PHONY: install run ui sql test test-fast lint bench screenshot

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,lake]'
	@# every command of this environment (make, dagster, dg, python) uses the instance in dagster_home/
	@# unless DAGSTER_HOME says otherwise: one run history, and telemetry off (dagster_home/dagster.yaml)
	$(PY) -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'aitoearn_dagster_home.pth').write_text(\"import os; os.environ.setdefault('DAGSTER_HOME', '$(CURDIR)/dagster_home')\\n\")"
	touch $@

install: $(VENV)/.installed

run: install  ## accounts, all 15 raw_works partitions (one run), then the analytics tables
	$(PY) -m aitoearn_assets refresh $(ARGS)

ui: install  ## the Dagster UI (webserver + daemon) on http://127.0.0.1:3000
	$(VENV)/bin/dg dev --host 127.0.0.1 --port 3000

sql: install  ## the analysts' copy of the warehouse in the duckdb CLI, read-only
	$(PY) -m aitoearn_assets sql

#: Two workers, a test module to one of them (its module fixtures are built once).
#: PARALLEL= runs the suite in one process.
PARALLEL ?= -n 2 --dist loadfile

test: install  ## the whole suite, browser tests included (they need Debian's chromium: .ci/run installs it)
	$(VENV)/bin/pytest -q --durations=15 $(PARALLEL)

test-fast: install  ## the suite without the browser tests
	$(VENV)/bin/pytest -q -m "not browser" $(PARALLEL)

screenshot: install  ## regenerate docs/report.png (the README's picture of the report)
	$(PY) docs/make_screenshot.py

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: install  ## the performance benchmark (python benchmarks/run.py; --update-readme writes its table)
	$(PY) benchmarks/run.py
