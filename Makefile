# Two commands set everything up on a fresh machine (see README.md):
#   make run   - virtualenv, install, migrate, demo content, admin account, serve on :8000 (SQLite)
#   make test  - virtualenv, install, lint, the whole test suite (unit, then browser journeys)
#   make rehearse - the production shape on this machine (PostgreSQL, Redis, 2 gunicorns behind nginx,
#                   worker, SMTP) through its journeys and faults; needs nginx, redis-server, wrk (README)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test setup lint unit e2e screenshots bench rehearse clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv --verbosity=0; else echo "gettext not installed: using the committed .mo catalogues"; fi

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_lessons content/lessons
	$(PY) manage.py ensure_admin
	$(PY) manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_DEBUG=1 $(VENV)/bin/mypy  # settings are read for the Django plugin; no secret needed to type-check

unit: setup
	$(VENV)/bin/pytest --ignore=tests/e2e -q $(PYTEST_ARGS)

e2e: setup
	$(VENV)/bin/pytest tests/e2e -q $(PYTEST_ARGS)

test: lint unit e2e

screenshots: setup
	$(VENV)/bin/pytest tests/e2e/test_accessibility_and_layout.py -q
	@echo "Screenshots (360 px and 1280 px, light and dark, English and Korean) are in screenshots/"

# make bench: the speed benchmark on SQLite, then PostgreSQL (make bench DB=sqlite for one);
# every run is appended to bench/RESULTS.md. Exits non-zero when any goal is missed on any database.
DB ?= sqlite postgres
bench: setup
	@status=0; for db in $(DB); do STREAM_BENCH_DATABASE=$$db $(PY) bench/run.py --record || status=1; done; exit $$status

rehearse: setup
	$(PY) deploy/rehearse.py $(REHEARSE_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
