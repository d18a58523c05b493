# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev migrate data lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt constraints.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

data: migrate
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py sync_schedules
	$(BIN)/python manage.py seed_demo --ensure-requests 3000

# Web server on http://$(HOST):$(PORT), Celery worker and beat; Ctrl-C stops all three.
run: data
	HOST=$(HOST) PORT=$(PORT) $(BIN)/honcho --procfile Procfile start

test: install-dev
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every budget of DESIGN.md section 7 at 200,000 requests on PostgreSQL (and Redis on
# 127.0.0.1, as in .ci/run): the seed timed, the dashboards page by page, the queue, a
# request page, the DDI list, the dashboard and filing under load with locust, then 10,000
# milestone reminders sent by one worker. Prints the table and writes docs/benchmarks.md
# (see bench/README.md). locust lives in a virtualenv of its own, var/bench/locust/.
BENCH_VENV := var/bench/locust

$(BENCH_VENV)/.installed: bench/requirements.txt constraints.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements.txt -c constraints.txt
	touch $@

bench: install-dev $(BENCH_VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var/ .pytest_cache
