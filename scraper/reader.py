"""Pages read in a worker process, beside the crawl.

Reading a page (scraper.extract.read_page: parse, page kind, fields, links)
is a fifth to a third of what a crawl's process does for each page, and
Scrapy, the archive and the WARC writer share that one Python thread. With a worker
process the reading runs on a second core while the crawl fetches, stores
and writes the next pages (bench/bench_scale.py measures both ways).

    reader = PageReader(workers=1)
    page = await reader.call(read_page, text, url)   # in a spider callback
    reader.close()                                   # at spider_closed

The function and its arguments travel to the worker by pickling, so only a
module-level function such as read_page can be sent; what it returns comes
back the same way. An exception raised by the function is raised here, as if
it had run here. With workers=0, on a machine with one core, or without
asyncio's reactor, the function simply runs here.

Nothing is lost to the pool: if the worker process dies (killed, out of
memory), the page it held is read here instead, and so is every later page
of the run (`broken` says why, and the log says so once).

The worker is forked from the crawl when the first page is read, so it
starts with every module already imported and costs no start-up. It ignores
Ctrl-C, which the terminal sends to the whole process group (the crawl's
graceful stop closes the worker itself), and ends when the crawl's process
ends, even when that process is killed.
"""
from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
logger = logging.getLogger(__name__)


def usable_workers(asked: int) -> int:
    """The worker processes worth starting: none on a one-core machine,
    where a worker only adds the cost of sending pages back and forth."""
    return max(0, min(asked, (os.cpu_count() or 1) - 1))


def _asyncio_loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _worker_start(parent: int) -> None:
    # The crawl's signal handlers and its event loop's wake-up pipe came
    # with the fork; they are the crawl's. A stop sent to the whole group
    # (systemd, Ctrl-C) is the crawl's to act on: SIGINT is ignored here,
    # SIGTERM ends the worker (its pages are then read by the crawl).
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The worker holds its own end of the task pipe, so a killed crawl would
    # leave it waiting for ever: it ends with its parent instead (Linux's
    # parent-death signal; elsewhere a thread that watches the parent).
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError):
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the crawl ended before the signal was set
        os._exit(0)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


class PageReader:
    def __init__(self, workers: int):
        self.workers = workers
        self.broken: str | None = None
        self._pool: ProcessPoolExecutor | None = None

    @property
    def in_worker(self) -> bool:
        return self.workers > 0 and self.broken is None

    async def call(self, function, *args):
        if not self.in_worker or not _asyncio_loop_running():
            return function(*args)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_worker_start, initargs=(os.getpid(),))
        try:
            return await asyncio.wrap_future(self._pool.submit(function, *args))
        except BrokenProcessPool as exc:
            if self.broken is None:
                self.broken = f"the page reader's worker process ended ({exc}); pages are read in the crawl's process"
                logger.warning(self.broken)
                self._shutdown(wait=False)
            return function(*args)

    def close(self) -> None:
        self._shutdown(wait=True)

    def _shutdown(self, wait: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)
