"""`python -m scraper wayback` (issue 10): rebuilding the archive from a web
archive once the live site is gone.

- Against a real pywb (a subprocess on 127.0.0.1) serving the WARCs of a
  live crawl of the bundled mirror, with the mirror switched off: every
  article comes back with the live crawl's fields; a cut-short import
  resumes without duplicates; a rerun adds nothing.
- Against a test server speaking the Internet Archive's dialect: a CDX
  listing paged by resumeKey, a capture answered 429 then 200, a rewritten
  (not id_) capture, an article captured twice with an edit between.
- The CDX dialects and the undoing of replay artefacts, as pure functions.
"""
from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from scraper.sources import cdx, replay
from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import ROOT
from .helpers import crawl, post, rows

N_ARTICLES = 12
# The fields a researcher reads; fetch metadata (request_url, run_id…) aside.
ARTICLE_FIELDS = ("title", "published_at", "published_date", "published_precision", "dateline",
                  "is_undated", "kind", "author", "author_line", "source", "category",
                  "description", "body_text", "body_html", "image_count", "attachment_count",
                  "content_hash", "etag", "last_modified")


def wayback_cmd(db, site, cdx_url, replay_prefix, *extra) -> list[str]:
    return [sys.executable, "-m", "scraper", "wayback", "--site", site, "--cdx", cdx_url,
            "--replay", replay_prefix, "--db", str(db), "--delay", "0", "--concurrency", "8",
            *map(str, extra)]


def wayback(*args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(wayback_cmd(*args), cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(db, table) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    cols = "url, caption, alt" if table == "images" else "url, text, kind"
    for r in rows(db, f"select article_url, position, {cols} from {table} order by 1, 2"):
        out.setdefault(r.pop("article_url"), []).append(tuple(r.values()))
    return out


# ---------------------------------------------------------------- pywb
@pytest.fixture(scope="module")
def pywb(tmp_path_factory):
    """A live crawl of the mirror, its WARCs in a pywb collection, the mirror
    stopped, pywb serving on 127.0.0.1."""
    work = tmp_path_factory.mktemp("wayback-pywb")
    live_db = work / "live" / "archive.db"
    live_db.parent.mkdir()
    with MirrorServer(build_site(n_articles=N_ARTICLES)) as server:
        live = crawl(server.url, live_db)
        site_url = server.url
    assert live.returncode == 0, live.stderr[-3000:]
    home = work / "pywb"
    home.mkdir()
    bindir = Path(sys.executable).parent
    subprocess.run([bindir / "wb-manager", "init", "mirror"], cwd=home, check=True,
                   capture_output=True)
    warcs = sorted((live_db.parent / "warc").glob("*.warc.gz"))
    subprocess.run([bindir / "wb-manager", "add", "mirror", *warcs], cwd=home, check=True,
                   capture_output=True)
    port = free_port()
    proc = subprocess.Popen([bindir / "wayback", "-b", "127.0.0.1", "-p", str(port)], cwd=home,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/mirror/"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "cdx?url=127.0.0.1/&limit=1", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("pywb exited: " + proc.stderr.read().decode()[-2000:])
                time.sleep(0.1)
        else:
            pytest.fail("pywb did not answer within 15 s")
        yield {"live_db": live_db, "site": urlsplit(site_url).netloc, "site_url": site_url,
               "cdx": base + "cdx", "replay": base, "work": work}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def imported(pywb):
    """An import cut short after a few responses, then resumed; then a rerun."""
    db = pywb["work"] / "imported" / "archive.db"
    db.parent.mkdir()
    args = (db, pywb["site"], pywb["cdx"], pywb["replay"])
    cut = wayback(*args, "-s", "CLOSESPIDER_PAGECOUNT=8")
    captures_after_cut = rows(db, "select count(*) n from imported_captures")[0]["n"]
    resumed = wayback(*args)
    captures_before_rerun = rows(db, "select count(*) n from captures")[0]["n"]
    rerun = wayback(*args)
    return {"db": db, "cut": cut, "resumed": resumed, "rerun": rerun,
            "captures_after_cut": captures_after_cut,
            "captures_before_rerun": captures_before_rerun, **pywb}


def test_pywb_import_matches_the_live_crawl_field_by_field(imported):
    assert imported["resumed"].returncode == 0, imported["resumed"].stdout + imported["resumed"].stderr[-3000:]
    live_db, db = imported["live_db"], imported["db"]
    live = {r["url"]: r for r in rows(live_db, "select * from articles where kind = 'article'")}
    got = {r["url"]: r for r in rows(db, "select * from articles where kind = 'article'")}
    assert len(live) == N_ARTICLES
    assert set(got) == set(live)
    for url, row in live.items():
        for name in ARTICLE_FIELDS:
            assert got[url][name] == row[name], (url, name)
        # The capture's time is the fetch time (the WARC keeps whole seconds).
        assert abs(_seconds(got[url]["fetched_at"]) - _seconds(row["fetched_at"])) <= 2
    for table in ("images", "attachments"):
        assert children(db, table) == children(live_db, table)
    assert sum(len(v) for v in children(db, "images").values()) > 0
    assert sum(len(v) for v in children(db, "attachments").values()) > 0
    # Undated pages: which of several near-identical ones (calendar weeks,
    # sparse listings) is kept depends on which is read first, in both
    # paths; the site's "Giới thiệu" page is always there, and every page
    # both hold reads the same.
    pages = "select url, title, body_text from articles where kind = 'page'"
    live_pages = {r["url"]: r for r in rows(live_db, pages)}
    got_pages = {r["url"]: r for r in rows(db, pages)}
    assert any(u.endswith("/gioi-thieu.html") for u in got_pages)
    for url in set(got_pages) & set(live_pages):
        assert got_pages[url] == live_pages[url]


def _seconds(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def test_every_row_and_version_says_which_archive_and_capture(imported):
    db, prefix = imported["db"], imported["replay"]
    for table in ("articles", "article_versions"):
        for r in rows(db, f"select * from {table}"):
            assert r["origin"] == prefix
            assert re.fullmatch(r"\d{14}", r["capture_timestamp"])
            assert r["replay_url"] == f"{prefix}{r['capture_timestamp']}id_/{r['url']}"
    assert {r["origin"] for r in rows(imported["live_db"], "select origin from articles")} == {"live"}


def test_the_warc_holds_each_capture_under_its_original_url(imported):
    db = imported["db"]
    indexed = rows(db, "select * from captures where replay_url is not null")
    assert len(indexed) >= N_ARTICLES
    seen = 0
    for name in {c["warc_file"] for c in indexed}:
        with open(db.parent / name, "rb") as fh:
            for record in ArchiveIterator(fh):
                replay_uri = record.rec_headers.get_header("WARC-Replay-URI")
                if record.rec_type != "response" or replay_uri is None:
                    continue
                seen += 1
                target = record.rec_headers.get_header("WARC-Target-URI")
                assert target.startswith(imported["site_url"])
                assert replay_uri.startswith(imported["replay"]) and replay_uri.endswith("id_/" + target)
                stamp = re.search(r"/(\d{14})id_/", replay_uri).group(1)
                assert record.rec_headers.get_header("WARC-Date") == (
                    f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:{stamp[12:]}Z")
                assert record.rec_headers.get_header("WARC-Replay-Date")
    assert seen == len(indexed)
    for cap in indexed:
        assert cap["url"].startswith(imported["site_url"])


def test_a_cut_short_import_resumes_without_duplicates(imported):
    cut = imported["cut"]
    assert cut.returncode == 1 and "ended early" in cut.stdout, cut.stdout
    assert 0 < imported["captures_after_cut"]
    db = imported["db"]
    dupes = rows(db, "select url, content_hash, count(*) n from article_versions "
                     "group by 1, 2 having n > 1")
    assert dupes == []
    assert rows(db, "select max(version) v from articles")[0]["v"] == 1
    twice = rows(db, "select url, fetched_at, count(*) n from captures where replay_url is not null "
                     "group by 1, 2 having n > 1")
    # At most the captures in flight when the first run stopped are fetched again.
    assert len(twice) <= 8


def test_a_killed_import_resumes_without_duplicates(pywb):
    db = pywb["work"] / "killed" / "archive.db"
    db.parent.mkdir()
    cmd = wayback_cmd(db, pywb["site"], pywb["cdx"], pywb["replay"], "--delay", "0.2",
                      "--concurrency", "1")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.1)
            try:
                if rows(db, "select count(*) n from imported_captures")[0]["n"] >= 4:
                    break
            except Exception:  # noqa: BLE001 - the file or table is not there yet
                continue
        proc.kill()  # SIGKILL: no chance to close anything
    finally:
        proc.wait(timeout=30)
    taken = rows(db, "select count(*) n from imported_captures")[0]["n"]
    assert 4 <= taken < 20
    resumed = wayback(db, pywb["site"], pywb["cdx"], pywb["replay"])
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-3000:]
    assert rows(db, "pragma integrity_check")[0]["integrity_check"] == "ok"
    assert rows(db, "select count(*) n from articles where kind = 'article'")[0]["n"] == N_ARTICLES
    assert rows(db, "select max(version) v from articles")[0]["v"] == 1
    # At most the capture in flight at the kill was fetched twice.
    twice = rows(db, "select url, fetched_at, count(*) n from captures where replay_url is not null "
                     "group by 1, 2 having n > 1")
    assert len(twice) <= 1


def test_a_rerun_adds_nothing(imported):
    rerun = imported["rerun"]
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr[-2000:]
    assert " 0 new, 0 updated, 0 unchanged, 0 failures" in rerun.stdout
    db = imported["db"]
    last = rows(db, "select * from crawl_runs order by id desc limit 1")[0]
    assert last["mode"] == "wayback" and last["status"] == "ok"
    # Only robots.txt and the listing were asked for: no capture again.
    assert rows(db, "select count(*) n from captures where replay_url is not null")[0]["n"] \
        == rows(db, "select count(*) n from captures where replay_url is not null "
                    "and run_started_at < ?", [last["started_at"]])[0]["n"]


def test_reparse_reads_imported_captures_as_the_import_did(imported):
    db = imported["db"]
    before = rows(db, "select url, content_hash, origin, capture_timestamp from articles order by url")
    done = subprocess.run([sys.executable, "-m", "scraper", "reparse", "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert " 0 changed" in done.stdout and " 0 new" in done.stdout, done.stdout
    after = rows(db, "select url, content_hash, origin, capture_timestamp from articles order by url")
    assert after == before


def test_an_archive_without_captures_of_the_site_fails_the_run(pywb, tmp_path):
    done = wayback(tmp_path / "none.db", "127.0.0.1:9", pywb["cdx"], pywb["replay"])
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    assert "the archive lists no capture of 127.0.0.1:9" in done.stdout


def test_bad_input_is_refused_before_anything_opens(tmp_path):
    db = tmp_path / "x.db"
    for args in (["--site", "http://x.org/"], ["--from", "2025-07-01"], ["--from", "20251301"],
                 ["--from", "20250701", "--to", "20250101"], ["--cdx", "ftp://x/"]):
        run = subprocess.run([sys.executable, "-m", "scraper", "wayback", "--db", str(db), *args],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert run.returncode == 2, (args, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1
    assert not db.exists()


# ------------------------------------------------- the IA's dialect
class FakeWaybackMachine:
    """Answers like the Internet Archive: /cdx/search/cdx as a JSON array of
    arrays paged by resumeKey, /web/<timestamp>id_/<url> raw captures with
    Memento-Datetime and the original headers as X-Archive-Orig-*."""

    def __init__(self, captures: dict[tuple[str, str], bytes], page_rows: int = 2,
                 unlisted: dict[tuple[str, str], bytes] | None = None):
        self.captures = captures  # (timestamp, url) -> body, or (status, Location) for a redirect
        self.unlisted = unlisted or {}  # served, but not in the CDX listing
        self.page_rows = page_rows
        self.hits: dict[str, int] = {}
        self.times: dict[str, list[float]] = {}  # when each capture was asked for
        self.all_times: list[float] = []
        self.cdx_queries: list[dict] = []
        self.throttle_once: set[str] = set()  # urls answered 429 on their first request
        self.rewritten: set[str] = set()  # urls served only rewritten
        self.broken: set[str] = set()  # urls answered 503 every time
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, h):
        parts = urlsplit(h.path)
        if parts.path == "/cdx/search/cdx":
            return self.cdx(h, parse_qs(parts.query))
        m = re.match(r"^/web/(\d{14})(id_|im_|)/(.*)$", h.path)
        if not m:
            return self.send(h, 404, b"not here", {})
        stamp, _, url = m.groups()
        self.hits[url] = self.hits.get(url, 0) + 1
        self.times.setdefault(url, []).append(time.monotonic())
        self.all_times.append(time.monotonic())
        if url in self.throttle_once and self.hits[url] == 1:
            return self.send(h, 429, b"slow down", {"Retry-After": "1"})
        if url in self.broken:
            return self.send(h, 503, b"backend down", {"Retry-After": "0"})
        body = self.captures.get((stamp, url)) or self.unlisted.get((stamp, url))
        if body is None:
            held = sorted(t for t, u in [*self.captures, *self.unlisted] if u == url)
            if not held:
                return self.send(h, 404, b"no capture", {})
            # As the Wayback Machine does: off to the nearest capture it holds.
            nearest = min(held, key=lambda t: abs(int(t) - int(stamp)))
            return self.send(h, 302, b"", {"Location": f"/web/{nearest}id_/{url}"})
        if isinstance(body, tuple):
            status, location = body  # a redirect the archive captured, Location rewritten
            return self.send(h, status, b"", {"Location": f"{self.url}web/{stamp}id_/{location}",
                                              "Memento-Datetime": _http_date(stamp)})
        if url in self.rewritten:
            body = rewrite_like_the_wayback_machine(body, self.url + "web/", stamp)
        self.send(h, 200, body, {"Content-Type": "text/html; charset=utf-8",
                                 "Memento-Datetime": _http_date(stamp),
                                 "X-Archive-Orig-Server": "Apache",
                                 "X-Archive-Orig-Content-Type": "text/html; charset=utf-8"})

    def cdx(self, h, query):
        self.cdx_queries.append(query)
        table = [["timestamp", "original", "statuscode", "mimetype", "digest"]]
        for (stamp, url), body in sorted(self.captures.items()):
            if isinstance(body, tuple):
                table.append([stamp, url, str(body[0]), "text/html", cdx_digest(body[1].encode())])
            else:
                table.append([stamp, url, "200", "text/html", cdx_digest(body)])
        start = int(query.get("resumeKey", ["0"])[0])
        page = table[:1] + table[1 + start:1 + start + self.page_rows]
        if 1 + start + self.page_rows < len(table):
            page += [[], [str(start + self.page_rows)]]
        self.send(h, 200, json.dumps(page).encode(), {"Content-Type": "application/json"})

    @staticmethod
    def send(h, status, body, headers):
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


def _http_date(stamp: str) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.strptime(stamp, "%Y%m%d%H%M%S"))


def cdx_digest(body: bytes) -> str:
    import base64
    import hashlib

    return base64.b32encode(hashlib.sha1(body).digest()).decode()


def rewrite_like_the_wayback_machine(body: bytes, prefix: str, stamp: str) -> bytes:
    """What a non-id_ replay looks like: scripts in the head, a toolbar after
    <body>, every absolute link sent back into the archive, a trailer."""
    body = re.sub(rb'(href|src|data-src)="(https?://[^"]+)"',
                  lambda m: m.group(1) + b'="' + prefix.encode() + stamp.encode() + b"im_/"
                  + m.group(2) + b'"', body)
    body = body.replace(b"<head>", b'<head><script src="//archive.org/includes/athena.js" '
                        b'type="text/javascript"></script>\n<script>__wm.init("' + prefix.encode()
                        + b'");</script>\n<link rel="stylesheet" href="/_static/css/banner-styles.css">'
                        b"\n<!-- End Wayback Rewrite JS Include -->", 1)
    body = re.sub(rb"(<body[^>]*>)", rb"\1<!-- BEGIN WAYBACK TOOLBAR INSERT --><div id='wm-ipp'>"
                  rb"<p>12 captures</p><a href='/web/*/x'>x</a></div>"
                  rb"<!-- END WAYBACK TOOLBAR INSERT -->", body, count=1)
    return body + (b"\n<!--\n     FILE ARCHIVED ON 00:00:00 Mar 01, 2024 AND RETRIEVED FROM THE\n"
                   b"     INTERNET ARCHIVE ON 00:00:00 Dec 01, 2026.\n-->")


@pytest.fixture(scope="module")
def ia(tmp_path_factory):
    """Captures of a small mirror (switched off afterwards) served in the
    IA's dialect: the home page, one article before and after an edit, one
    answered 429 first, one served only rewritten."""
    with MirrorServer(build_site(n_articles=N_ARTICLES)) as server:
        manifest = json.load(urllib.request.urlopen(server.url + "__mirror/manifest.json"))
        urls = [a["url"] for a in manifest["articles"]][:5]
        fetch = lambda u: urllib.request.urlopen(u).read()  # noqa: E731
        edited, throttled, rewritten, moved, broken = urls
        captures = {("20240101000000", server.url): fetch(server.url),
                    ("20240101000000", edited): fetch(edited),
                    ("20240215000000", throttled): fetch(throttled),
                    ("20240301000000", rewritten): fetch(rewritten)}
        post(server.url + "__mirror/edit?url=" + urlsplit(edited).path)
        captures[("20240601000000", edited)] = fetch(edited)
        # A capture repeating the edited bytes (the IA collapses only adjacent rows).
        captures[("20240701000000", edited)] = captures[("20240601000000", edited)]
        # A redirect the archive captured, to a page it holds only a day
        # later and does not list (outside the listing, as with --from/--to).
        old_address = server.url + "bai-viet-cu.html"
        captures[("20240110000000", old_address)] = (301, moved)
        unlisted = {("20240111000000", moved): fetch(moved)}
        captures[("20240120000000", broken)] = fetch(broken)
        site = urlsplit(server.url).netloc
    archive = FakeWaybackMachine(captures, unlisted=unlisted)
    archive.throttle_once.add(throttled)
    archive.rewritten.add(rewritten)
    archive.broken.add(broken)
    work = tmp_path_factory.mktemp("wayback-ia")
    db = work / "archive.db"
    args = (site, archive.url + "cdx/search/cdx", archive.url + "web/")
    # First only what was captured from May on, then everything: the older
    # capture of the edited article comes after its newer one.
    # One request at a time, as toward the real archive (a download delay,
    # however small, lets a pause hold the requests already queued).
    polite = ("--delay", "0.05", "--concurrency", "1")
    late = wayback(db, *args, "--from", "20240501", *polite)
    full = wayback(db, *args, *polite)
    yield {"db": db, "archive": archive, "late": late, "full": full, "edited": edited,
           "moved": moved, "old_address": old_address, "broken": broken,
           "throttled": throttled, "rewritten": rewritten, "captures": captures,
           "site_url": server.url}
    archive.stop()


def test_ia_listing_is_paged_by_resume_key_and_filtered_by_the_server(ia):
    assert ia["full"].returncode == 0, ia["full"].stdout + ia["full"].stderr[-3000:]
    queries = ia["archive"].cdx_queries
    assert any("resumeKey" in q for q in queries)
    assert all(q["showResumeKey"] == ["true"] and q["collapse"] == ["digest"] for q in queries)
    assert all(any(f.startswith("statuscode:") for f in q["filter"]) for q in queries)
    # Both spellings of a named host would be asked for; an IP host has one.
    assert {q["url"][0] for q in queries} == {urlsplit(ia["site_url"]).netloc + "/"}
    archived = {r["url"] for r in rows(ia["db"], "select url from articles where kind = 'article'")}
    assert {ia["edited"], ia["throttled"], ia["rewritten"]} <= archived


def test_a_429_is_waited_out_and_retried(ia):
    archive = ia["archive"]
    assert archive.hits[ia["throttled"]] == 2
    refused, retried = archive.times[ia["throttled"]]
    assert retried - refused >= 0.9  # Retry-After: 1
    # The whole import paused, not only the refused request: at most the one
    # request the downloader sent as the 429 came in went out meanwhile.
    assert len([t for t in archive.all_times if refused < t < refused + 0.9]) <= 1
    assert rows(ia["db"], "select count(*) n from failures where url = ?", [ia["throttled"]])[0]["n"] == 0
    answers = rows(ia["db"], "select url, http_status from captures where http_status = 429")
    # The archive's own answer is kept under the URL that gave it, not the page's.
    assert len(answers) == 1 and answers[0]["url"].startswith(ia["archive"].url + "web/")


def test_a_rewritten_capture_is_read_as_the_raw_page(ia):
    from scraper.extract import read_page

    url = ia["rewritten"]
    raw = ia["captures"][("20240301000000", url)].decode()
    expected = read_page(raw, url).article
    row = rows(ia["db"], "select * from articles where url = ?", [url])[0]
    assert row["title"] == expected.title and row["body_text"] == expected.body_text
    assert row["published_at"] == expected.published_at and row["author"] == expected.author
    assert "WAYBACK" not in row["body_html"] and "/web/" not in row["body_html"]
    images = [r["url"] for r in rows(ia["db"], "select url from images where article_url = ? "
                                               "order by position", [url])]
    assert images == [i.url for i in expected.images] and images
    assert all(u.startswith(ia["site_url"]) for u in images)


def test_an_edited_article_becomes_versions_in_time_order(ia):
    db, url = ia["db"], ia["edited"]
    versions = rows(db, "select * from article_versions where url = ? order by version", [url])
    assert [v["capture_timestamp"] for v in versions] == ["20240101000000", "20240601000000"]
    assert [v["fetched_at"] for v in versions] == ["2024-01-01T00:00:00+00:00",
                                                    "2024-06-01T00:00:00+00:00"]
    old, new = (json.loads(v["record_json"])["body_text"] for v in versions)
    assert old != new and new.startswith(old[:200])
    row = rows(db, "select * from articles where url = ?", [url])[0]
    assert row["version"] == 2 and row["body_text"] == new
    assert row["capture_timestamp"] == "20240601000000" and row["first_seen_at"].startswith("2024-01-01")
    # The repeat of the edited bytes (same digest) was not fetched at all.
    stamps = {r["timestamp"] for r in rows(db, "select timestamp from imported_captures where url = ?",
                                            [url])}
    assert "20240701000000" not in stamps or ia["archive"].hits[url] == 2


def test_a_captured_redirect_is_followed_to_the_targets_own_capture(ia):
    row = rows(ia["db"], "select * from articles where url = ?", [ia["moved"]])[0]
    # The archive sent the import on to its nearest capture (a day later).
    assert row["capture_timestamp"] == "20240111000000"
    assert row["request_url"] == ia["old_address"] and row["title"]
    assert ia["archive"].hits[ia["moved"]] == 2  # the archive's 302, then the capture
    assert not rows(ia["db"], "select * from articles where url = ?", [ia["old_address"]])


def test_a_capture_that_keeps_failing_is_recorded_and_tried_again_next_run(ia):
    db, url = ia["db"], ia["broken"]
    failed = rows(db, "select * from failures where url = ?", [url])
    # Both runs that listed it: 1 request and 3 retries each.
    assert [(f["http_status"], f["attempts"]) for f in failed] == [(503, 4)]
    assert ia["archive"].hits[url] == 4
    assert not rows(db, "select * from imported_captures where url = ?", [url])
    assert rows(db, "select status from crawl_runs order by id desc limit 1")[0]["status"] == "ok"


def test_the_ia_import_reruns_to_nothing(ia):
    again = wayback(ia["db"], urlsplit(ia["site_url"]).netloc, ia["archive"].url + "cdx/search/cdx",
                    ia["archive"].url + "web/")
    assert again.returncode == 0, again.stdout + again.stderr[-2000:]
    # Nothing new, and only the capture that failed is asked for again.
    assert " 0 new, 0 updated, 0 unchanged, 1 failures" in again.stdout, again.stdout
    assert ia["archive"].hits[ia["broken"]] == 8


# ------------------------------------------------- pure functions
def test_both_cdx_dialects_are_read():
    ia_body = json.dumps([["timestamp", "original", "statuscode", "mimetype", "digest"],
                          ["20240101000000", "http://www.x.vn/a.html", "200", "text/html", "AAA"],
                          ["20240102000000", "https://x.vn/", "301", "-", "-"],
                          [], ["key-2"]]).encode()
    caps, key = cdx.parse(ia_body)
    assert key == "key-2"
    assert caps[0] == cdx.Capture("20240101000000", "http://www.x.vn/a.html", 200, "text/html", "AAA")
    assert caps[1].status == 301 and caps[1].mime is None and caps[1].digest is None
    pywb_body = (b'{"urlkey": "vn,x)/a.html", "timestamp": "20240101000000", "url": "http://x.vn/a.html", '
                 b'"mime": "text/html", "status": "200", "digest": "BBB"}\n'
                 b'{"timestamp": "20240103000000", "url": "http://x.vn/b.html", "mime": "unk", '
                 b'"status": "302", "digest": "CCC"}\n')
    caps, key = cdx.parse(pywb_body)
    assert key is None and [c.url for c in caps] == ["http://x.vn/a.html", "http://x.vn/b.html"]
    assert caps[1].status == 302
    assert cdx.parse(b"") == ([], None)
    with pytest.raises(cdx.CdxError):
        cdx.parse(b"vn,x)/ 20240101000000 http://x.vn/ text/html 200 AAA 123")


def test_queries_speak_each_servers_filter_syntax():
    ia_q = parse_qs(urlsplit(cdx.query_url(cdx.IA_CDX, "x.vn", date_from="20240101",
                                           resume_key="k")).query)
    assert ia_q["filter"][0] == "statuscode:[23].." and ia_q["resumeKey"] == ["k"]
    assert ia_q["from"] == ["20240101"] and ia_q["matchType"] == ["prefix"]
    pywb_q = parse_qs(urlsplit(cdx.query_url("http://127.0.0.1:1/coll/cdx", "x.vn")).query)
    assert pywb_q["filter"][0] == "~status:[23].." and "resumeKey" not in pywb_q


@pytest.mark.parametrize("prefix", ["https://web.archive.org/web/", "http://127.0.0.1:8080/coll/"])
def test_replay_urls_map_back_to_originals(prefix):
    host = urlsplit(prefix).netloc
    path = urlsplit(prefix).path
    for link in (f"{prefix}20240101000000/http://x.vn/a.html",
                 f"{prefix}20240101000000im_/http://x.vn/a.html",
                 f"//{host}{path}20240101000000id_/http://x.vn/a.html",
                 f"{path}20240101000000mp_/http://x.vn/a.html"):
        assert replay.original_url(link, prefix) == "http://x.vn/a.html"
    assert replay.original_url("http://x.vn/web/2024/a.html", prefix) == "http://x.vn/web/2024/a.html"


def test_pywb_inserts_are_stripped():
    page = (b"<html><head><!-- WB Insert --><script>wbinfo = {};</script>"
            b"<script src='/static/wombat.js'> </script><!-- End WB Insert -->"
            b'<base href="http://127.0.0.1:9/coll/20240101000000mp_/http://x.vn/"></head><body>'
            b'<img __wb_orig_src="a.jpg" src="/coll/20240101000000im_/http://x.vn/a.jpg">'
            b'<a href="http://127.0.0.1:9/coll/20240101000000mp_/https://y.vn/" '
            b'target="___wb_replay_top_frame">y</a></body></html>')
    assert replay.is_rewritten(page)
    clean = replay.unrewrite(page, "http://127.0.0.1:9/coll/")
    assert clean == (b'<html><head><base href="http://x.vn/"></head><body>'
                     b'<img src="http://x.vn/a.jpg"><a href="https://y.vn/">y</a></body></html>')
    assert not replay.is_rewritten(clean)


def test_a_raw_page_is_not_taken_for_a_rewritten_one():
    assert not replay.is_rewritten(b"<html><body><p>Wayback: a story about time</p></body></html>")
