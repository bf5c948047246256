# The only task runner. `make run` and `make test` each do everything from a clean clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export BROKER_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: install assets run serve test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

static/build/.built: node_modules/.installed $(wildcard styles/*.scss)
	$(BIN)/python -m broker.assets
	touch static/build/.built

install: $(STAMP) static/build/.built

assets: static/build/.built

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > instance/secret_key
	chmod 600 instance/secret_key

run: install instance/secret_key
	$(BIN)/broker init-db
	$(BIN)/broker seed
	$(BIN)/broker index rebuild
	BROKER_BASE_URL=$${BROKER_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/broker run --host $(HOST) --port $(PORT)

# The production server (gunicorn: BROKER_WORKERS workers x BROKER_THREADS threads); no demo data.
serve: install instance/secret_key
	$(BIN)/broker init-db
	$(BIN)/broker serve --bind $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check broker index providers_seed tests benchmarks
	$(BIN)/ruff format --check broker index providers_seed tests benchmarks
	$(BIN)/lint-imports

# Two workers: the suite is mostly waiting on databases, browsers and SMTP, and CI has 2 cores.
TEST_WORKERS ?= 2

test: install lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

bench: install instance/secret_key
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules static/build
