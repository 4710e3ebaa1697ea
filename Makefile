# airhotline — every target sets itself up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready

.PHONY: run test bench lint setup clean
.DEFAULT_GOAL := setup

# The message catalogues: each language's .po compiled to the .mo that gettext reads.
PO := $(wildcard src/airhotline/i18n/locale/*/LC_MESSAGES/airhotline.po)
MO := $(PO:.po=.mo)

# Debian packages the debrief needs: Pango (WeasyPrint's PDFs), fonts with Arabic and
# Hebrew, poppler (the tests look at the PDF's pages), gettext (msgfmt -c checks the
# catalogues). Installed when missing and root.
DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core poppler-utils gettext
SYSTEM := $(VENV)/.system
$(SYSTEM):
	@if dpkg -s $(DEBS) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y -q $(DEBS) >/dev/null || \
	  { apt-get update -q >/dev/null && apt-get install -y -q $(DEBS) >/dev/null; }; \
	else echo "note: install $(DEBS) (Debian) for debrief PDFs"; fi
	mkdir -p $(VENV) && touch $@

setup: $(READY) $(MO) $(SYSTEM)

# The virtual environment, with every dependency pinned by constraints.txt.
$(READY): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(READY)

$(MO) &: $(PO) $(READY)
	$(PY) tools/i18n.py compile

run: $(READY) $(MO) $(SYSTEM)
	$(VENV)/bin/airhotline serve --demo

test: $(READY) $(MO) $(SYSTEM)
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
