"""Where every link seen in a run ended: nothing may be dropped silently.

The spider records each distinct link (keyed as `spider._key` spells it) the
first time it sees it, and then exactly one outcome: fetched and archived,
read as a listing, already held, failed (the `failures` table has it), or
skipped by a named rule. A link scheduled for fetching stays *pending* until
its response or its error comes back; any link still pending when the crawl
closes is *unaccounted for*, and the run's verdict fails on it.

The ledger is plain data: the spider fills it, `scraper.run` reads it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# Outcomes of a fetched link.
ARCHIVED = "archived"  # stored as an article or a static page
LISTING = "listing"  # read; a listing or other page with nothing to archive
NOT_MODIFIED = "not_modified"  # a revalidation answered 304
FAILED = "failed"  # recorded in `failures`
# Links not fetched, each for a named reason.
HELD = "held"  # already archived by an earlier run
FETCHED_BEFORE = "fetched_before"  # incremental run: read by an earlier run, nothing new expected
LISTING_NO_NEWS = "listing_no_news"  # incremental run: the pager stops where a page holds nothing new
OFF_SITE = "off_site"  # another host
NOT_A_PAGE = "not_a_page"  # a file (image, document, feed) or a response that is not HTML
ALTERNATE_VIEW = "alternate_view"  # a print view or tracking variant of a page fetched instead
NOT_HTTP = "not_http"  # mailto:, javascript:, tel:, …
ROBOTS = "robots"  # disallowed by robots.txt (or another Scrapy filter, named in the log)
REPEAT = "repeat"  # only on a page that repeats one already read (a pager past its end)
BARREN_CHAIN = "barren_chain"  # a trap: a chain of pages bringing nothing new was cut
DUPLICATE = "duplicate"  # Scrapy's duplicate filter dropped it (a redirect to a page already read)

FETCHED = (ARCHIVED, LISTING, NOT_MODIFIED)
SKIP_RULES = (HELD, FETCHED_BEFORE, LISTING_NO_NEWS, OFF_SITE, NOT_A_PAGE, ALTERNATE_VIEW,
              NOT_HTTP, ROBOTS, REPEAT, BARREN_CHAIN, DUPLICATE)
PENDING = None


@dataclass
class LinkLedger:
    outcomes: dict[str, str | None] = field(default_factory=dict)  # key -> outcome (None: pending)
    off_site_hosts: Counter = field(default_factory=Counter)  # where off-site links point

    def __len__(self) -> int:
        return len(self.outcomes)

    def skip(self, key: str, rule: str, host: str | None = None) -> None:
        """`key` is not fetched, for `rule`; the first decision about a link stands."""
        if key not in self.outcomes:
            self.outcomes[key] = rule
            if rule == OFF_SITE and host:
                self.off_site_hosts[host] += 1

    def schedule(self, key: str) -> None:
        """`key` is requested; it stays pending until `resolve`. A link first
        skipped (not news on one page) and later scheduled is then fetched."""
        if self.outcomes.get(key) not in FETCHED + (FAILED,):
            self.outcomes[key] = PENDING

    def resolve(self, key: str, outcome: str) -> None:
        """What became of a requested link (requests that no link led to,
        such as a page's photos, are not the ledger's)."""
        if key in self.outcomes and self.outcomes[key] is PENDING:
            self.outcomes[key] = outcome

    def unaccounted(self) -> list[str]:
        return sorted(k for k, v in self.outcomes.items() if v is PENDING)

    def counts(self) -> dict[str, int]:
        """Links per outcome, 'unaccounted' included when any."""
        counts = Counter("unaccounted" if v is PENDING else v for v in self.outcomes.values())
        return dict(sorted(counts.items()))

    def why_nothing_archived(self, site_host: str) -> str:
        """A sentence for a full run that archived no article."""
        counts = self.counts()
        if self.off_site_hosts and self.off_site_hosts.most_common(1)[0][1] >= max(
                1, counts.get(ARCHIVED, 0) + counts.get(LISTING, 0)):
            host, n = self.off_site_hosts.most_common(1)[0]
            return (f"the site's links name {host} ({n} links), the crawl started at {site_host}: "
                    f"start from --base-url on {host}")
        if counts.get(ROBOTS):
            return f"robots.txt disallowed {counts[ROBOTS]} of the {len(self)} links seen"
        if len(self) <= 1:
            return "the start page led nowhere"
        return f"none of the {len(self)} links seen was an article ({_summary(counts)})"


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
