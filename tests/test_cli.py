"""Every CLI command has help with an example, and bad input gets a clear error."""
import subprocess
import sys

import pytest

from scraper.cli import build_parser

from .conftest import ROOT


def commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


@pytest.mark.parametrize("name", commands())
def test_every_command_has_help_with_an_example(name):
    out = subprocess.run([sys.executable, "-m", "scraper", name, "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert "Example" in out.stdout or "example" in out.stdout


def test_unreachable_site_fails_with_nonzero_status(tmp_path):
    # A closed loopback port: the run records the failure and says why.
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    db = tmp_path / "a.db"
    out = subprocess.run(
        [sys.executable, "-m", "scraper", "crawl", "--base-url", f"http://127.0.0.1:{port}/",
         "--db", str(db), "--delay", "0", "-s", "RETRY_TIMES=0"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "failed" in out.stdout
    import sqlite3
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from failures").fetchone()[0] >= 1
    assert conn.execute("select status from crawl_runs").fetchone()[0] == "failed"


def test_demo_serves_crawls_and_shows_rows(tmp_path):
    db = tmp_path / "demo.db"
    out = subprocess.run([sys.executable, "-m", "scraper", "demo", "--db", str(db), "--port", "0"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "mirror serving http://127.0.0.1:" in out.stdout
    assert "latest archived articles:" in out.stdout and "60 articles in" in out.stdout
    import sqlite3
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from articles where kind = 'article'").fetchone()[0] == 60
    assert conn.execute("select count(*) from captures").fetchone()[0] > 60


@pytest.mark.parametrize("args,message", [
    (["crawl", "--db", "/dev/null/x.db"], "not a writable directory"),
    (["crawl", "--db", "tests"], "is a directory"),
    (["crawl", "--db", "README.md"], "is not an SQLite archive"),
    (["crawl", "--base-url", "not-a-url", "--db", "{tmp}/a.db"], "must be an http(s) URL"),
    (["reparse", "--db", "{tmp}/missing.db"], "no archive at"),
])
def test_bad_input_is_refused_with_a_sentence(args, message, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    out = subprocess.run([sys.executable, "-m", "scraper", *args], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "missing.db").exists()


def test_exports_never_overwrite_the_archive(tmp_path):
    import shutil
    db = tmp_path / "a.db"
    from scraper.archive import Archive
    Archive(db).close()
    before = db.read_bytes()
    for command in (["export", "--format", "jsonl", "-o", str(db)], ["report", "-o", str(db)]):
        out = subprocess.run([sys.executable, "-m", "scraper", *command, "--db", str(db)], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode != 0 and "refusing to write over the archive" in out.stderr
    assert db.read_bytes() == before
    shutil.rmtree(tmp_path)
