# airhotline — every target sets itself up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready

.PHONY: run test bench lint setup clean

# The message catalogues: each language's .po compiled to the .mo that gettext reads.
PO := $(wildcard src/airhotline/i18n/locale/*/LC_MESSAGES/airhotline.po)
MO := $(PO:.po=.mo)

setup: $(READY) $(MO)

# The virtual environment, with every dependency pinned by constraints.txt.
$(READY): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(READY)

$(MO) &: $(PO) $(READY)
	$(PY) tools/i18n.py compile

run: $(READY) $(MO)
	$(VENV)/bin/airhotline serve --demo

test: $(READY) $(MO)
	$(PY) -m pytest -n 2 -q

lint: $(READY)
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(VENV)/bin/ruff format --check src tests benchmarks tools
	$(VENV)/bin/mypy

bench: $(READY) $(MO)
	$(PY) -m benchmarks.detect
	$(PY) -m benchmarks.service
	$(PY) -m benchmarks.alerts
	$(PY) -m benchmarks.reads
	$(PY) -m benchmarks.cli
	$(PY) -m benchmarks.hostile
	$(PY) -m benchmarks.slow_clients
	$(PY) -m benchmarks.messages
	$(PY) -m benchmarks.notices
	$(PY) -m benchmarks.drill
	$(PY) -m benchmarks.feeds
	$(PY) -m benchmarks.replay

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
