# The menu of everyday commands. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run stop install migrate seed test check lint format messages bench browser evaluate clean-db

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# HOST and PORT reach the settings too: links in mail sent outside a request use them.
run: seed
	@$(PY) -m portal.embedded_db where
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

# Stops the embedded PostgreSQL of .pgdata/ (its data stays; the next `make run` starts it).
stop:
	$(PY) -m portal.embedded_db stop

# Debian's headless Chromium for the real-browser tests (installed once, as root).
browser:
	@test -x /usr/bin/chromium || (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null)) || \
		(test -x /usr/bin/chromium || (echo "Chromium is missing: install Debian's chromium package" && exit 1))

# axe-core for the accessibility browser tests (tests/test_browser_accessibility.py), exactly
# as package-lock.json pins it.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || (echo "npm is missing: install Node.js (Debian: apt-get install npm)" && exit 1)
	npm ci --no-audit --no-fund

# --create-db: browser tests run as transactions and flush the tables at their end, which
# empties the reference data made by migrations (moderator group, taxonomy); a reused test
# database would start without it. A fresh one per run keeps `make test` repeatable.
test: install browser node_modules/.package-lock.json
	$(PY) -m pytest --create-db $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# What CI checks before the tests: no model change without its migration, and lint.
check: lint
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

messages: install
	$(PY) manage.py makemessages -l ja --ignore=.venv --ignore=staticfiles --ignore=node_modules
	$(PY) manage.py compilemessages -l ja --ignore=.venv

bench: install
	$(PY) manage.py bench

evaluate: install
	$(PY) manage.py evaluate_matching data/matching-dev.json
