# Two commands on a fresh machine:
#   make run   – set up and serve the embedded demo on http://127.0.0.1:8000
#   make test  – set up and run the whole test suite against PostgreSQL and Redis
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

# Tests talk to the machine's PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/safeguarding
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0
TEST_ENV := DEBUG=true DEMO_MODE=false DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL)
# The embedded demo: SQLite, filesystem broker, e-mail to var/outbox.
RUN_ENV := DEBUG=true DEMO_MODE=true

.PHONY: help run test test-fast bench bench-tools setup python-deps node-deps assets system-deps services lint format clean

help:
	@echo "make run        set up and serve the demo on http://127.0.0.1:8000 (Ctrl-C stops it)"
	@echo "make test       set up and run every test (PostgreSQL, Redis, browser)"
	@echo "make test-fast  the same without the slow browser tests"
	@echo "make bench      the benchmark suite at national scale (bench/README.md)"
	@echo "make lint       ruff"

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "ERROR: '$(PYTHON) -m venv' failed. On Debian, install python3-venv (apt-get install python3-venv)."; exit 1; }
	$(PIP) install --upgrade pip
	$(PIP) install -e '.[test,bench]'
	@touch $@

python-deps: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node-deps: node_modules/.installed

static/dist/app.css: node_modules/.installed $(wildcard static/scss/*.scss)
	npm run --silent build:css

assets: node-deps static/dist/app.css

setup: python-deps assets

run: setup
	@mkdir -p var
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py run_embedded

# Debian packages the tests need (headless Chromium for browser tests, LibreOffice to open
# the generated PowerPoint, Java for the Nu HTML Checker, docker-compose to
# validate the compose file, and the fonts and HarfBuzz font subsetter WeasyPrint uses in
# production, as in the Dockerfile). Installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-impress-nogui"; \
	fc-list 2>/dev/null | grep -qi liberation || missing="$$missing fonts-liberation"; \
	ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# PostgreSQL and Redis on localhost: start them if they are down, or stop with a clear message.
services:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  echo "PostgreSQL is down: starting it"; \
	  (pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -1) main start || true); \
	  for i in $$(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done; \
	  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "ERROR: PostgreSQL is not running on 127.0.0.1:5432 and could not be started. Start it, or set TEST_DATABASE_URL."; exit 1; }; \
	fi
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  echo "Redis is down: starting it"; \
	  (redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp >/dev/null || true); \
	  for i in $$(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done; \
	  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "ERROR: Redis is not running on 127.0.0.1:6379 and could not be started. Start it, or set TEST_BROKER_URL."; exit 1; }; \
	fi

test: setup system-deps services
	$(TEST_ENV) $(PY) -m pytest

test-fast: setup services
	$(TEST_ENV) $(PY) -m pytest -m "not slow"

# The benchmark suite (issue 9): a database of national-scale data (seeded once, kept for
# the next run), then every measure next to its anchor; writes bench/results.json.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/safeguarding_bench
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/15
BENCH_SCALE ?= 1.0
BENCH_TODAY ?= 2026-11-26
BENCH_ENV := DEBUG=true DEMO_MODE=false DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) BENCH_TODAY=$(BENCH_TODAY)

bench-tools:
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian package: wrk"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null; }

bench: setup system-deps services bench-tools
	@db="$$(basename "$(BENCH_DATABASE_URL)")"; \
	psql "$$(dirname "$(BENCH_DATABASE_URL)")/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$$db'" | grep -q 1 \
	  || psql "$$(dirname "$(BENCH_DATABASE_URL)")/postgres" -qc "CREATE DATABASE \"$$db\""
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py seed_scale --if-empty --scale $(BENCH_SCALE) --today $(BENCH_TODAY)
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) BENCH_TODAY=$(BENCH_TODAY) $(PY) bench/run.py

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var static/dist .pytest_cache
