"""What the end-to-end tests share: the CLI in a subprocess, SQLite rows,
and the mirror's JSON and control endpoints."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import urllib.request

from .conftest import ROOT


def crawl_cmd(url, db, *extra) -> list[str]:
    """`python -m scraper crawl` against a local mirror, at full speed."""
    return [sys.executable, "-m", "scraper", "crawl", "--base-url", url, "--db", str(db),
            "--delay", "0", "--concurrency", "8", *map(str, extra)]


def crawl(url, db, *extra, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(crawl_cmd(url, db, *extra), cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def rows(db, sql, params=()) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def post(url) -> None:
    urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=10).read()
