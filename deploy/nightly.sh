#!/usr/bin/env bash
# The nightly job: an incremental crawl of the real site into data/archive.db,
# re-checking the last 14 days of articles, logging to data/logs/.
# Exit status is the run's own verdict (0 ok, 1 judged failed, 3 another run
# holds the archive), so cron mail or systemd shows a bad night.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p data/logs
# Notification, dead-man's switch and re-check settings (see nightly.env.example);
# systemd reads the same file with EnvironmentFile=.
if [ -f deploy/nightly.env ]; then set -a; . deploy/nightly.env; set +a; fi
recheck=()
[ -n "${ARCHIVER_RECHECK_DAYS:-}" ] && recheck=(-s "ARCHIVER_RECHECK_DAYS=$ARCHIVER_RECHECK_DAYS")
stamp=$(date -u +%Y%m%dT%H%M%SZ)
log="data/logs/crawl-$stamp.log"
make --quiet setup >>"$log" 2>&1 || { echo "set-up failed, see $log" >&2; exit 2; }
# On Sundays, walk every listing page again (articles back-dated or published
# deep in a listing); other nights read only what is new.
walk=()
[ "$(date +%u)" = 7 ] && walk=(--walk)
.venv/bin/python -m scraper crawl --db data/archive.db --revalidate "${REVALIDATE_DAYS:-14}" \
    "${walk[@]}" "${recheck[@]}" --digest-dir data/logs --log-file "$log" "$@" \
    >>"data/logs/summary.log" 2>&1
status=$?
echo "$stamp exit=$status log=$log" >>data/logs/summary.log
if [ "$status" != 0 ]; then
    # On stderr, so that cron mails it (MAILTO) and journald keeps it.
    echo "archiver night $stamp failed (exit $status): see $log" >&2
    tail -n 25 data/logs/summary.log >&2
fi
# Keep 60 days of logs.
find data/logs -name 'crawl-*.log' -mtime +60 -delete
exit $status
