# The two set-up commands of the README: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DOCS := example_project/docs
HTML := $(DOCS)/_build/html

.PHONY: demo test lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(BIN)/sphinx-build -W -n -b html $(DOCS) $(HTML)
	@echo "Documentation built: $(abspath $(HTML))/index.html"

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest
	$(MAKE) lint typecheck

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check sphinxcontrib_llmdocs

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

clean:
	rm -rf $(DOCS)/_build $(DOCS)/llmdocs .pytest_cache .mypy_cache .ruff_cache
