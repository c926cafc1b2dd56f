"""Nightly jobs that tell (issue 15, 1 and 6): a failed run POSTs its JSON
summary to a local receiver, pings a dead-man's switch, writes a digest;
a notification that cannot be delivered never changes the exit status."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scraper.archive import RunLock
from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import ROOT
from .helpers import crawl, crawl_cmd
from .helpers import rows as query


class Receiver:
    """A local HTTP receiver on 127.0.0.1 that keeps every POST; paths under
    /broken/ answer 500."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append((self.path, self.headers.get("Content-Type"), body))
                status = 500 if self.path.startswith("/broken/") else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def posts(self, path):
        return [(ctype, body) for p, ctype, body in self.received if p == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def mirror():
    with MirrorServer(build_site()) as server:
        yield server


@pytest.fixture(scope="module")
def failed_night(mirror, receiver, tmp_path_factory):
    """A first run judged failed (no failure allowed; the mirror has 2)."""
    folder = tmp_path_factory.mktemp("keepers")
    db = folder / "archive.db"
    out = crawl(mirror.url, db, "-s", "ARCHIVER_MAX_FAILURES=0",
                "--notify-url", receiver.url + "hook", "--ping-url", receiver.url + "ping",
                "--digest-dir", folder / "logs")
    return {"db": db, "out": out, "logs": folder / "logs"}


def test_a_failed_run_posts_its_json_summary(failed_night, receiver):
    out = failed_night["out"]
    assert out.returncode == 1, out.stderr[-2000:]
    [(ctype, body)] = receiver.posts("/hook")
    assert ctype.startswith("application/json")
    summary = json.loads(body)
    run = query(failed_night["db"], "select * from crawl_runs")[0]
    assert (summary["status"], summary["exit_status"], summary["run_id"]) == ("failed", 1, run["id"])
    assert summary["reasons"] == ["2 failures, over the budget of 0"]
    held = query(failed_night["db"], "select count(*) n from articles")[0]["n"]
    assert summary["counts"]["articles_new"] == run["articles_new"] == held > 50
    assert summary["counts"]["failures"] == 2
    assert summary["archive"] == str(failed_night["db"].resolve())
    assert "THẤT BẠI / FAILED" in summary["digest"]


def test_the_dead_mans_switch_is_pinged_at_start_and_with_the_exit_status(failed_night, receiver):
    assert len(receiver.posts("/ping/start")) == 1
    [(_, body)] = receiver.posts("/ping/1")
    assert "Lưu trữ congdoanbackan.org.vn" in body.decode("utf-8")


def test_the_digest_lists_the_night_with_titles_as_printed(failed_night):
    [digest] = list(failed_night["logs"].glob("digest-*-run1.txt"))
    text = digest.read_text(encoding="utf-8")
    titles = [r["title"] for r in query(failed_night["db"], "select title from articles "
                                                         "where kind = 'article' order by published_date desc")]
    held = query(failed_night["db"], "select count(*) n from articles")[0]["n"]
    assert f"Bài mới / new: {held}" in text and titles[0] in text
    assert "Lỗi / failed: 2" in text and "over the budget of 0" in text
    assert len(text.splitlines()) < 45  # short: 15 titles a section at most


def test_a_good_night_notifies_only_when_asked_always(failed_night, mirror, receiver):
    db = failed_night["db"]
    env = dict(os.environ, ARCHIVER_NOTIFY_URL=receiver.url + "quiet")
    quiet = subprocess.run(crawl_cmd(mirror.url, db), cwd=ROOT, capture_output=True, text=True,
                           timeout=300, env=env)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert receiver.posts("/quiet") == []
    out = crawl(mirror.url, db, "--notify", "always", "--notify-url", receiver.url + "always")
    assert out.returncode == 0
    [(_, body)] = receiver.posts("/always")
    summary = json.loads(body)
    assert summary["status"] == "ok" and summary["reasons"] == []
    assert summary["counts"]["rechecked"] > 0  # the rolling schedule re-checked some pages


def test_an_undeliverable_notification_never_changes_the_outcome(failed_night, mirror, receiver):
    # Nothing listens on a port just released; /broken/ answers 500.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    out = crawl(mirror.url, failed_night["db"], "-s", "ARCHIVER_MAX_FAILURES=0", "--notify-url", dead,
                "--ping-url", receiver.url + "broken/ping")
    assert out.returncode == 1, out.stderr[-2000:]  # the run's own verdict
    lines = out.stderr.splitlines()
    assert any(line.startswith("notification to http://127.0.0.1:") and "not delivered" in line
               for line in lines)
    assert any(line.startswith("ping to http://127.0.0.1:") and line.endswith("not delivered: HTTP 500")
               for line in lines)
    assert "broken/ping" not in out.stderr  # the host only: such URLs carry tokens


def test_a_run_refused_by_the_lock_is_announced(failed_night, mirror, receiver):
    lock = RunLock(str(failed_night["db"])).acquire()
    try:
        out = crawl(mirror.url, failed_night["db"], "--notify-url", receiver.url + "locked")
    finally:
        lock.release()
    assert out.returncode == 3
    [(_, body)] = receiver.posts("/locked")
    summary = json.loads(body)
    assert (summary["status"], summary["exit_status"]) == ("did_not_start", 3)
    assert summary["reasons"] == ["another run holds the archive's lock"]


def test_systemd_alert_unit_posts_when_the_job_itself_failed(receiver):
    env = dict(os.environ, ARCHIVER_NOTIFY_URL=receiver.url + "unit",
               ARCHIVER_PING_URL=receiver.url + "unitping")
    out = subprocess.run([sys.executable, "-m", "scraper.notify", "unit-failed",
                          "congdoanbackan-archiver.service"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    [(_, body)] = receiver.posts("/unit")
    assert json.loads(body)["status"] == "unit_failed"
    assert len(receiver.posts("/unitping/fail")) == 1


def test_deploy_files_alert_on_failure():
    service = (ROOT / "deploy" / "congdoanbackan-archiver.service").read_text()
    assert "OnFailure=congdoanbackan-archiver-alert@%n.service" in service
    assert "EnvironmentFile=-" in service
    alert = (ROOT / "deploy" / "congdoanbackan-archiver-alert@.service").read_text()
    assert "deploy/alert.sh %i" in alert and "EnvironmentFile=-" in alert
    cron = (ROOT / "deploy" / "crontab.txt").read_text()
    assert any(line.startswith("MAILTO=") for line in cron.splitlines())
    script = (ROOT / "deploy" / "nightly.sh").read_text()
    assert "--digest-dir data/logs" in script and "deploy/nightly.env" in script
    assert os.access(ROOT / "deploy" / "alert.sh", os.X_OK)
