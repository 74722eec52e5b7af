# Two commands do all the set-up on a fresh machine (Python 3.10+ with venv, and make):
#   make demo   - create .venv, install cjmap, validate the shipped examples and render them
#   make test   - install the test tools too, then run ruff, mypy and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck bench schema clean

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
tests/js/node_modules: tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: $(VENV)/.installed
	$(BIN)/cjmap validate examples
	$(BIN)/cjmap render examples -f html -f md -f svg -f png -f pdf -o cjmap-out -v
	$(BIN)/python examples/events/generate.py cjmap-out/taskly-events.csv
	$(BIN)/cjmap measure examples/saas-onboarding-as-is.yaml --events cjmap-out/taskly-events.csv --write cjmap-out/taskly-measured.json

test: $(VENV)/.installed-test tests/js/node_modules
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py

schema: $(VENV)/.installed
	$(BIN)/cjmap schema > schemas/cjmap.schema.json

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis out
