"""Datasette plugin: the archive's search functions on every connection.

`python -m scraper browse` loads it with --plugins-dir; to run Datasette
yourself, pass the same: ``datasette data/archive.db --plugins-dir
scraper/analyst/datasette_plugins -m metadata.json``. The canned query
"search" then ranks and matches exactly as `python -m scraper search` does
(see scraper.analyst.fts.register for the functions).
"""
from datasette import hookimpl

from scraper.analyst import fts


@hookimpl
def prepare_connection(conn):
    fts.register(conn)
