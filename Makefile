# Every target bootstraps what it needs: on a fresh clone `make demo` or
# `make test` alone works.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup test demo crawl eval bench-extract clean

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

test: setup
	$(PY) -m pytest -q tests

demo: setup
	$(PY) -m scraper demo --db data/demo.db

crawl: setup
	$(PY) -m scraper crawl --db data/archive.db

clean:
	rm -rf $(VENV) .pytest_cache
