# GovCat developer commands. `make install` is idempotent; `make test` and `make run` install first.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed

.PHONY: install install-system test run bench i18n clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip>=24" "setuptools>=70" wheel

# Dependencies are reinstalled only when a requirements file or setup.py changes.
$(STAMP): $(PY) requirements.txt requirements-dev.txt setup.py
	$(PIP) install --quiet -r requirements-dev.txt
	$(PIP) install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# System packages the browser tests need (Debian; run as root). A no-op once installed.
install-system:
	bash scripts/install-system-packages.sh

# The whole suite: without Chromium the browser tests would only be skipped.
test: install install-system
	$(PY) -m pytest tests $(PYTEST_ARGS)

# The whole portal with demo content, in the foreground (Ctrl-C stops everything).
# GOVCAT_ARGS passes more options, e.g. `make run GOVCAT_ARGS="--port 8080 --workers 4"`.
run: install
	$(VENV)/bin/govcat up --demo $(GOVCAT_ARGS)

# Benchmarks (issue #2). BENCH_ARGS goes to bench.search, e.g. BENCH_ARGS=--quick for a smoke run.
bench: install
	$(PIP) install --quiet -r bench/requirements.txt
	$(PY) -m bench.segmenter --text $(wildcard ../shared/seeds/*.txt)
	$(PY) -m bench.search $(BENCH_ARGS)

# Message catalogs of the govcat plugin: extract, merge into every locale's .po, compile.
i18n: install
	$(PY) scripts/i18n-catalog.py

clean:
	rm -rf $(VENV) .govcat-test build *.egg-info
