"""Pages read in a worker process (scraper/reader.py): the same pages as read
here, errors raised here, nothing lost when the worker dies, and no worker
left behind by a crawl that is killed."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time

import psutil
import pytest

from scraper.extract import read_page
from scraper.reader import PageReader
from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import ROOT
from .helpers import crawl, crawl_cmd, rows

URL = "https://congdoanbackan.org.vn/hoi-nghi.html"
PAGE = ("<html><head><title>Hội nghị</title></head><body><h1>Hội nghị sơ kết công tác công đoàn</h1>"
        "<div>Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)</div>"
        + "".join(f"<p>Đoạn {i}: công đoàn cơ sở chăm lo đời sống người lao động trên địa bàn tỉnh.</p>"
                  for i in range(5)) + "</body></html>")


def in_loop(work):
    """Runs `work(reader)` in an asyncio loop, as a spider callback runs."""
    reader = PageReader(1)

    async def main():
        try:
            return await work(reader)
        finally:
            reader.close()

    return asyncio.run(main()), reader


def test_a_page_read_in_the_worker_is_the_page_read_here():
    async def work(reader):
        return await reader.call(os.getpid), await reader.call(read_page, PAGE, URL)

    (worker_pid, page), reader = in_loop(work)
    assert worker_pid != os.getpid()
    assert page == read_page(PAGE, URL)
    assert page.kind == "article" and page.article.published_at.startswith("2023-12-01T07:29")
    assert reader.broken is None


def test_an_error_in_the_worker_is_raised_here():
    async def work(reader):
        return await reader.call(int, "not a number")

    with pytest.raises(ValueError, match="not a number"):
        in_loop(work)


def test_a_killed_worker_loses_no_page():
    async def work(reader):
        pid = await reader.call(os.getpid)
        os.kill(pid, signal.SIGKILL)
        psutil.Process(pid).wait(timeout=10)
        pages = [await reader.call(read_page, PAGE, URL) for _ in range(3)]
        return pid, pages, await reader.call(os.getpid)

    (pid, pages, after), reader = in_loop(work)
    assert pages == [read_page(PAGE, URL)] * 3
    assert "worker process ended" in reader.broken
    assert after == os.getpid()  # the rest of the run reads here


def test_a_crawl_reads_the_same_in_a_worker_and_without(tmp_path):
    fields = ("url, kind, title, published_at, author, author_line, source, body_text, body_html, "
              "image_count, attachment_count, content_hash")
    archives = {}
    with MirrorServer(build_site()) as server:
        for workers in (0, 1):
            db = tmp_path / f"workers-{workers}.db"
            result = crawl(server.url, db, "--no-media", "-s", f"ARCHIVER_READ_WORKERS={workers}")
            assert result.returncode == 0, result.stderr[-2000:]
            archives[workers] = rows(db, f"select {fields} from articles order by url")
    assert len(archives[1]) > 20
    assert archives[1] == archives[0]


def slow_crawl(url, db, **popen):
    """A crawl one page at a time, once its page reader has started: (the
    crawl's process, its worker processes)."""
    command = crawl_cmd(url, db)[:-4] + ["--delay", "0.05", "--concurrency", "1"]
    proc = subprocess.Popen(command, cwd=ROOT, **popen)
    crawler = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    workers = []
    while not workers and time.monotonic() < deadline and proc.poll() is None:
        workers = crawler.children()
        time.sleep(0.05)
    assert workers, "the crawl started no worker process"
    return proc, workers


def left_behind(workers) -> list:
    _, alive = psutil.wait_procs(workers, timeout=15)
    for p in alive:
        p.kill()
    return alive


def test_a_killed_crawl_leaves_no_worker_behind(tmp_path):
    with MirrorServer(build_site()) as server:
        proc, workers = slow_crawl(server.url, tmp_path / "archive.db",
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert left_behind(workers) == []


def test_a_stop_sent_to_the_whole_process_group_is_one_stop(tmp_path):
    """systemd and a terminal signal every process of the crawl's group: the
    worker must not pass its copy of the signal on to the crawl (the crawl
    would take it as a second one and stop uncleanly)."""
    db = tmp_path / "archive.db"
    with MirrorServer(build_site()) as server:
        proc, workers = slow_crawl(server.url, db, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        alive = left_behind(workers)
    assert "Received SIGTERM, shutting down gracefully" in err
    assert "twice" not in err and "unclean" not in err, err[-2000:]
    assert alive == []
    [run] = rows(db, "select finished_at from crawl_runs")
    assert run["finished_at"], "the stopped run was not closed"
