# activity-graph: every set-up step on a fresh machine lives here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PINS_VENV := .venv-platform
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PINS_STAMP := $(PINS_VENV)/.installed
# The platform's own versions (cantdoitbye/backend requirements.txt): the graph-facing code must work beside them.
PLATFORM_PINS := neo4j==5.19.0 neomodel==5.3.2 celery==5.4.0 pydantic==2.7.4 "psycopg[binary,pool]==3.2.1"
PYTEST_ARGS ?=

.PHONY: install services services-down health demo test test-unit test-services test-platform lint bench bench-generate bench-sync bench-similarity bench-feed bench-tracker clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[gds,eval,worker,dev]'
	touch $@

install: $(STAMP)

$(PINS_STAMP): pyproject.toml
	$(PYTHON) -m venv $(PINS_VENV)
	$(PINS_VENV)/bin/pip install -q --upgrade pip
	$(PINS_VENV)/bin/pip install -q $(PLATFORM_PINS) -e '.[dev]'
	$(PINS_VENV)/bin/pip install -q $(PLATFORM_PINS)
	touch $@

services: $(STAMP)
	@bash services/up.sh

services-down:
	@bash services/down.sh

health: $(STAMP)
	$(BIN)/activity-graph health

demo: services
	$(BIN)/activity-graph demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test-unit: $(STAMP)
	$(BIN)/pytest -q tests/unit $(PYTEST_ARGS)

test-services: services
	$(BIN)/pytest -q $(PYTEST_ARGS)

test-platform: services $(PINS_STAMP)
	$(PINS_VENV)/bin/pytest -q -m graph_facing $(PYTEST_ARGS)

# The whole suite against the real services, then the graph-facing part again beside the platform's pins.
test: lint test-services test-platform

bench-generate: services
	$(BIN)/activity-graph bench generate

bench-sync: services
	$(BIN)/python -m sync.bench --users 2000 --days 14

bench-similarity: services
	$(BIN)/activity-graph bench similarity

# EMPTIES the database: writes a feed-shaped graph of 10k, then 100k users, and benchmarks the feed on each.
bench-feed: services
	$(BIN)/activity-graph feed bench-graph --users 10000 --yes
	$(BIN)/activity-graph feed bench
	$(BIN)/activity-graph feed bench-graph --users 100000 --yes
	$(BIN)/activity-graph feed bench

bench-tracker: install
	$(BIN)/python -m tracker.bench

bench: bench-generate bench-sync bench-similarity bench-feed bench-tracker

clean:
	rm -rf $(VENV) $(PINS_VENV)
