#!/usr/bin/env bash
# The nightly job: an incremental crawl of the real site into data/archive.db,
# re-checking the last 14 days of articles, logging to data/logs/.
# Exit status is the run's own verdict (0 ok, 1 judged failed, 3 another run
# holds the archive), so cron mail or systemd shows a bad night.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p data/logs
stamp=$(date -u +%Y%m%dT%H%M%SZ)
log="data/logs/crawl-$stamp.log"
make --quiet setup >>"$log" 2>&1 || { echo "set-up failed, see $log" >&2; exit 2; }
# On Sundays, walk every listing page again (articles back-dated or published
# deep in a listing); other nights read only what is new.
walk=()
[ "$(date +%u)" = 7 ] && walk=(--walk)
.venv/bin/python -m scraper crawl --db data/archive.db --revalidate "${REVALIDATE_DAYS:-14}" \
    "${walk[@]}" --log-file "$log" "$@" >>"data/logs/summary.log" 2>&1
status=$?
echo "$stamp exit=$status log=$log" >>data/logs/summary.log
# Keep 60 days of logs.
find data/logs -name 'crawl-*.log' -mtime +60 -delete
exit $status
