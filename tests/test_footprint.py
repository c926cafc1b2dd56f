"""What a crawl leaves behind: no listening port while it runs, and no file
outside the archive's own folder (no job files under the home directory, no
.scrapy folder in the working directory)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import ROOT


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _crawl_watching_ports(url: str, tmp_path: Path, *extra: str):
    """Runs a slowed crawl from an empty working directory with its own
    HOME, polling the process's sockets; returns (listening ports seen,
    polls made, home, workdir, archive folder)."""
    home, work, archive = tmp_path / "home", tmp_path / "work", tmp_path / "archive"
    for folder in (home, work, archive):
        folder.mkdir()
    env = dict(os.environ, HOME=str(home), XDG_STATE_HOME=str(home / ".local" / "state"),
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", "crawl", "--base-url", url, "--db",
         str(archive / "archive.db"), "--delay", "0.05", "--concurrency", "1", "--quiet", *extra],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(proc.pid)
    listening, polls = set(), 0
    while proc.poll() is None:
        try:
            for conn in watched.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    listening.add(conn.laddr.port)
            polls += 1
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out[-2000:] + err[-3000:]
    return listening, polls, home, work, archive


@pytest.fixture(scope="module")
def mirror():
    with MirrorServer(build_site(n_articles=12)) as server:
        yield server


def test_a_crawl_opens_no_port_and_writes_only_beside_its_archive(mirror, tmp_path):
    listening, polls, home, work, archive = _crawl_watching_ports(mirror.url, tmp_path)
    assert polls >= 5, "the crawl ended before its sockets could be watched"
    assert listening == set()
    assert _files(home) == [] and _files(work) == []
    written = _files(archive)
    assert "archive.db" in written and any(name.startswith("warc/") for name in written)


def test_the_watch_sees_a_port_when_remote_control_is_asked_for(mirror, tmp_path):
    # The same watch, with Scrapy's remote control switched back on: it must
    # see the control port and the job file (else the test above proves nothing).
    listening, _, home, _, _ = _crawl_watching_ports(
        mirror.url, tmp_path, "-s", "REMOTE_CONTROL_ENABLED=1")
    assert listening
    assert any("job_files" in name for name in _files(home))
