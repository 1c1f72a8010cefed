# Developer entry points. `make run` and `make test` are the README's two
# commands; CI (.ci/run) calls `make test` after installing system packages.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= etc/config.ini
PYTEST_ARGS ?=

.PHONY: run test test-current test-debian12 deps venv wsdl docs bench clean
DEB_VENV := .venv-debian12

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

# The suite on current libraries, then on the versions Debian 12 ships.
test: test-current test-debian12

test-current: deps venv
	$(BIN)/python -m pytest -q -ra $(PYTEST_ARGS)

$(DEB_VENV)/.installed: setup.cfg .ci/debian12-constraints.txt
	$(PYTHON) -m venv $(DEB_VENV)
	$(DEB_VENV)/bin/pip install -q --upgrade pip
	$(DEB_VENV)/bin/pip install -q -c .ci/debian12-constraints.txt -e '.[test]'
	touch $@

test-debian12: deps $(DEB_VENV)/.installed
	$(DEB_VENV)/bin/python -m pytest -q -ra -p no:cacheprovider $(PYTEST_ARGS)

# Regenerate wsdl/ from the port models (a test fails when it is stale).
wsdl: venv
	$(BIN)/python -m ngnpro.soap.wsdl wsdl/

# Regenerate the API reference docs/api/ (a test fails when it is stale).
docs: venv
	$(BIN)/python -m ngnpro.apidoc docs/api

bench: venv
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(DEB_VENV) var build *.egg-info .pytest_cache
