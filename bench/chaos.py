"""Crawl the full-size faulty mirror and print what happened, fault by fault.

    make chaos        (or: .venv/bin/python bench/chaos.py [--timeout 15])

The mirror runs here, on 127.0.0.1; the crawler runs as a subprocess whose RSS
is polled every 20 ms (psutil) and read back as ru_maxrss when it ends. Sizes
are the real ones: a 40 MB page (with and without Content-Length), a gzip bomb
inflating to 1 GB, a 5 MB article. DOWNLOAD_TIMEOUT is lowered (default 15 s)
only so that the stalled page costs 4 x 15 s instead of 4 x 60 s.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mirror.faults import FaultConfig, judge  # noqa: E402
from tests.mirror.server import MirrorServer  # noqa: E402
from tests.mirror.site import build_site  # noqa: E402


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=15, help="DOWNLOAD_TIMEOUT for the crawl (s)")
    parser.add_argument("--db", default=None, help="archive file (default: a temporary one)")
    args = parser.parse_args(argv)

    config = FaultConfig(stall_seconds=args.timeout * 2 + 5)
    site = build_site(faults=config)
    site.fault_set.bomb()  # build the 1 GB bomb before the clock starts
    tmp = tempfile.TemporaryDirectory(prefix="chaos-")
    db = args.db or str(Path(tmp.name) / "archive.db")
    with MirrorServer(site) as server:
        cmd = [sys.executable, "-m", "scraper", "crawl", "--base-url", server.url, "--db", db,
               "--delay", "0", "--concurrency", "8", "--quiet", "-s", f"DOWNLOAD_TIMEOUT={args.timeout}"]
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = [0]

        def poll():
            p = psutil.Process(proc.pid)
            while proc.poll() is None:
                try:
                    peak[0] = max(peak[0], p.memory_info().rss)
                except psutil.Error:
                    return
                time.sleep(0.02)

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        out, err = proc.communicate()
        seconds = time.monotonic() - started
        watcher.join()
        maxrss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        manifest = get_json(server.url + "__mirror/manifest.json")
        stats = get_json(server.url + "__mirror/stats")
    verdict = judge(db, manifest, stats)
    tmp.cleanup()

    by_kind: dict[str, list] = defaultdict(list)
    for r in verdict["results"]:
        by_kind[r["kind"]].append(r)
    expect = {f["kind"]: f["expect"] for f in manifest["faults"]}
    print(f"{'fault kind':<24}{'expected':<10}{'right/total':>12}")
    for kind, results in by_kind.items():
        right = sum(r["ok"] for r in results)
        print(f"{kind:<24}{expect.get(kind, 'archived'):<10}{right:>6}/{len(results):<5}")
        for r in results:
            if not r["ok"]:
                print(f"    WRONG {r['url']}: {'; '.join(r['problems'])}")
    total_right = sum(r["ok"] for r in verdict["results"])
    print("-" * 46)
    print(f"{'all':<34}{total_right:>6}/{len(verdict['results'])}")
    print(f"failures recorded                 {verdict['failures_recorded']}")
    print(f"requests to disallowed paths      {sum(verdict['disallowed_requests'].values())}")
    print(f"seconds                           {seconds:.1f}")
    print(f"peak RSS, polled (MB)             {peak[0] / 2**20:.0f}")
    print(f"peak RSS, ru_maxrss (MB)          {maxrss_mb:.0f}")
    print(f"crawler exit status               {proc.returncode}")
    if proc.returncode not in (0, 1):
        print(err[-3000:], file=sys.stderr)
    ok = total_right == len(verdict["results"]) and not verdict["disallowed_requests"] and maxrss_mb < 300
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
