#!/usr/bin/env bash
# Run by systemd when the nightly unit fails (OnFailure=, see
# congdoanbackan-archiver-alert@.service): the job may have died before the
# crawl could notify (set-up failed, killed, timed out). Sends a short JSON
# alert to ARCHIVER_NOTIFY_URL and pings ARCHIVER_PING_URL/fail; both are
# read from deploy/nightly.env. A judged-failed night (exit 1) has already
# posted its full summary: this second, shorter alert says the unit failed.
cd "$(dirname "$0")/.."
.venv/bin/python -m scraper.notify unit-failed "${1:-congdoanbackan-archiver.service}" \
    || logger -t congdoanbackan-archiver "unit ${1:-?} failed and the alert could not be sent"
exit 0
