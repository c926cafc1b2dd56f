"""A finished run judges itself (Spidermon-style): exit status and reason."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Verdict:
    exit_status: int
    status: str  # ok | failed
    message: str


def judge_run(*, finish_reason: str, pages_fetched: int, articles_seen: int,
              failures: int, coverage: dict[str, float], article_like_pages: int,
              max_failures: int, min_coverage: float) -> Verdict:
    """`coverage` maps a required field to the share of this run's articles
    that have it. Thresholds come from settings (ARCHIVER_*)."""
    problems = []
    if finish_reason != "finished":
        problems.append(f"crawl ended early ({finish_reason})")
    if pages_fetched == 0:
        problems.append("no page could be fetched")
    if article_like_pages and articles_seen == 0:
        problems.append(f"{article_like_pages} pages looked like articles but none was parsed")
    if failures > max_failures:
        problems.append(f"{failures} failures, over the budget of {max_failures}")
    for name, share in sorted(coverage.items()):
        if articles_seen and share < min_coverage:
            problems.append(f"field {name} present in {share:.0%} of articles (< {min_coverage:.0%})")
    if problems:
        return Verdict(1, "failed", "; ".join(problems))
    return Verdict(0, "ok", "")
