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

# Debian packages: Pango (WeasyPrint's PDFs), fonts with Arabic and Hebrew, poppler
# (the tests look at the PDF's pages), gettext (msgfmt -c checks the catalogues),
# Chromium (the console's browser tests; Playwright drives it, never downloads one).
# Installed when missing and root.
DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core poppler-utils gettext chromium
SYSTEM := $(VENV)/.system
$(SYSTEM):
	@if dpkg -s $(DEBS) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y -q --no-install-recommends $(DEBS) >/dev/null || \
	  { apt-get update -q >/dev/null && \
	    apt-get install -y -q --no-install-recommends $(DEBS) >/dev/null; }; \
	else echo "note: install $(DEBS) (Debian) for debrief PDFs and browser tests"; fi
	mkdir -p $(VENV) && touch $@

# The operator console: npm installs exactly what web/package-lock.json names, then
# Vite builds it (with the offline basemap) into the package, which serves it at "/".
CONSOLE := src/airhotline/service/console_dist/index.html
NODE_READY := web/node_modules/.package-lock.json
WEB_SOURCES := $(wildcard web/src/*) web/index.html web/vite.config.js web/tools/basemap.mjs
$(NODE_READY): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "make: the console needs Node.js and npm (Debian: apt-get install nodejs npm)"; exit 2; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@
$(CONSOLE): $(NODE_READY) $(WEB_SOURCES)
	cd web && npm run --silent build >/dev/null
	touch $@

setup: $(READY) $(MO) $(SYSTEM) $(CONSOLE)

# The virtual environment, with every dependency pinned by constraints.txt.
$(READY): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(READY)

$(MO) &: $(PO) $(READY)
	$(PY) tools/i18n.py compile

run: $(READY) $(MO) $(SYSTEM) $(CONSOLE)
	$(VENV)/bin/airhotline serve --demo

test: $(READY) $(MO) $(SYSTEM) $(CONSOLE)
	$(PY) -m pytest -n 2 -q

lint: $(READY)
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(VENV)/bin/ruff format --check src tests benchmarks tools
	$(VENV)/bin/mypy

bench: $(READY) $(MO) $(SYSTEM) $(CONSOLE)
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
	$(PY) -m benchmarks.console
	$(PY) -m benchmarks.debrief

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis web/node_modules \
	  web/public/basemap src/airhotline/service/console_dist
