"""The crawl command's "tell the keepers" options: notification URL, when to
notify, dead-man's-switch ping, digest folder (scraper/notify.py does the
work). Each option also reads an environment variable, so that cron lines and
systemd units (``Environment=``/``EnvironmentFile=``) set them once."""
from __future__ import annotations

import click

from scraper.cli_common import HttpUrl


def keeper_options(command):
    """The four options, for `crawl` (cli.py)."""
    for option in reversed((
        click.option("--notify-url", type=HttpUrl(), default=None, metavar="URL",
                     envvar="ARCHIVER_NOTIFY_URL",
                     help="POST the run's JSON summary here when it fails (env ARCHIVER_NOTIFY_URL)"),
        click.option("--notify", "notify_when", type=click.Choice(("failure", "always")),
                     default="failure", show_default=True, envvar="ARCHIVER_NOTIFY",
                     help="when to POST to --notify-url (env ARCHIVER_NOTIFY)"),
        click.option("--ping-url", type=HttpUrl(), default=None, metavar="URL",
                     envvar="ARCHIVER_PING_URL",
                     help="dead-man's switch, healthchecks-style: URL/start, then URL/<exit status> "
                          "(env ARCHIVER_PING_URL)"),
        click.option("--digest-dir", type=click.Path(file_okay=False), default=None,
                     metavar="DIR", envvar="ARCHIVER_DIGEST_DIR",
                     help="write the night's plain-text digest into DIR (deploy/nightly.sh: "
                          "data/logs)"),
    )):
        command = option(command)
    return command


class Keepers:
    """What the crawl command tells, at its start and at its end. Never
    changes the exit status it is handed."""

    def __init__(self, db: str, *, notify_url: str | None, notify_when: str,
                 ping_url: str | None, digest_dir: str | None, recheck_days: float):
        self.db, self.notify_url, self.notify_when = db, notify_url, notify_when
        self.ping_url, self.digest_dir, self.recheck_days = ping_url, digest_dir, recheck_days

    def started(self) -> None:
        if self.ping_url:
            from scraper.notify import ping

            ping(self.ping_url, "start")

    def finished(self, run: dict | None, exit_status: int, reason: str | None = None) -> int:
        from scraper import notify

        text = None
        # Made only for a reader: a digest dir, a notification or a ping.
        if run is not None and (self.digest_dir or self.notify_url or self.ping_url):
            try:
                text = notify.digest(self.db, run, self.recheck_days)
            except Exception as exc:  # noqa: BLE001 - the digest must not change the outcome
                text = f"(the digest could not be made: {type(exc).__name__}: {exc})\n"
            if self.digest_dir:
                try:
                    path = notify.write_digest(text, self.digest_dir, run)
                    print(f"digest: {path}")
                except OSError as exc:
                    click.echo(f"digest not written to {self.digest_dir}: {exc}", err=True)
        if self.notify_url and notify.should_notify(self.notify_when, exit_status):
            notify.notify(self.notify_url, notify.summary(
                run=run, db_path=self.db, exit_status=exit_status, digest_text=text, reason=reason))
        if self.ping_url:
            notify.ping(self.ping_url, exit_status, text or reason or "")
        return exit_status
