# The two set-up commands of the README: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DOCS := example_project/docs
HTML := $(DOCS)/_build/html

# mermaid's script for offline documentation (llmdocs_mermaid_js), from the npm registry's `mermaid` package:
# the version sphinxcontrib-mermaid would load from its CDN.
MERMAID_VERSION ?= 11.12.1
MERMAID_DIR := .cache/mermaid-$(MERMAID_VERSION)

.PHONY: demo test lint typecheck clean mermaid-js

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

mermaid-js: $(MERMAID_DIR)/dist/mermaid.esm.min.mjs

$(MERMAID_DIR)/dist/mermaid.esm.min.mjs:
	mkdir -p $(MERMAID_DIR)
	cd $(MERMAID_DIR) && npm pack --silent mermaid@$(MERMAID_VERSION) >/dev/null \
		&& tar xzf mermaid-$(MERMAID_VERSION).tgz --strip-components=1 \
			package/dist/mermaid.esm.min.mjs package/dist/chunks/mermaid.esm.min \
		&& rm mermaid-$(MERMAID_VERSION).tgz
	@echo "mermaid $(MERMAID_VERSION): $(abspath $(MERMAID_DIR))/dist"

clean:
	rm -rf $(DOCS)/_build $(DOCS)/llmdocs .pytest_cache .mypy_cache .ruff_cache
