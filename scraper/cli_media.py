"""The archive's files as evidence: `verify` (fixity of every indexed WARC
record), `wacz` (the WARCs packaged for replay) and `export-media` (every
held file once, by sha256, with a manifest)."""
from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import sys
import tempfile
import time
import zlib
from pathlib import Path

import click
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from .cli_common import db_option, open_readonly

# A file is exported only while it fits this, read in one piece from its record.
EXPORT_MAX_BYTES = 64 * 1024 * 1024


def _connect(db: str) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{Path(db).resolve()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def verify_archive(db: str) -> dict:
    """Re-read every record the archive indexes and check its digests.
    Returns counts and the problems found (missing files, corrupt records)."""
    base = Path(db).resolve().parent
    conn = _connect(db)
    try:
        rows = conn.execute("select id, url, warc_file, warc_offset, payload_digest, record_id "
                            "from captures order by warc_file, warc_offset").fetchall()
    finally:
        conn.close()
    result = {"records": len(rows), "ok": 0, "bytes": 0, "missing": [], "corrupt": []}
    # Rows come sorted by file: one file open at a time, however many runs there were.
    name, fh = None, None
    try:
        for row in rows:
            path = (base / row["warc_file"]).resolve()
            if base not in path.parents or not path.is_file():
                result["missing"].append(f"{row['warc_file']} (record {row['id']}, {row['url']})")
                continue
            if row["warc_file"] != name:
                if fh is not None:
                    fh.close()
                name, fh = row["warc_file"], open(path, "rb")
                result["bytes"] += path.stat().st_size
            problem = _check_record(fh, row)
            if problem:
                result["corrupt"].append(f"{row['warc_file']}@{row['warc_offset']} {row['url']}: {problem}")
            else:
                result["ok"] += 1
    finally:
        if fh is not None:
            fh.close()
    return result


def _check_record(fh, row) -> str | None:
    try:
        fh.seek(row["warc_offset"])
        record = next(iter(ArchiveIterator(fh, check_digests=True)), None)
        if record is None:
            return "no record at this offset"
        stream = record.content_stream()
        while stream.read(1 << 16):
            pass
        if record.rec_headers.get_header("WARC-Record-ID") != row["record_id"]:
            return "another record at this offset"
        if record.digest_checker.passed is False:
            return "; ".join(str(p) for p in record.digest_checker.problems)
        if record.rec_headers.get_header("WARC-Payload-Digest") != row["payload_digest"]:
            return "payload digest differs from the index"
        return None
    except (ArchiveLoadFailed, StatusAndHeadersParserException, OSError, EOFError, ValueError,
            zlib.error) as exc:
        return f"{type(exc).__name__}: {exc}"


def print_file_summary(db: str, run_id: int) -> None:
    """One line for the crawl's summary: the run's files, held and not."""
    conn = sqlite3.connect(db)
    try:
        counts = dict(conn.execute("select status, count(*) from media_files where run_id = ? "
                                   "group by status", [run_id]).fetchall())
        size = conn.execute("select coalesce(sum(size), 0) from media_files where run_id = ? "
                            "and status = 'ok'", [run_id]).fetchone()[0]
    except sqlite3.OperationalError:
        return  # no media_files table: nothing was fetched
    finally:
        conn.close()
    if not counts:
        return
    held = counts.pop("ok", 0)
    others = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    amount = f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 1024:.0f} KB"
    print(f"files: {held} held ({amount})" + (f", not held: {others}" if others else "")
          + " (select * from media_files)")


@click.command()
@db_option(must_exist=True)
def verify(db):
    """Check the fixity of every WARC record the archive indexes.

    Re-reads each record listed in `captures`, checks its block and payload
    digests and that it is the record the index names. Lists missing WARC
    files and corrupt records; exits 1 if there is any.

    \b
    Example: python -m scraper verify --db data/archive.db
    """
    open_readonly(db).close()  # an archive of the current schema, or a refusal (exit 2)
    start = time.perf_counter()
    result = verify_archive(db)
    seconds = max(time.perf_counter() - start, 1e-9)
    for line in result["missing"][:20]:
        print(f"  missing: {line}")
    for line in result["corrupt"][:20]:
        print(f"  corrupt: {line}")
    bad = len(result["missing"]) + len(result["corrupt"])
    if bad > 40:
        print(f"  … {bad - 40} more")
    print(f"verified {result['records']} records: {result['ok']} ok, {len(result['missing'])} missing, "
          f"{len(result['corrupt'])} corrupt, in {seconds:.2f} s "
          f"({result['records'] / seconds:.0f} records/s, {result['bytes'] / 2**20 / seconds:.1f} MB/s)")
    sys.exit(1 if bad else 0)


@click.command()
@db_option(must_exist=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="the .wacz file to write")
def wacz(db, output):
    """Package the archive's WARC files for replay (WACZ).

    The WACZ holds the WARC files, a CDXJ index of them and the list of
    article pages (pages.jsonl), so that ReplayWeb.page opens the site with
    its photos. The result is checked with the wacz tool's own validation.

    \b
    Example: python -m scraper wacz --db data/archive.db -o data/archive.wacz
    """
    open_readonly(db).close()
    from wacz.main import main as wacz_main

    base = Path(db).resolve().parent
    conn = _connect(db)
    try:
        files = [r[0] for r in conn.execute("select distinct warc_file from captures order by 1")]
        pages = conn.execute("select a.url, a.title, min(c.fetched_at) from articles a "
                             "join captures c on c.url = a.final_url and c.http_status = 200 "
                             "group by a.url order by a.published_at desc").fetchall()
    finally:
        conn.close()
    warcs = [str(base / f) for f in files if (base / f).is_file()]
    if not warcs:
        raise click.ClickException(f"{db} indexes no WARC file that exists")
    with tempfile.TemporaryDirectory() as tmp:
        pages_file = Path(tmp) / "pages.jsonl"
        with open(pages_file, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"format": "json-pages-1.0", "id": "pages",
                                 "title": "Article pages"}) + "\n")
            for i, (url, title, ts) in enumerate(pages):
                fh.write(json.dumps({"id": f"p{i}", "url": url, "title": title or url,
                                     "ts": ts.replace("+00:00", "Z")}, ensure_ascii=False) + "\n")
        code = wacz_main(["create", "-o", output, "-p", str(pages_file), *warcs])
    if code:
        raise click.ClickException(f"the wacz tool could not package the archive (status {code})")
    code = wacz_main(["validate", "-f", output])
    if code:
        raise click.ClickException(f"{output} was written but does not validate")
    print(f"wrote {output}: {len(warcs)} WARC file(s), {len(pages)} article pages; validated")


@click.command("export-media")
@db_option(must_exist=True)
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False), help="the folder to write into (created)")
def export_media(db, out_dir):
    """Write every held file once, named by its sha256, with manifest.csv.

    The files are read back from the WARC records that hold them and checked
    against their sha256. manifest.csv has one row per photo or attachment of
    an article that is held: article URL, position, original URL, caption
    (or link text), sha256, size, content type.

    \b
    Example: python -m scraper export-media --db data/archive.db -o data/media
    """
    open_readonly(db).close()
    from .capture import read_capture

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    conn = _connect(db)
    try:
        files = conn.execute("select sha256, min(extension) ext, min(warc_file) warc_file, "
                             "min(warc_offset) warc_offset from media_files where status = 'ok' "
                             "group by sha256").fetchall()
        rows = conn.execute(
            "select article_url, position, url, caption as label, sha256, size, content_type "
            "from images where fetch_status = 'ok' union all "
            "select article_url, position, url, text, sha256, size, content_type "
            "from attachments where fetch_status = 'ok' order by 1, 2").fetchall()
    finally:
        conn.close()
    names = {}
    for f in files:
        body, _ = read_capture(db, f["warc_file"], f["warc_offset"], EXPORT_MAX_BYTES)
        if hashlib.sha256(body).hexdigest() != f["sha256"]:
            raise click.ClickException(f"the record of {f['sha256']} does not hold its bytes: "
                                       "run python -m scraper verify")
        name = f"{f['sha256']}.{f['ext'] or 'bin'}"
        (out / name).write_bytes(body)
        names[f["sha256"]] = name
    with open(out / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["article_url", "position", "original_url", "caption", "sha256", "size",
                         "content_type", "file"])
        for r in rows:
            writer.writerow([r["article_url"], r["position"], r["url"], r["label"], r["sha256"],
                             r["size"], r["content_type"], names.get(r["sha256"], "")])
    print(f"wrote {len(names)} files and manifest.csv ({len(rows)} rows) to {out}")


COMMANDS = (verify, wacz, export_media)
