"""Counts field coverage of each archived article, for the run's verdict."""
from __future__ import annotations

from scraper.items import FetchedArticle

REQUIRED_FIELDS = ("title", "published_at", "body_text")


class ValidatePipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if isinstance(item, FetchedArticle) and item.article.kind == "article":
            self.stats.inc_value("archiver/articles_checked")
            for name in REQUIRED_FIELDS:
                if getattr(item.article, name):
                    self.stats.inc_value(f"archiver/coverage/{name}")
        return item
