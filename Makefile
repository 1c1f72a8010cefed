# Developer entry points. `make run` and `make test` are the README's two
# commands; CI (.ci/run) calls `make test` after installing system packages.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= etc/config.ini
PYTEST_ARGS ?=

.PHONY: run test deps venv wsdl bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# Install and start the server on the embedded SQLite database.
run: venv
	$(BIN)/ngnpro -c $(CONFIG) db init
	$(BIN)/ngnpro -c $(CONFIG) serve

# System packages the tests drive for real (MariaDB, Kamailio, PHP SOAP).
deps:
	bash .ci/install-deps

test: deps venv
	$(BIN)/python -m pytest -q -ra $(PYTEST_ARGS)

# Regenerate wsdl/ from the port models (a test fails when it is stale).
wsdl: venv
	$(BIN)/python -m ngnpro.soap.wsdl wsdl/

bench: venv
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache
