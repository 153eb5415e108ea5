# Two entry points: `make lab` (install and start JupyterLab) and `make test` (install and run
# every test suite). Both create .venv and install what they need on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
IP ?= 127.0.0.1
# Never probe a cloud metadata service on a machine that is not in a cloud.
export AWS_EC2_METADATA_DISABLED ?= true

ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -y -qq --no-install-recommends
TEST_DEB_PACKAGES := chromium fonts-dejavu-core r-base-core r-cran-irkernel default-jdk-headless

.PHONY: lab test install install-test system-test-deps test-python test-quick test-js lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

## install: the package, its built JupyterLab extension and the optional extras, into .venv
install: $(BIN)/python
	$(BIN)/pip install -q ".[all]"

## lab: install everything and start JupyterLab with the extension on the embedded defaults
lab: install
	@echo "Starting JupyterLab on http://$(IP):$(PORT)/lab (the URL with its token follows)"
	$(BIN)/jupyter lab --no-browser --ip=$(IP) --port=$(PORT) $(ROOT_FLAG)

## system-test-deps: Debian packages the tests use (a browser, R), when root and missing
system-test-deps:
	@missing=""; for p in $(TEST_DEB_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && $(APT_GET) install $$missing; \
	  else echo "missing Debian packages:$$missing (install them as root)"; exit 1; fi; fi

# npm ci first: the wheel build's own `npm install` then has nothing left to do.
install-test: $(BIN)/python system-test-deps
	cd labextension && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/pip install -q ".[all,test]"

lint: install-test
	$(BIN)/python -m flake8 jupyter_mlstudio tests bench
	$(BIN)/python -m mypy

test-js: install-test
	cd labextension && npm test

# Test modules run in parallel, each whole in one worker (its module-scoped servers with it).
PYTEST := $(BIN)/python -m pytest --numprocesses=auto --maxprocesses=4 --dist=loadfile
test-python: install-test
	$(PYTEST)

## test-quick: pytest without the slow and the browser tests (see the markers in pyproject.toml)
test-quick: install-test
	$(PYTEST) -m "not slow and not ui"

## test: install everything, then run the linters, the front end's unit tests and pytest
## (unit, integration against real servers, and browser tests in tests/ui)
test: install-test lint test-js test-python

clean:
	rm -rf $(VENV) build dist jupyter_mlstudio/labextension labextension/lib \
	  labextension/node_modules labextension/tsconfig.tsbuildinfo tests/ui/artifacts
