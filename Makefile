PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-dev bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, seed the demo data and serve the HTTP API on $(HOST):$(PORT) over SQLite
run: install
	$(BIN)/lkk demo seed
	$(BIN)/lkk serve --host $(HOST) --port $(PORT)

## make test: install with the dev extras and run the whole test suite
test: install-dev
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python -m bench.accounts
	$(BIN)/python -m bench.contracts
	$(BIN)/python -m bench.readings_files
	$(BIN)/python -m bench.readings_uploads
	$(BIN)/python -m bench.http
	$(BIN)/python -m bench.seed

clean:
	rm -rf $(VENV) var .pytest_cache
