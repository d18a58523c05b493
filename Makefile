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

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The pilot's dashboards served by gunicorn at 200,000 requests on PostgreSQL: p50 and p95
# per page against the 300 ms budget (database accompagnement_bench, seeded once; see
# bench/dashboard.py). Then 10,000 milestone reminders fanned out by one worker, timed
# (scratch database; see bench/reminders_fanout.py for PostgreSQL and Redis).
bench: install-dev
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/reminders_fanout.py

clean:
	rm -rf var/ .pytest_cache
