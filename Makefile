# Two commands do all the set-up on a fresh machine (Python 3.10+ with venv, and make):
#   make demo   - create .venv, install cjmap with every extra, validate the shipped examples and render them;
#                 start a map with init and import the shipped Mermaid journey and CSV grid
#   make test   - install the test tools too (Python, npm and, as root, the Debian packages the tests
#                 drive: Graphviz, Chromium, a JRE, Node.js), then run ruff, mypy and the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test system-deps lint typecheck bench schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[all]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[all,test]"
	touch $@ $(VENV)/.installed

# Mermaid's own parser, for the tests of the Mermaid journey export (needs Node.js 20+).
tests/js/node_modules: tests/js/package-lock.json | system-deps
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: $(VENV)/.installed
	$(BIN)/cjmap validate examples
	rm -rf cjmap-out/init && $(BIN)/cjmap init cjmap-out/init/journey.yaml --template 5a --locale pl --library
	$(BIN)/cjmap validate --strict cjmap-out/init
	$(BIN)/cjmap import mermaid examples/imports/workshop.mmd -o cjmap-out/imports/workshop.yaml
	$(BIN)/cjmap import csv examples/imports/workshop-grid.csv -o cjmap-out/imports/workshop-grid.yaml
	$(BIN)/cjmap validate cjmap-out/imports
	$(BIN)/cjmap render examples -f html -f md -f svg -f png -f pdf -o cjmap-out -v
	$(BIN)/cjmap forecast examples/saas-onboarding-as-is.yaml --experiment trial-ends-nudge
	$(BIN)/python examples/events/generate.py cjmap-out/taskly-events.csv
	$(BIN)/cjmap measure examples/saas-onboarding-as-is.yaml --events cjmap-out/taskly-events.csv --write cjmap-out/taskly-measured.json

# Graphviz, Chromium, a JRE, Node.js, and a C compiler with libyaml's and Python's headers (cjmap's
# compiled YAML reader): installed through apt-get as root, else the exact command is named.
system-deps:
	PYTHON=$(PYTHON) bash scripts/system-deps.sh

test: system-deps $(VENV)/.installed-test tests/js/node_modules
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py

schema: $(VENV)/.installed
	$(BIN)/cjmap schema > schemas/cjmap.schema.json

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis out
