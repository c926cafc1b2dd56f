"""A finished run judges itself (Spidermon-style): exit status and reason."""
from __future__ import annotations

from dataclasses import dataclass

# Fields every dated article should have; their coverage is judged per run.
REQUIRED_FIELDS = ("title", "published_at", "body_text")
# Fewer re-checks than this say nothing about the site as a whole: a few
# removals on a small night are ordinary editing.
MIN_RECHECKS_JUDGED = 10


@dataclass
class Verdict:
    exit_status: int
    status: str  # ok | failed
    message: str


def judge_run(*, finish_reason: str, pages_fetched: int, articles_seen: int,
              failures: int, coverage: dict[str, float], unparsed_article_pages: int,
              max_failures: int, min_coverage: float, max_unparsed_share: float,
              store_errors: int = 0, pages_parsed: int | None = None,
              removed: int = 0, rechecked: int = 0, max_removed_share: float = 1.0,
              start_failed: bool = False, unaccounted_links: list[str] = (),
              nothing_archived: str | None = None) -> Verdict:
    """`coverage` maps a required field to the share of this run's articles
    that have it. Thresholds come from settings (ARCHIVER_*). `pages_parsed`
    counts 2xx HTML pages read (None: not known). `unaccounted_links` are
    links requested whose end nobody recorded; `nothing_archived` says why
    a run that should have archived articles (a first or --full run) archived
    none."""
    problems = []
    if nothing_archived:
        problems.append(f"no article archived: {nothing_archived}")
    if unaccounted_links:
        problems.append(f"{len(unaccounted_links)} links unaccounted for "
                        f"(requested, never answered nor recorded), e.g. {unaccounted_links[0]}")
    if finish_reason != "finished":
        problems.append(f"crawl ended early ({finish_reason})")
    if pages_fetched == 0:
        problems.append("no page could be fetched")
    elif pages_parsed == 0:
        # Only robots.txt and error answers: the site is down or parked.
        problems.append("no HTML page of the site could be read")
    if start_failed:
        problems.append("the start page failed")
    if unparsed_article_pages and articles_seen == 0:
        problems.append(f"{unparsed_article_pages} pages looked like articles but none was parsed")
    elif unparsed_article_pages > max_unparsed_share * (articles_seen + unparsed_article_pages):
        problems.append(f"{unparsed_article_pages} pages looked like articles but could not be "
                        f"parsed (over {max_unparsed_share:.0%})")
    if store_errors:
        problems.append(f"{store_errors} fetched articles could not be written to the archive")
    if failures > max_failures:
        problems.append(f"{failures} failures, over the budget of {max_failures}")
    if rechecked >= MIN_RECHECKS_JUDGED and removed > max_removed_share * rechecked:
        # Archived pages are kept whatever the site answers; a night on which
        # most of them answer "gone" is the site moving or being replaced
        # (a merged province's portal), and the keepers must hear of it.
        problems.append(f"{removed} of {rechecked} re-checked pages answered gone (over "
                        f"{max_removed_share:.0%}): the site may have moved or changed its addresses")
    for name, share in sorted(coverage.items()):
        if articles_seen and share < min_coverage:
            problems.append(f"field {name} present in {share:.0%} of articles (< {min_coverage:.0%})")
    if problems:
        return Verdict(1, "failed", "; ".join(problems))
    return Verdict(0, "ok", "")
