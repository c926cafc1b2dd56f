"""The command line: every command has help with an example, every bad value
is refused in one sentence with exit status 2 before anything is created,
and the installed console script runs the same commands.

The refusals are checked twice: in-process with click's CliRunner (fast, one
case per bad value) and as real subprocesses (the whole interpreter start,
timed: a typo must not wait for Scrapy to import)."""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import scraper
from scraper.archive import Archive, RunLock
from scraper.cli import cli
from scraper.cli_common import known_settings, parse_setting

from .conftest import FIXTURES, ROOT

SCRIPT = Path(sys.prefix) / "bin" / "congdoanbackan-archiver"

# Each of these must be refused while the command line is parsed: exit 2, one
# line on stderr, nothing created (the default --db is data/archive.db, under
# the temporary working folder).
BAD_VALUES = [
    (["crawl", "--concurrency", "0"], "'--concurrency': 0 is not in the range x>=1"),
    (["crawl", "--concurrency", "-3"], "'--concurrency': -3 is not in the range x>=1"),
    (["crawl", "--concurrency", "many"], "'--concurrency': 'many' is not a valid integer"),
    (["crawl", "--delay", "-1"], "'--delay': -1.0 is not in the range x>=0"),
    (["crawl", "--delay", "nan"], "'--delay': 'nan' is not a finite number"),
    (["crawl", "--revalidate", "-1"], "'--revalidate': -1.0 is not in the range"),
    (["crawl", "--revalidate", "nan"], "'--revalidate': 'nan' is not a finite number"),
    (["crawl", "--full", "--walk"], "--full and --walk exclude each other"),
    (["crawl", "-s", "FOO=1"], "FOO is not a Scrapy or archiver setting"),
    (["crawl", "-s", "DOWNLOAD_DELAYY=1"], "did you mean DOWNLOAD_DELAY?"),
    (["crawl", "-s", "ARCHIVER_MAX_FAILURES=abc"], "ARCHIVER_MAX_FAILURES takes a whole number"),
    (["crawl", "-s", "RETRY_TIMES=2.5"], "RETRY_TIMES takes a whole number"),
    (["crawl", "-s", "ARCHIVER_MIN_COVERAGE=high"], "ARCHIVER_MIN_COVERAGE takes a number"),
    (["crawl", "-s", "DOWNLOAD_TIMEOUT=inf"], "DOWNLOAD_TIMEOUT takes a number"),
    (["crawl", "-s", "RETRY_ENABLED=yes please"], "RETRY_ENABLED takes 1, 0, true or false"),
    (["crawl", "-s", "RETRY_HTTP_CODES=500,oops"], "RETRY_HTTP_CODES takes whole numbers"),
    (["crawl", "-s", "DOWNLOADER_MIDDLEWARES=[1]"], "DOWNLOADER_MIDDLEWARES takes a JSON object"),
    (["crawl", "-s", "ROBOTSTXT_OBEY"], "expected NAME=VALUE"),
    (["crawl", "-s", "ARCHIVE_DB=other.db"], "set ARCHIVE_DB with --db"),
    (["crawl", "--log-file", "logs/crawl.log"], "'--log-file': the folder"),
    (["crawl", "--log-file", "."], "is a directory"),
    (["crawl", "--base-url", "not-a-url"], "must be an http(s) URL"),
    (["crawl", "--base-url", "ftp://congdoanbackan.org.vn/"], "must be an http(s) URL"),
    (["crawl", "--base-url", "http://127.0.0.1:http/"], "must be an http(s) URL"),
    (["crawl", "--db", "."], "is a directory"),
    (["crawl", "--db", "/dev/null/x.db"], "not a writable directory"),
    (["crawl", "--quiet", "--db"], "'--db' requires an argument"),
    (["demo", "--port", "70000"], "'--port': 70000 is not in the range 0<=x<=65535"),
    (["reparse"], "no archive at data/archive.db"),
    (["upgrade", "--db", "old.db"], "no archive at old.db"),
    (["search", "cong doan"], "no archive at data/archive.db"),
    (["search", "x", "--db", "a.db"], "no archive at a.db"),
    (["export", "--format", "csv", "-o", "x.csv"], "no archive at"),
    (["report"], "no archive at"),
    (["browse"], "no archive at"),
    (["browse", "--port", "-1"], "'--port': -1 is not in the range 0<=x<=65535"),
    (["crawl", "--nope"], "No such option '--nope'"),
    (["nope"], "No such command 'nope'"),
]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty current folder: whatever a refused command created would show."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(cli, list(args), prog_name="python -m scraper")


def assert_refused(result, message, folder):
    assert result.exit_code == 2, (result.output, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("args,message", BAD_VALUES, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_bad_value_is_refused_in_one_sentence_creating_nothing(args, message, workdir):
    assert_refused(invoke(*args), message, workdir)


@pytest.mark.parametrize("args,message", [
    (["export", "--format", "xml", "-o", "x"], "'--format': 'xml' is not one of 'csv', 'jsonl'"),
    (["export", "--format", "csv"], "Missing option '-o' / '--output'"),
    (["export", "--format", "csv", "-o", "no/such/folder/x.csv"], "no directory"),
    (["search", "x", "--limit", "0"], "'--limit': 0 is not in the range x>=1"),
    (["search", "x", "--since", "2024-13"], "'2024-13'"),
    (["search", "x", "--until", "yesterday"], "expected YYYY, YYYY-MM or YYYY-MM-DD"),
    (["search"], "give a QUERY (or --rebuild)"),
])
def test_bad_analyst_value_is_refused_before_the_archive_is_read(args, message, workdir):
    # A real archive, so that only the value itself is wrong.
    Archive(workdir / "a.db").close()
    before = sorted(p.name for p in workdir.iterdir())
    result = invoke(*args, "--db", "a.db")
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    assert sorted(p.name for p in workdir.iterdir()) == before


@pytest.mark.parametrize("args", [["crawl"], ["reparse"], ["upgrade"], ["demo"],
                                  ["crawl", "--concurrency", "8", "--full"]])
@pytest.mark.parametrize("kind,message", [
    ("other", "is an SQLite database but not an archive"),
    ("newer", "written by a newer version of this archiver"),
    ("garbage", "exists and is not an SQLite archive"),
])
def test_writers_refuse_a_file_they_must_not_write(args, kind, message, workdir):
    # Another program's database would get the archive's tables; a newer
    # archive cannot be downgraded. Refused before the lock file is made.
    from scraper.archive import CURRENT_VERSION

    db = workdir / "x.db"
    if kind == "garbage":
        db.write_bytes(b"not a database at all")
    else:
        conn = sqlite3.connect(db)
        conn.execute("create table notes (x)" if kind == "other" else "create table articles (url)")
        if kind == "newer":
            conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
        conn.commit()
        conn.close()
    before = db.read_bytes()
    result = invoke(*args, "--db", "x.db")
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    assert db.read_bytes() == before
    assert [p.name for p in workdir.iterdir()] == ["x.db"]


@pytest.mark.parametrize("setting,expected", [
    ("RETRY_ENABLED=False", ("RETRY_ENABLED", False)),
    ("RETRY_ENABLED=1", ("RETRY_ENABLED", True)),
    ("RETRY_TIMES=0", ("RETRY_TIMES", 0)),
    ("DOWNLOAD_TIMEOUT=15.0", ("DOWNLOAD_TIMEOUT", 15)),  # bench/chaos.py passes a float
    ("DOWNLOAD_TIMEOUT=2.5", ("DOWNLOAD_TIMEOUT", 2.5)),
    ("ARCHIVER_MIN_COVERAGE=0.9", ("ARCHIVER_MIN_COVERAGE", 0.9)),
    ("DOWNLOAD_DELAY=2", ("DOWNLOAD_DELAY", 2.0)),
    ("RETRY_HTTP_CODES=500,503", ("RETRY_HTTP_CODES", [500, 503])),
    ("RETRY_HTTP_CODES=[429]", ("RETRY_HTTP_CODES", [429])),
    ("RETRY_HTTP_CODES=", ("RETRY_HTTP_CODES", [])),
    ('USER_AGENT=Bot/1 (+mailto:a@b.c)', ("USER_AGENT", "Bot/1 (+mailto:a@b.c)")),
    ('DOWNLOADER_MIDDLEWARES={"x.Y": 5}', ("DOWNLOADER_MIDDLEWARES", {"x.Y": 5})),
    ("WARC_DIR=data/warc2", ("WARC_DIR", "data/warc2")),  # read by scraper.capture, default None
    ("JOBDIR=data/job", ("JOBDIR", "data/job")),  # Scrapy's default is None: any string
    ("CLOSESPIDER_ITEMCOUNT=3", ("CLOSESPIDER_ITEMCOUNT", 3)),
])
def test_good_settings_are_typed_like_their_default(setting, expected):
    from scraper.cli_common import Setting

    assert Setting().convert(setting, None, None) == expected


def test_known_settings_are_scrapys_and_ours():
    known = known_settings()
    assert known["ARCHIVER_MAX_FAILURES"] == 50  # ours
    assert known["DOWNLOAD_DELAY"] == 1.0  # ours wins over Scrapy's 0
    assert known["CONCURRENT_ITEMS"] == 4  # ours, over Scrapy's 100
    assert known["DNS_TIMEOUT"] == 60 and known["DOWNLOAD_MAXSIZE"] == 6 * 1024 * 1024
    assert isinstance(known["TEMPLATES_DIR"], (str, type(None)))
    from scrapy.settings import default_settings

    scrapys = {k for k in dir(default_settings) if k.isupper()}
    assert scrapys <= set(known)
    import scraper.settings as ours

    for name in scrapys - set(vars(ours)):  # read from the source, typed like the module's own
        if known[name] is not None:
            assert type(known[name]) is type(getattr(default_settings, name)), name
    with pytest.raises(ValueError):
        parse_setting("RETRY_TIMES", "three", 2)


# ------------------------------------------------------------ real processes
def run(*args, cwd=ROOT, timeout=60, executable=None):
    command = [executable] if executable else [sys.executable, "-m", "scraper"]
    return subprocess.run([*command, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("args", [
    ["crawl", "--concurrency", "0"],
    ["crawl", "-s", "ARCHIVER_MAX_FAILURES=abc"],
    ["crawl", "--full", "--walk"],
    ["crawl", "--log-file", "{tmp}/missing/crawl.log"],
])
def test_bad_value_is_refused_fast_by_a_real_process(args, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    started = time.monotonic()
    done = run(*args, "--db", tmp_path / "data" / "a.db")
    seconds = time.monotonic() - started
    print(f"{' '.join(args)}: refused in {seconds:.2f} s")
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no data/, no .lock, no WARC folder
    # Refused while parsing, before Scrapy is imported: well under a second on
    # an idle machine (0.1-0.2 s measured); 5 s leaves room for a busy one.
    assert seconds < 5


def test_unreachable_site_fails_with_nonzero_status(tmp_path):
    # A closed loopback port: the run records the failure and says why.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    db = tmp_path / "a.db"
    out = run("crawl", "--base-url", f"http://127.0.0.1:{port}/", "--db", db, "--delay", "0",
              "-s", "RETRY_TIMES=0", timeout=120)
    assert out.returncode != 0
    assert "failed" in out.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from failures").fetchone()[0] >= 1
    assert conn.execute("select status from crawl_runs").fetchone()[0] == "failed"


@pytest.mark.parametrize("args,message", [
    (["crawl", "--db", "/dev/null/x.db"], "not a writable directory"),
    (["crawl", "--db", "tests"], "is a directory"),
    (["crawl", "--db", "README.md"], "is not an SQLite archive"),
    (["crawl", "--base-url", "not-a-url", "--db", "{tmp}/a.db"], "must be an http(s) URL"),
    (["reparse", "--db", "{tmp}/missing.db"], "no archive at"),
    (["upgrade", "--db", "{tmp}/missing.db"], "no archive at"),
])
def test_bad_input_is_refused_with_a_sentence(args, message, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    out = run(*args)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_exports_never_overwrite_the_archive(tmp_path):
    db = tmp_path / "a.db"
    Archive(db).close()
    before = db.read_bytes()
    for command in (["export", "--format", "jsonl", "-o", str(db)], ["report", "-o", str(db)]):
        out = run(*command, "--db", db)
        assert out.returncode == 2 and "refusing to write over the archive" in out.stderr
    assert db.read_bytes() == before
    shutil.rmtree(tmp_path)


# ------------------------------------------------------------ help, version, script
def test_every_command_has_help_with_an_example():
    assert set(cli.commands) == {"crawl", "demo", "reparse", "upgrade", "search", "export",
                                 "browse", "report", "history", "completeness",
                                 "wayback", "verify", "wacz", "export-media"}
    for name in cli.commands:
        done = run(name, "--help")
        assert done.returncode == 0, done.stderr
        assert f"Example: python -m scraper {name}" in done.stdout, name
        assert "--db" in done.stdout, name
    assert "Example:" in run("--help").stdout


def test_version_is_the_packages():
    from importlib.metadata import version

    done = run("--version")
    assert done.returncode == 0
    assert done.stdout == f"congdoanbackan-archiver {scraper.__version__}\n"
    assert version("congdoanbackan-archiver") == scraper.__version__  # pyproject reads it


def test_console_script_is_installed_and_runs_the_same_commands(tmp_path):
    # `make setup` installs the project (editable) into .venv; its script runs
    # from any folder.
    assert shutil.which("congdoanbackan-archiver", path=str(SCRIPT.parent)) == str(SCRIPT)
    done = run("--help", cwd=tmp_path, executable=SCRIPT)
    assert done.returncode == 0 and done.stdout.startswith("Usage: congdoanbackan-archiver")
    assert all(name in done.stdout for name in cli.commands)
    done = run("crawl", "--concurrency", "0", cwd=tmp_path, executable=SCRIPT)
    assert done.returncode == 2 and "--concurrency" in done.stderr
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------ upgrade, lock
def test_upgrade_brings_an_old_archive_to_the_current_schema(tmp_path):
    from scraper.archive import CURRENT_VERSION

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript((FIXTURES / "archive_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    refused = run("search", "cong doan", "--db", db)
    assert refused.returncode == 2 and f"upgrade --db {db}" in refused.stderr

    lock = RunLock(db).acquire()  # as a crawl holds it
    try:
        locked = run("upgrade", "--db", db)
    finally:
        lock.release()
    assert locked.returncode == 3 and "refusing to start" in locked.stderr

    done = run("upgrade", "--db", db)
    assert done.returncode == 0, done.stderr
    assert f"upgraded from schema 1 to {CURRENT_VERSION}" in done.stdout
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION
    assert run("search", "cong doan", "--db", db).returncode in (0, 1)
    again = run("upgrade", "--db", db)
    assert again.returncode == 0 and "up to date" in again.stdout


def test_upgrade_refuses_what_is_not_an_archive(tmp_path):
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("create table notes (x)")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    done = run("upgrade", "--db", db)
    assert done.returncode == 2 and "not an archive" in done.stderr
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["other.db"]  # no lock file either


# ------------------------------------------------------------ demo
@pytest.mark.parametrize("how", ["python -m scraper, in the clone (make demo)",
                                 "the installed script, in another folder"])
def test_demo_serves_crawls_and_shows_rows(how, tmp_path):
    # Outside the clone, the demo finds the mirror in the repository's tests/
    # beside the package.
    db = tmp_path / "demo.db"
    if how.startswith("python"):
        out = run("demo", "--db", db, "--port", "0", timeout=300)
    else:
        out = run("demo", "--db", db, "--port", "0", cwd=tmp_path, executable=SCRIPT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "mirror serving http://127.0.0.1:" in out.stdout
    assert "latest archived articles:" in out.stdout and "60 articles in" in out.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from articles where kind = 'article'").fetchone()[0] == 60
    assert conn.execute("select count(*) from captures").fetchone()[0] > 60


def test_demo_without_the_repositorys_tests_is_refused(tmp_path):
    # A copy of the package alone, as a wheel would install it: no tests/mirror.
    shutil.copytree(ROOT / "scraper", tmp_path / "scraper",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "scraper", "demo", "--db", "d.db"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2, done.stderr
    assert "run it from a clone of the repository" in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "d.db").exists()


def test_a_revalidate_beyond_a_century_means_every_article():
    from scraper.cli import MAX_REVALIDATE_DAYS, crawl

    param = next(p for p in crawl.params if p.name == "revalidate")
    assert param.type.convert("100000", param, None) == MAX_REVALIDATE_DAYS
    assert param.type.convert("14", param, None) == 14.0
