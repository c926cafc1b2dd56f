"""What every command of the command line shares: the option types, the
one-line refusal, and the run lock.

Every check of what was typed lives in a click parameter type, so it runs
while the command line is parsed: before any file, folder or lock is
touched, and before Scrapy, Twisted or Datasette is imported (a bad option
is refused in a fraction of a second, however heavy the command).
"""
from __future__ import annotations

import ast
import difflib
import importlib.util
import json
import math
import os
import re
import sys
from pathlib import Path

import click

DEFAULT_DB = "data/archive.db"


# ------------------------------------------------------------------ refusals
class Refused(click.ClickException):
    """Input that cannot work (an unreadable archive, an output file that is
    the archive itself): exit status 2 and one sentence, like a bad option."""

    exit_code = 2


class ArchiverCommand(click.Command):
    """A command whose refusals name it, however they were raised."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            if getattr(exc, "ctx", None) is None and getattr(exc, "command_path", None) is None:
                exc.command_path = ctx.command_path
            raise


class ArchiverGroup(click.Group):
    """A group whose every refusal is one line on stderr.

    Click's own report of a bad option is four lines (usage, hint, blank,
    error); a cron mail or a log line reads better with just the sentence.
    A command's return value is the process's exit status.
    """

    command_class = ArchiverCommand

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            status = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # the group's help, as typed with no command
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            where = getattr(exc, "command_path", None) or (exc.ctx.command_path
                                                          if getattr(exc, "ctx", None) else None)
            message = " ".join(exc.format_message().split())
            click.echo(f"{where}: {message}" if where else message, err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(status or 0)


def take_lock(db_path: str):
    """The archive's run lock (a held RunLock); exit status 3 when another
    run holds it. Call it only once every input has been checked."""
    from scraper.archive import ArchiveLocked, RunLock

    try:
        return RunLock(db_path).acquire()
    except ArchiveLocked as exc:
        click.echo(f"refusing to start: {exc}", err=True)
        raise click.exceptions.Exit(3) from None


def open_readonly(db_path: str):
    """The archive opened read-only (a sqlite_utils.Database), or a refusal."""
    from scraper.archive import ArchiveUnreadable
    from scraper.archive import open_readonly as _open

    try:
        return _open(db_path)
    except ArchiveUnreadable as exc:
        raise Refused(str(exc)) from None


# ------------------------------------------------------------------ paths
def check_db_path(path: str, must_exist: bool = False) -> str | None:
    """A clear sentence for an archive path that cannot work, else None."""
    if os.path.isdir(path):
        return f"{path} is a directory; give the archive's file name (e.g. {path.rstrip('/')}/archive.db)"
    if os.path.exists(path):
        try:
            with open(path, "rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            return f"cannot read {path}: {exc.strerror}"
        if head and head != b"SQLite format 3\x00":
            return f"{path} exists and is not an SQLite archive"
        return None
    if must_exist:
        return f"no archive at {path}: crawl first (python -m scraper crawl --db {path})"
    parent = os.path.dirname(os.path.abspath(path))
    probe = parent
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe) or not os.access(probe, os.W_OK):
        return f"cannot create {path}: {probe} is not a writable directory"
    return None


def writer_problem(path: str) -> str | None:
    """For a command that writes (crawl, reparse, upgrade): a sentence when the
    existing SQLite file at ``path`` must not be written to, else None.

    Another program's database would be given the archive's tables, and an
    archive written by newer code cannot be downgraded; both are refused
    before any lock file is made. An older archive is fine: its writer
    upgrades it. Read-only look; the readers' own check is open_readonly.
    """
    import sqlite3
    from urllib.parse import quote

    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        return None
    try:
        conn = sqlite3.connect("file:" + quote(os.path.abspath(path)) + "?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute(
                "select name from sqlite_master where type = 'table'")}
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"cannot read {path} as SQLite: {exc}"
    if tables and "articles" not in tables:
        return f"{path} is an SQLite database but not an archive (it has no articles table)"
    from scraper.archive.migrations import CURRENT_VERSION, too_new

    if version > CURRENT_VERSION:
        return too_new(path, version)
    return None


class DbPath(click.ParamType):
    """An archive file: a path that can be created (crawl, demo), or an
    existing SQLite file (everything else). ``writer``: the command will
    write to it, so another program's database or a newer archive is refused."""

    name = "PATH"

    def __init__(self, must_exist: bool = False, writer: bool = False):
        self.must_exist = must_exist
        self.writer = writer

    def convert(self, value, param, ctx):
        path = os.fspath(value)
        problem = check_db_path(path, must_exist=self.must_exist)
        if not problem and self.writer:
            problem = writer_problem(path)
        if problem:
            self.fail(problem, param, ctx)
        return path


class HttpUrl(click.ParamType):
    name = "URL"

    def convert(self, value, param, ctx):
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
            parts.port  # noqa: B018 -- raises on a port that is not a number
        except ValueError:
            ok = False
        if not ok:
            self.fail(f"must be an http(s) URL such as https://congdoanbackan.org.vn/, not {value!r}",
                      param, ctx)
        return value


class LogFile(click.ParamType):
    """A file to write the log to, in a folder that already exists: a typo in
    the folder is refused rather than created."""

    name = "FILE"

    def convert(self, value, param, ctx):
        path = os.fspath(value)
        folder = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):
            self.fail(f"{path} is a directory; give the log's file name", param, ctx)
        if not os.path.isdir(folder):
            self.fail(f"the folder {folder} does not exist; create it first", param, ctx)
        if not os.access(folder if not os.path.exists(path) else path, os.W_OK):
            self.fail(f"cannot write {path}: permission denied", param, ctx)
        return path


class OutputFile(click.ParamType):
    """A file to write, or - for stdout; its folder must exist."""

    name = "FILE"

    def convert(self, value, param, ctx):
        if value == "-":
            return value
        target = Path(value).resolve()
        if target.is_dir():
            self.fail(f"cannot write {value}: it is a directory", param, ctx)
        if not target.parent.is_dir():
            self.fail(f"cannot write {value}: no directory {target.parent}", param, ctx)
        return os.fspath(value)


def check_output(output: str, db: str) -> None:
    """Refuse an output file that is the archive (or its WAL)."""
    if output == "-":
        return
    target = Path(output).resolve()
    archive = Path(db).resolve()
    if target in (archive, Path(str(archive) + "-wal"), Path(str(archive) + "-shm"),
                  Path(str(archive) + ".lock")):
        raise Refused(f"refusing to write over the archive itself: {output}")


# ------------------------------------------------------------------ numbers
class FiniteFloatRange(click.FloatRange):
    """FloatRange that also refuses nan and inf (nan passes every comparison).
    `ceiling` lowers larger values to it instead of refusing them."""

    def __init__(self, *args, ceiling: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ceiling = ceiling

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number if self.ceiling is None else min(number, self.ceiling)


class LocalDate(click.ParamType):
    """YYYY, YYYY-MM or YYYY-MM-DD, as the first (since) or last (until) day
    of that period."""

    name = "DATE"

    def __init__(self, end: str):
        self.end = end

    def convert(self, value, param, ctx):
        import argparse

        from scraper.analyst import period

        try:
            return getattr(period, self.end)(value)
        except (argparse.ArgumentTypeError, ValueError) as exc:
            self.fail(str(exc), param, ctx)


# ------------------------------------------------------------------ -s NAME=VALUE
# Settings the code reads that neither Scrapy's defaults nor scraper/settings.py
# name (their default is None: any string).
EXTRA_SETTINGS = {"WARC_DIR": None}
# Settings that have their own option: through -s they would bypass its checks
# (-s ARCHIVE_DB would write one file while the run lock guards another).
OWN_OPTION = {"ARCHIVE_DB": "--db", "LOG_FILE": "--log-file"}
# Durations whose Scrapy default is a whole number but which Scrapy reads as a
# float (DOWNLOAD_TIMEOUT = 180): 2.5 is a fine value for them.
_SECONDS = re.compile(r"_(TIMEOUT|DELAY|INTERVAL|SECS|SECONDS)$")

_known: dict[str, object] | None = None


def _scrapy_defaults() -> dict[str, object]:
    """Scrapy's default settings, read from its source without importing
    Scrapy (which takes half a second, and would make a typo slow to refuse).

    Values that are not plain literals (USER_AGENT is an f-string that imports
    scrapy) keep only their type: an f-string is a str, anything else None.
    """
    spec = importlib.util.find_spec("scrapy")  # top level: found, not imported
    if spec is None or spec.origin is None:
        return {}
    source = Path(spec.origin).parent / "settings" / "default_settings.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    found: dict[str, object] = {}

    def visit(statements):
        for node in statements:
            if isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
                continue
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    found[target.id] = _evaluate(value, found)

    visit(tree.body)
    return found


def _evaluate(node: ast.expr, names: dict):
    try:
        return ast.literal_eval(node)
    except ValueError:
        pass
    if isinstance(node, ast.JoinedStr):
        return ""
    try:  # 1024 * 1024 * 1024, or a name defined above; nothing else is called
        code = compile(ast.Expression(node), "<default_settings>", "eval")
        return eval(code, {"__builtins__": {}}, dict(names))  # noqa: S307
    except Exception:  # a call or attribute: keep no type, accept any string
        return None


def known_settings() -> dict[str, object]:
    """Every setting -s may set, with the default its value is typed by:
    ours (scraper/settings.py) where we set one, else Scrapy's."""
    global _known
    if _known is None:
        import scraper.settings as ours

        known = _scrapy_defaults()
        known.update(EXTRA_SETTINGS)
        known.update({k: v for k, v in vars(ours).items() if k.isupper()})
        _known = known
    return _known


def _describe(default) -> str:
    return json.dumps(default) if isinstance(default, (list, tuple, dict)) else repr(default)


def parse_setting(name: str, text: str, default):
    """``text`` as a value of the type of ``default``; ValueError says why not."""
    def refuse(wanted: str):
        raise ValueError(f"{name} takes {wanted} (its default is {_describe(default)}), not {text!r}")

    if default is None:
        return text
    if isinstance(default, bool):
        lowered = text.strip().lower()
        if lowered in ("1", "true"):
            return True
        if lowered in ("0", "false"):
            return False
        refuse("1, 0, true or false")
    if isinstance(default, int) and not _SECONDS.search(name):
        try:
            return int(text)
        except ValueError:
            refuse("a whole number")
    if isinstance(default, (int, float)):
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            refuse("a number")
        return int(number) if isinstance(default, int) and number.is_integer() else number
    if isinstance(default, (list, tuple)):
        stripped = text.strip()
        if stripped.startswith("["):
            try:
                items = json.loads(stripped)
            except ValueError:
                refuse("a JSON list or comma-separated values")
            if not isinstance(items, list):
                refuse("a JSON list or comma-separated values")
        else:
            items = [item.strip() for item in stripped.split(",")] if stripped else []
        if default and all(isinstance(d, int) and not isinstance(d, bool) for d in default):
            try:
                items = [int(item) for item in items]
            except (TypeError, ValueError):
                refuse("whole numbers separated by commas")
        return items
    if isinstance(default, dict):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            refuse('a JSON object such as {"name": 1}')
        return value
    return text  # str, or a type we do not know: as typed, Scrapy reads it


class Setting(click.ParamType):
    """-s NAME=VALUE: a known setting, and a value of its default's type.
    Converts to (NAME, value)."""

    name = "NAME=VALUE"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        name, equals, text = value.partition("=")
        name = name.strip()
        if not equals or not name:
            self.fail(f"expected NAME=VALUE, not {value!r}", param, ctx)
        if name in OWN_OPTION:
            self.fail(f"set {name} with {OWN_OPTION[name]}, not -s", param, ctx)
        known = known_settings()
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            self.fail(f"{name} is not a Scrapy or archiver setting{hint}", param, ctx)
        try:
            return name, parse_setting(name, text, known[name])
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def db_option(must_exist: bool, default: str = DEFAULT_DB, writer: bool = False):
    return click.option("--db", type=DbPath(must_exist=must_exist, writer=writer),
                        default=default, show_default=True, help="the archive file")
