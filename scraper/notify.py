"""Telling the keepers: the night's digest, the JSON summary POSTed to a
notification URL, and the dead-man's-switch pings.

Nothing here can change a run's outcome: a notification or ping that cannot
be delivered is logged (and printed on stderr, which cron mails and journald
keeps) and the exit status stays the run's own verdict.

- ``digest(db, run)``: one short plain-text summary of a run (new, changed,
  removed, failed, not re-checked), titles as printed, UTF-8.
- ``summary(...)``: the JSON document POSTed by ``--notify-url``.
- ``ping(url, exit_status)``: healthchecks-style: ``URL/start`` when the run
  begins, ``URL/<exit status>`` when it ends (0 is success, anything else a
  failure), so the monitoring service also notices a night with no run.
"""
from __future__ import annotations

import json
import logging
import socket
import sqlite3
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from .archive.discovered import completeness

logger = logging.getLogger(__name__)

TIMEOUT = 10  # seconds per delivery: a dead receiver must not hold the nightly job
LIST_LIMIT = 15  # titles per section of the digest; the archive has the rest
LOCAL = timezone(timedelta(hours=7))

WHEN = ("failure", "always")


# ------------------------------------------------------------------ digest
class _Listed(NamedTuple):
    total: int
    rows: list[tuple]  # the first LIST_LIMIT


def _listed(conn, columns: str, source: str, order: str, params) -> _Listed:
    """How many rows ``source`` holds, and the first LIST_LIMIT of them."""
    total = conn.execute("select count(*) " + source, params).fetchone()[0]
    rows = conn.execute(" ".join((columns, source, order, "limit ?")),
                        [*params, LIST_LIMIT]).fetchall() if total else []
    return _Listed(total, rows)


def _section(lines: list[str], heading: str, items: list[str], total: int) -> None:
    if not total:
        return
    lines.append(f"{heading}: {total}")
    lines.extend(f"  - {item}" for item in items[:LIST_LIMIT])
    if total > LIST_LIMIT:
        lines.append(f"  … và {total - LIST_LIMIT} mục khác / and {total - LIST_LIMIT} more")


def digest(db_path: str, run: dict, recheck_days: float = 7.0) -> str:
    """The night's summary of ``run`` (a ``crawl_runs`` row), in plain text.

    Labels are Vietnamese with the English word beside them, so that the
    federation's staff and a foreign researcher read the same file; titles
    are quoted exactly as the site printed them."""
    run_id = run["id"]
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        # Each list is counted in SQL and read only as far as it is printed:
        # a first run's 20,000 new titles were read whole to print LIST_LIMIT.
        new = _listed(conn, "select a.title, a.published_date, a.url",
                      "from run_outcomes o join articles a on a.url = o.url "
                      "where o.run_id = ? and o.outcome = 'new'",
                      "order by a.published_date desc, a.url", [run_id])
        changed = _listed(conn, "select a.title, v.words_added, v.words_removed, a.url",
                          "from run_outcomes o join articles a on a.url = o.url "
                          "left join article_versions v on v.url = a.url and v.version = a.version "
                          "where o.run_id = ? and o.outcome = 'updated'", "order by a.url", [run_id])
        removed = _listed(conn, "select a.title, a.removed_at, a.url",
                          "from rechecks r join articles a on a.url = r.url where r.run_id = ? "
                          "and r.outcome = 'removed'", "order by a.url", [run_id])
        restored = _listed(conn, "select a.title, a.url",
                           "from rechecks r join articles a on a.url = r.url "
                           "where r.run_id = ? and r.outcome = 'restored'", "order by a.url", [run_id])
        failed = _listed(conn, "select url, error", "from failures where run_id = ?", "order by id",
                         [run_id])
        cutoff = (datetime.now(timezone.utc) - timedelta(days=recheck_days)).isoformat(
            timespec="seconds")
        behind = conn.execute("select count(*) from articles where coalesce(checked_at, fetched_at, '') "
                              "< ?", [cutoff]).fetchone()[0]
        total = conn.execute("select count(*) from articles where kind = 'article'").fetchone()[0]
        # After a run that read every listing, what the sources name and the archive lacks.
        unheld = len(completeness(conn)) if run.get("mode") in ("full", "resume") else None
    finally:
        conn.close()
    started = run.get("started_at") or ""
    try:
        night = datetime.fromisoformat(started).astimezone(LOCAL).date().isoformat()
    except ValueError:
        night = started[:10]
    verdict = "OK" if run.get("status") == "ok" else "THẤT BẠI / FAILED"
    lines = [f"Lưu trữ congdoanbackan.org.vn — đêm / night {night}: {verdict}",
             f"Lần chạy / run {run_id} ({run.get('mode')}), {run.get('pages_fetched') or 0} trang tải "
             f"/ pages fetched; {total} bài trong kho / articles archived"]
    if run.get("message"):
        lines.append(f"Lý do / why: {run['message']}")
    lines.append(
        f"Mới / new {new.total} · sửa / changed {changed.total} · gỡ / removed {removed.total} · "
        f"lỗi / failed {failed.total} · kiểm tra lại / re-checked {run.get('rechecked') or 0} "
        f"({run.get('not_modified') or 0} không đổi / 304) · chưa kiểm tra lại quá "
        f"{recheck_days:g} ngày / not re-checked in {recheck_days:g} days {behind}")
    if unheld:
        lines.append(f"Chưa lưu / known but not held: {unheld} URL (python -m scraper "
                     "completeness)")
    _section(lines, "Bài mới / new", [f"{t or '(không tiêu đề)'} ({d or 'không ngày'}) {u}"
                                      for t, d, u in new.rows], new.total)
    _section(lines, "Bài đã sửa / changed", [f"{t} (+{a or 0}/-{r or 0} từ / words) {u}"
                                             for t, a, r, u in changed.rows], changed.total)
    _section(lines, "Bài bị gỡ / removed", [f"{t} (gỡ lúc / gone at {at}) {u}"
                                            for t, at, u in removed.rows], removed.total)
    _section(lines, "Bài có lại / back online", [f"{t} {u}" for t, u in restored.rows], restored.total)
    _section(lines, "Lỗi / failed", [f"{u}: {e}" for u, e in failed.rows], failed.total)
    return "\n".join(lines) + "\n"


def write_digest(text: str, folder: str | Path, run: dict) -> Path:
    """``digest-<local night>-run<id>.txt`` in ``folder`` (data/logs/ at night)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        night = datetime.fromisoformat(run["started_at"]).astimezone(LOCAL).strftime("%Y%m%d")
    except (TypeError, ValueError):
        night = datetime.now(LOCAL).strftime("%Y%m%d")
    path = folder / f"digest-{night}-run{run['id']}.txt"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------- delivery
def summary(*, run: dict | None, db_path: str, exit_status: int, digest_text: str | None,
            reason: str | None = None) -> dict:
    """The JSON summary of a run; ``run`` None when it did not start."""
    counts = {}
    if run:
        counts = {k: run.get(k) or 0 for k in (
            "pages_fetched", "articles_new", "articles_updated", "articles_unchanged",
            "not_modified", "failures", "rechecked", "rechecked_changed", "removed")}
    message = (run or {}).get("message") or reason or ""
    return {
        "source": "congdoanbackan-archiver",
        "host": socket.gethostname(),
        "status": (run or {}).get("status") or "did_not_start",
        "exit_status": exit_status,
        "reasons": [part for part in message.split("; ") if part],
        "run_id": (run or {}).get("id"),
        "mode": (run or {}).get("mode"),
        "started_at": (run or {}).get("started_at"),
        "finished_at": (run or {}).get("finished_at"),
        "base_url": (run or {}).get("base_url"),
        "archive": str(Path(db_path).resolve()),
        "counts": counts,
        "digest": digest_text,
    }


def _where(url: str) -> str:
    # Only scheme and host in logs: notification and ping URLs carry tokens.
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"


def _send(url: str, data: bytes, content_type: str, what: str) -> bool:
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": content_type, "User-Agent": "congdoanbackan-archiver notify"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read(1024)
        return True
    except (urllib.error.URLError, OSError, ValueError) as exc:
        why = (f"HTTP {exc.code}" if isinstance(exc, urllib.error.HTTPError)
               else getattr(exc, "reason", None) or exc)
        message = f"{what} to {_where(url)} not delivered: {why}"
        logger.warning(message)
        print(message, file=sys.stderr)
        return False


def notify(url: str, payload: dict) -> bool:
    """POST ``payload`` as JSON; False (logged) when it could not be delivered."""
    body = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
    return _send(url, body, "application/json; charset=utf-8", "notification")


def ping(url: str, what: str | int, body: str = "") -> bool:
    """``URL/start`` or ``URL/<exit status>``, healthchecks-style."""
    return _send(url.rstrip("/") + f"/{what}", body.encode("utf-8")[:10_000],
                 "text/plain; charset=utf-8", "ping")


def should_notify(when: str, exit_status: int) -> bool:
    return when == "always" or exit_status != 0


def unit_failed(unit: str, environ=None) -> int:
    """What systemd's ``OnFailure=`` unit runs (deploy/alert.sh): the job
    itself failed, perhaps before the crawl could tell anything (set-up
    failed, killed, timed out). POSTs a short summary to ARCHIVER_NOTIFY_URL
    and pings ARCHIVER_PING_URL/fail; exit status 0 whatever happens."""
    import os

    environ = os.environ if environ is None else environ
    url, ping_url = environ.get("ARCHIVER_NOTIFY_URL"), environ.get("ARCHIVER_PING_URL")
    if url:
        notify(url, {"source": "congdoanbackan-archiver", "host": socket.gethostname(),
                     "status": "unit_failed", "unit": unit,
                     "reasons": [f"systemd unit {unit} failed: see journalctl -u {unit}"]})
    if ping_url:
        ping(ping_url, "fail", f"systemd unit {unit} failed")
    return 0


if __name__ == "__main__":
    # python -m scraper.notify unit-failed UNIT
    if len(sys.argv) == 3 and sys.argv[1] == "unit-failed":
        sys.exit(unit_failed(sys.argv[2]))
    print("usage: python -m scraper.notify unit-failed UNIT", file=sys.stderr)
    sys.exit(2)
