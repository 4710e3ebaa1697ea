# airhotline — every target sets itself up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready

.PHONY: run test bench lint setup clean

setup: $(READY)

# The virtual environment, with every dependency pinned by constraints.txt.
$(READY): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(READY)

run: $(READY)
	$(VENV)/bin/airhotline serve --demo

test: $(READY)
	$(PY) -m pytest -n 2 -q

lint: $(READY)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

bench: $(READY)
	$(PY) -m benchmarks.detect
	$(PY) -m benchmarks.service
	$(PY) -m benchmarks.alerts
	$(PY) -m benchmarks.reads
	$(PY) -m benchmarks.cli
	$(PY) -m benchmarks.hostile
	$(PY) -m benchmarks.slow_clients

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
