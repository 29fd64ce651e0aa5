# Two commands for a newcomer: `make run` (install + the main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
# No key: `make run` and `make ui` use the demo sandbox, on purpose and visibly (AITOEARN_SANDBOX=1).
ifeq ($(strip $(AITOEARN_API_KEY)),)
export AITOEARN_SANDBOX ?= 1
endif

.PHONY: install run ui test test-fast lint bench screenshot

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install  ## accounts, all 15 raw_works partitions (one run), then the analytics tables
	$(PY) -m aitoearn_assets refresh $(ARGS)

ui: install  ## the Dagster UI (webserver + daemon) on http://127.0.0.1:3000
	$(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

test: install  ## the whole suite, browser tests included (they need Debian's chromium: .ci/run installs it)
	$(VENV)/bin/pytest -q

test-fast: install  ## the suite without the browser tests
	$(VENV)/bin/pytest -q -m "not browser"

screenshot: install  ## regenerate docs/report.png (the README's picture of the report)
	$(PY) docs/make_screenshot.py

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: install  ## the performance benchmark (installs dlt for the comparison)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/run.py
