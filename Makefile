# The only task runner. `make run` and `make test` each do everything from a clean clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export BROKER_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: install assets wheel run serve test lint bench adapter related encoder encoder-vocabulary scaleout clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

broker/static/build/.built: node_modules/.installed $(wildcard styles/*.scss)
	$(BIN)/python -m broker.assets
	touch broker/static/build/.built

# The sentence model's files (package data, not in git): see tools/fetch_model.py.
index/model/model.safetensors: | $(BIN)/python
	$(BIN)/python tools/fetch_model.py

install: $(STAMP) broker/static/build/.built index/model/model.safetensors

assets: broker/static/build/.built

# A wheel that runs without the checkout, in dist/. The built CSS and JS are package data, so the
# assets are built first; no build isolation, so no index is needed (the venv has setuptools).
wheel: install
	rm -rf build dist
	$(BIN)/pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

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
	$(BIN)/ruff check broker index providers_seed tests benchmarks deploy tools
	$(BIN)/ruff format --check broker index providers_seed tests benchmarks deploy tools
	$(BIN)/lint-imports
	$(BIN)/mypy

# Two workers: the suite is mostly waiting on databases, browsers and SMTP, and CI has 2 cores.
TEST_WORKERS ?= 2
# The tests' files (SQLite databases, search indexes, servers' logs) in memory where Linux offers
# it: the same files and code, without waiting on the disk for each index commit's fsync (a
# fifth of some files' time here). Only failed tests' folders are kept (pyproject.toml).
TEST_TMPDIR ?= $(if $(wildcard /dev/shm/.),/dev/shm,$(or $(TMPDIR),/tmp))

test: install lint
	TMPDIR=$(TEST_TMPDIR) $(BIN)/python -m pytest -n $(TEST_WORKERS)

bench: install instance/secret_key
	$(BIN)/python -m benchmarks

# After editing index/understanding.txt's wordings (expand lines) or index/synonyms.txt: learn
# the meaning adapter again from the wordings (index/adapting.py; about 40 s) and commit
# index/understanding_adapter.npz.
adapter: install
	$(BIN)/python -m index.adapting

# Build index/related.json.gz again from WordNet (Debian's wordnet-base; only nouns are kept).
related: install
	$(BIN)/python -m index.related build

# After editing the training judged sets or the everyday files: learn the query encoder again
# (benchmarks/query_encoder.py; two learnings, about 40-100 minutes on two cores) and commit
# index/query_encoder.npz. It learns from its copy of the vocabulary
# (benchmarks/encoder_vocabulary.json): to teach it the wordings and synonyms added since, run
# `make encoder-vocabulary` first. Learning needs PyTorch, which the service does not: it gets
# an environment of its own, .venv-learn (the CPU build of torch 2.13.0 that this machine kind
# keeps).
LEARN_BIN = .venv-learn/bin
$(LEARN_BIN)/python:
	python3 -m venv .venv-learn
	$(LEARN_BIN)/pip install --quiet torch==2.13.0 transformers==5.25.0 peft==0.21.2 numpy

encoder-vocabulary: install
	$(BIN)/python -m benchmarks.query_encoder vocabulary

encoder: install $(LEARN_BIN)/python
	$(BIN)/python -m benchmarks.query_encoder examples .venv-learn/examples.json
	$(LEARN_BIN)/python benchmarks/query_encoder.py learn .venv-learn/examples.json index/query_encoder.npz

# Three application machines behind HAProxy on loopback, PostgreSQL and Redis (already running),
# under Locust's load, one machine killed and restarted; prints the figures (deploy/scaleout.py).
# About 15-20 minutes the first time (seeding 100,000 listings, three index builds), 9 after
# (75 s of one machine alone first, for the search p95 the three are compared with).
SCALEOUT_ARGS ?=
scaleout: install
	command -v haproxy >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy)
	$(BIN)/python -c "import locust" 2>/dev/null || $(BIN)/pip install --quiet -e ".[dev,load]"
	$(BIN)/python deploy/scaleout.py $(SCALEOUT_ARGS)

clean:
	rm -rf $(VENV) .venv-learn node_modules broker/static/build index/model build dist
