"""A crawl through the faulty mirror: every fault ends in a correct article or a
recorded failure, in bounded time and memory.

Sizes and timings are shrunk to keep this quick (a 3 MB "huge" page against a
2 MB DOWNLOAD_MAXSIZE, a 64 MB gzip bomb, 1 s Retry-After, a 3 s
DOWNLOAD_TIMEOUT); ``make chaos`` runs the full-size version.
"""
from __future__ import annotations

import subprocess
import sys
import threading
import time
import unicodedata
import urllib.request

import psutil
import pytest
from scrapy.http import HtmlResponse

from scraper.encoding import prefers_utf8
from scraper.middlewares import looks_binary, retry_after_seconds
from tests.mirror.faults import FaultConfig, cp1258_bytes, judge
from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import ROOT
from .helpers import get_json, rows

CONFIG = FaultConfig(huge_bytes=3_000_000, bomb_bytes=64 * 1024 * 1024, big_bytes=1_500_000,
                     slow_seconds=1.5, stall_seconds=8, retry_after=1)
SETTINGS = ["-s", "DOWNLOAD_MAXSIZE=2000000", "-s", "DOWNLOAD_TIMEOUT=3"]



@pytest.fixture(scope="module")
def chaos(tmp_path_factory):
    db = tmp_path_factory.mktemp("chaos") / "archive.db"
    with MirrorServer(build_site(faults=CONFIG)) as server:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "scraper", "crawl", "--base-url", server.url, "--db", str(db),
             "--delay", "0", "--concurrency", "8", *SETTINGS],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = watch_rss(proc)
        stdout, stderr = proc.communicate(timeout=120)
        seconds = time.monotonic() - started
        manifest = get_json(server.url + "__mirror/manifest.json")
        stats = get_json(server.url + "__mirror/stats")
        log = get_json(server.url + "__mirror/fault-log")
    yield {"db": db, "returncode": proc.returncode, "stderr": stderr, "seconds": seconds, "manifest": manifest, "stats": stats,
           "log": log, "verdict": judge(db, manifest, stats),
           "peak_mb": peak[0] / 2**20}


def watch_rss(proc) -> list[int]:
    """Poll the crawler's RSS every 20 ms in a thread; the list holds the peak."""
    peak = [0]

    def poll():
        p = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                peak[0] = max(peak[0], p.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.02)

    threading.Thread(target=poll, daemon=True).start()
    return peak



def fault(chaos, kind):
    return next(f for f in chaos["manifest"]["faults"] if f["kind"] == kind)


# ------------------------------------------------------------ the mirror side

def test_faults_only_with_the_flag():
    plain = build_site().manifest("http://127.0.0.1:1")
    assert "faults" not in plain
    faulty = build_site(faults=True).manifest("http://127.0.0.1:1")
    assert {k: v for k, v in faulty.items() if k != "faults"} == plain
    kinds = {f["kind"] for f in faulty["faults"]}
    assert {"cut_once", "http_500", "retry_after_429", "slow_first_byte", "wrong_charset",
            "cp1258_header", "cp1258_meta", "huge_declared", "gzip_bomb", "redirect_loop",
            "binary_garbage", "robots_disallowed", "truncated_html", "offsite_redirect"} <= kinds
    for f in faulty["faults"]:
        assert f["expect"] in ("archived", "failure", "skipped")
        assert (f["article"] is not None) == (f["expect"] == "archived"), f["kind"]
        assert (f["failure"] is not None) == (f["expect"] == "failure"), f["kind"]


def test_every_fault_is_linked_from_the_home_page():
    with MirrorServer(build_site(faults=True)) as server:
        with urllib.request.urlopen(server.url, timeout=5) as r:
            home = r.read().decode()
        manifest = get_json(server.url + "__mirror/manifest.json")
        with urllib.request.urlopen(server.url + "robots.txt", timeout=5) as r:
            robots = r.read().decode()
    for f in manifest["faults"]:
        assert f'href="{f["path"].lstrip("/")}"' in home, f["kind"]
    assert "Disallow: /noi-bo/" in robots.splitlines()


def test_cp1258_page_uses_combining_tone_marks():
    raw = cp1258_bytes("Công đoàn tỉnh Bắc Kạn")
    text = raw.decode("cp1258")
    assert "\u0300" in text and "\u0323" in text  # grave of "đoàn", dot below of "Kạn"
    assert unicodedata.normalize("NFC", text) == "Công đoàn tỉnh Bắc Kạn"


# --------------------------------------------------------- the crawler's checks

@pytest.mark.parametrize("body, declared, expected", [
    ("Công đoàn".encode(), "cp1252", True),  # the lying iso-8859-1 header
    ("Công đoàn".encode(), "utf-8", False),
    (b"plain ascii", "cp1252", False),
    (cp1258_bytes("Công đoàn"), "cp1258", False),  # real windows-1258 is not valid UTF-8
    ("Công đoàn".encode("cp1252", "replace"), "cp1252", False),
])
def test_prefers_utf8(body, declared, expected):
    assert prefers_utf8(body, declared) is expected


def test_windows_1258_meta_decodes_through_scrapy():
    html = '<html><head><meta charset="windows-1258"></head><body><p>Bắc Kạn</p></body></html>'
    response = HtmlResponse("http://127.0.0.1/x.html", body=cp1258_bytes(html))
    assert response.encoding == "cp1258"
    assert unicodedata.normalize("NFC", response.text) == html


@pytest.mark.parametrize("body, expected", [
    (b"<html><body>\tok\r\n</body></html>", False),
    (b"\x00\x01garbage", True),
    (bytes(range(1, 32)) * 10, True),
    ("<p>Công đoàn</p>".encode(), False),
])
def test_looks_binary(body, expected):
    assert looks_binary(body) is expected


def test_retry_after_values():
    assert retry_after_seconds(b"7") == 7
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past: no wait


# --------------------------------------------------------------- the crawl

def test_crawl_finishes_in_bounded_time(chaos):
    assert chaos["returncode"] in (0, 1), chaos["stderr"][-3000:]
    assert chaos["seconds"] < 75


def test_every_healthy_article_archived_exactly(chaos):
    bad = [r for r in chaos["verdict"]["results"] if r["kind"] == "healthy" and not r["ok"]]
    assert bad == []
    assert len(chaos["manifest"]["articles"]) >= 60


@pytest.mark.parametrize("kind", [f.kind for f in build_site(faults=True).fault_set.faults])
def test_fault_ends_as_expected(chaos, kind):
    [result] = [r for r in chaos["verdict"]["results"] if r["kind"] == kind]
    assert result["ok"], (kind, result["problems"])


def test_failures_never_in_articles(chaos):
    failed = {f["url"] for f in chaos["manifest"]["faults"] if f["expect"] == "failure"}
    archived = {r["url"] for r in rows(chaos["db"], "select url from articles")}
    assert not failed & archived
    recorded = {r["url"] for r in rows(chaos["db"], "select url from failures")}
    assert failed <= recorded


def test_text_fields_are_nfc(chaos):
    for row in rows(chaos["db"], "select title, author_line, body_text from articles"):
        for value in row.values():
            assert value is None or unicodedata.is_normalized("NFC", value)


def test_retry_after_was_honoured(chaos):
    path = fault(chaos, "retry_after_429")["path"]
    times = chaos["log"][path]
    assert len(times) == CONFIG.throttled_hits + 1
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= CONFIG.retry_after * 0.9, gaps


def test_cut_connection_was_retried_once(chaos):
    assert len(chaos["log"][fault(chaos, "cut_once")["path"]]) == 2


def test_nothing_under_disallowed_paths(chaos):
    assert chaos["verdict"]["disallowed_requests"] == {}


def test_size_caps_are_recorded_with_a_clear_error(chaos):
    for kind in ("huge_declared", "huge_streamed", "gzip_bomb"):
        [row] = rows(chaos["db"], "select * from failures where url = ?", [fault(chaos, kind)["url"]])
        assert "DOWNLOAD_MAXSIZE" in row["error"] and "not archived" in row["error"], kind
        assert row["attempts"] == 1  # not retried: the page will not shrink


def test_peak_memory_bounded(chaos):
    assert chaos["peak_mb"] < 300
