# Every target bootstraps what it needs: on a fresh clone `make demo` or
# `make test` alone works.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup test demo crawl clean

setup: $(STAMP)

# The pins first, then this project as an editable package: its console
# script (.venv/bin/congdoanbackan-archiver) and `python -m scraper` from any
# folder. --no-deps: the pins already hold every dependency; no build
# isolation: the pinned setuptools builds it, nothing more is downloaded.
# A .venv that is a link to another clone's (tests/test_deploy.py makes one)
# keeps pointing at that clone: installing here would re-point it.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	test -L $(VENV) || $(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

test: setup chromium
	$(PY) -m pytest -q tests

demo: setup
	$(PY) -m scraper demo --db data/demo.db

crawl: setup
	$(PY) -m scraper crawl --db data/archive.db

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info

# ---- analysts' side
DB ?= data/archive.db

.PHONY: browse report chromium

# Datasette on the archive, on 127.0.0.1:8001 (make browse DB=data/demo.db)
browse: setup
	$(PY) -m scraper browse --db $(DB)

# One self-contained HTML page about the archive (make report DB=data/demo.db)
report: setup
	$(PY) -m scraper report --db $(DB) -o data/report.html

# Headless Chromium renders the report in the tests (Debian's package; we run as root).
chromium:
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# A crawl of the full-size faulty mirror: per fault kind right/total, time, peak RSS.
.PHONY: chaos
chaos: setup
	$(PY) bench/chaos.py

# ---- extraction quality and speed, nightly cost
.PHONY: eval eval-holdout bench-extract bench-nightly

# Per-field accuracy over the labelled corpora (tests/fixtures/corpus, holdout*).
eval: setup
	$(PY) -m tests.evaluate
	$(PY) -m tests.evaluate --corpus tests/fixtures/holdout
	$(PY) -m tests.evaluate --corpus tests/fixtures/holdout2
	$(PY) -m tests.evaluate --corpus tests/fixtures/holdout3
	$(PY) -m tests.evaluate --corpus tests/fixtures/holdout4
	$(PY) -m tests.evaluate --corpus tests/fixtures/holdout5
	$(PY) -m tests.evaluate --corpus tests/fixtures/holdout6
	$(PY) -m tests.evaluate --corpus tests/fixtures/holdout7
	$(PY) -m tests.evaluate --corpus tests/fixtures/holdout8

# ms per page, ours and trafilatura's on the same pages, with field accuracy.
bench-extract: setup
	$(PY) bench/bench_extract.py

# Ours and trafilatura on real pages from the wild (trafilatura's labelled
# evaluation set): page kind, title, author, day, body, ms per page.
# BENCH_REAL: a bare git dir (the library's fetch), a clone, its tests/ folder,
# or tests/fixtures/real (the committed subset). Exit 2, saying how to get it, when missing.
BENCH_REAL ?= /work/.mirror/adbar+trafilatura/repo
.PHONY: bench-real
bench-real: setup
	$(PY) bench/bench_real.py $(BENCH_REAL)

# Requests, seconds and peak memory: full crawl vs nightly run, 2,000 articles.
bench-nightly: setup
	$(PY) bench/bench_nightly.py

# Peak memory of a crawl against the number of article files it holds (4 MB photos).
.PHONY: bench-media
bench-media: setup
	$(PY) bench/bench_media.py --articles 80 --mb 4

# The wayback import through a real pywb serving a crawl of the mirror: requests, seconds.
.PHONY: bench-wayback
bench-wayback: setup
	$(PY) bench/bench_wayback.py

# The archiver at 20,000 articles beside bare Scrapy, on a static site served
# by nginx (Debian's package, installed when missing; without it the bench
# falls back to Python's http.server and says so). About 15 minutes.
.PHONY: bench-scale nginx
nginx:
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx-light) || \
	  echo "nginx could not be installed: the bench falls back to python's http.server"

bench-scale: setup nginx
	$(PY) bench/bench_scale.py $(if $(ARTICLES),--articles $(ARTICLES))
