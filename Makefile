# make demo: set up and chat with the bot in the terminal (SQLite, no tokens)
# make test: set up and run the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# `make catalogs` updates every catalog there is; LANGS="xx" creates or updates only those named.
LANGS ?= $(patsubst locales/%/LC_MESSAGES/elternlotse.po,%,$(wildcard locales/*/LC_MESSAGES/elternlotse.po))

.PHONY: setup demo test lint check catalogs bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/elternlotse compile
	$(BIN)/elternlotse demo

test: $(STAMP)
	$(BIN)/elternlotse compile
	$(BIN)/elternlotse check
	$(PY) -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot storage tests bench
	$(BIN)/mypy bot storage

# Extract every text (Python and dialog YAML) and update the catalogs of LANGS.
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-wrap --sort-by-file -o locales/elternlotse.pot --project elternlotse --copyright-holder "Elternlotse contributors" .
	for lang in $(LANGS); do \
	  if [ -f locales/$$lang/LC_MESSAGES/elternlotse.po ]; then \
	    $(BIN)/pybabel update --no-wrap -D elternlotse -i locales/elternlotse.pot -d locales -l $$lang; \
	  else \
	    $(BIN)/pybabel init -D elternlotse -i locales/elternlotse.pot -d locales -l $$lang; \
	  fi; \
	done

bench: $(STAMP)
	$(PY) bench/engine.py

clean:
	rm -rf $(VENV) data
