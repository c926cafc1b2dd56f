"""Security pass: the crawler stays on the site's host, writes only under data/,
builds no SQL from values, opens no control port, and what the project serves
binds to 127.0.0.1 unless told otherwise."""
from __future__ import annotations

import inspect
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.mirror.faults import FaultConfig
from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import ROOT


class _Canary(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - stdlib name
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def offsite_crawl(tmp_path_factory):
    """Crawl the faulty mirror whose off-site redirect points at a second
    server: ``localhost`` is another host name than the mirror's 127.0.0.1,
    so a crawler that followed the redirect would show up in its hits."""
    canary = ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    threading.Thread(target=canary.serve_forever, daemon=True).start()
    target = f"http://localhost:{canary.server_address[1]}/stolen.html"
    config = FaultConfig(huge_bytes=300_000, bomb_bytes=4 * 1024 * 1024, big_bytes=100_000,
                         slow_seconds=0.2, stall_seconds=3, retry_after=0, offsite_target=target)
    db = tmp_path_factory.mktemp("security") / "archive.db"
    try:
        with MirrorServer(build_site(faults=config)) as server:
            proc = subprocess.run(
                [sys.executable, "-m", "scraper", "crawl", "--base-url", server.url, "--db", str(db),
                 "--delay", "0", "--concurrency", "8", "-s", "DOWNLOAD_MAXSIZE=200000",
                 "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=0"],
                cwd=ROOT, capture_output=True, text=True, timeout=120)
            with urllib.request.urlopen(server.url + "__mirror/stats", timeout=5) as r:
                stats = json.load(r)
            origin = server.origin
    finally:
        canary.shutdown()
        canary.server_close()
    yield {"db": db, "proc": proc, "stats": stats, "canary": list(_Canary.hits), "target": target,
           "origin": origin}


def test_offsite_redirect_not_followed(offsite_crawl):
    assert offsite_crawl["proc"].returncode in (0, 1), offsite_crawl["proc"].stderr[-3000:]
    assert offsite_crawl["stats"]["by_path"].get("/lien-ket-ngoai.html") == 1  # the mirror was asked
    assert offsite_crawl["canary"] == []  # the other host never was
    conn = sqlite3.connect(offsite_crawl["db"])
    try:
        [(status, error)] = conn.execute("select http_status, error from failures where url = ?",
                                         [offsite_crawl["origin"] + "/lien-ket-ngoai.html"]).fetchall()
        hosts = {row[0].split("/")[2] for row in conn.execute("select url from articles")}
        hosts |= {row[0].split("/")[2] for row in conn.execute("select url from failures")}
    finally:
        conn.close()
    assert status == 302 and "off-site redirect" in error and offsite_crawl["target"] in error
    assert hosts == {offsite_crawl["origin"].split("/")[2]}
    assert "Telnet console listening" not in offsite_crawl["proc"].stderr


def test_spider_restricted_to_its_host():
    from spiders.congdoanbackan import CongdoanbackanSpider

    spider = CongdoanbackanSpider(base_url="http://127.0.0.1:8000/")
    assert spider.allowed_domains == ["127.0.0.1"]


def crawl_settings():
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    from scrapy.utils.project import get_project_settings

    return get_project_settings()


def test_telnet_console_off():
    assert crawl_settings().getbool("TELNETCONSOLE_ENABLED") is False


def test_size_caps_set():
    settings = crawl_settings()
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 32 * 1024 * 1024
    assert 0 < settings.getint("ARCHIVER_MAX_MARKUP")
    assert 0 < settings.getfloat("RETRY_AFTER_MAX") <= 300


def under_data(path) -> bool:
    return Path(ROOT, path).resolve().is_relative_to((ROOT / "data").resolve())


def _defaults(command: str) -> dict:
    """The declared defaults of a command's options, as click parses them."""
    from scraper.cli import cli

    return {p.name: p.default for p in cli.commands[command].params}


def test_default_paths_are_under_data():
    from scraper.capture import warc_dir_for
    from scraper.cli import DEFAULT_DB

    assert under_data(DEFAULT_DB)
    assert under_data(crawl_settings().get("ARCHIVE_DB"))
    assert under_data(_defaults("crawl")["db"])
    assert under_data(_defaults("demo")["db"])
    assert under_data(warc_dir_for(DEFAULT_DB))


# Interpolating a constant identifier (a table name) is fine; a value is not.
# Each allowed name below was read at its use: constants or identifiers only
# (archive/views.py: i, name, test come from the constant COVERED_FIELDS).
_FSTRING_SQL = re.compile(r"""\.(execute|executemany|executescript|query)\(\s*f["']""")
_SQL_PLACEHOLDERS = re.compile(r"\{([^}]*)\}")
# analyst/fts.py: columns, conditions and rank are joined from the module's constant
# fragments (user values are :named parameters); archive/rechecks.py: view, sql
# come from its constant VIEWS.
_ALLOWED = re.compile(r"^[A-Z_]+$|^(table|name|base|weights|i|test|' AND '\.join\(where\)|"
                      r"columns|conditions|rank|view|sql|item)$")


def test_sql_only_through_parameters():
    offenders = []
    for path in list((ROOT / "scraper").rglob("*.py")) + list((ROOT / "pipelines").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _FSTRING_SQL.search(line) or (re.search(r"\bf[\"'].*\b(SELECT|INSERT|UPDATE|DELETE|WHERE)\b", line)):
                for expr in _SQL_PLACEHOLDERS.findall(line):
                    if not _ALLOWED.match(expr.strip()):
                        offenders.append(f"{path.relative_to(ROOT)}:{n}: {{{expr}}}")
    assert offenders == []


def test_mirror_binds_loopback_by_default():
    server = MirrorServer(build_site(5))
    try:
        assert server.host == "127.0.0.1"
    finally:
        server.httpd.server_close()
    proc = subprocess.Popen([sys.executable, "-m", "tests.mirror", "--articles", "5"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert re.fullmatch(r"serving http://127\.0\.0\.1:\d+/\n", first)


def test_datasette_binds_loopback_by_default():
    from scraper.analyst import browse

    assert inspect.signature(browse.serve).parameters["host"].default == "127.0.0.1"
    assert _defaults("browse")["host"] == "127.0.0.1"
