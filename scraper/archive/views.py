"""SQL views for the questions analysts ask first; plain SQL, readable by any client.

They are part of the schema: migration step 4 creates them. Changing one
means adding a migration step that re-creates it (``create(db, names)``);
archives that already passed step 4 never run it again.

Dates are grouped by ``published_date``, the local (GMT+07) date the site
printed. ``date(published_at)`` would be wrong: SQLite converts to UTC first,
so an article published at 00:29 local time lands on the previous day.
"""
from __future__ import annotations

# (field, SQL test that the field is filled), for articles (kind = 'article').
COVERED_FIELDS = [
    ("title", "coalesce(title, '') != ''"),
    ("published_at", "published_at IS NOT NULL"),
    ("author", "coalesce(author, '') != ''"),
    ("source", "coalesce(source, '') != ''"),
    ("author or source", "coalesce(author, source, '') != ''"),
    ("author_line", "coalesce(author_line, '') != ''"),
    ("category", "coalesce(category, '') != ''"),
    ("description", "coalesce(description, '') != ''"),
    ("body_text", "coalesce(body_text, '') != ''"),
    ("images", "image_count > 0"),
    ("attachments", "attachment_count > 0"),
]


def _coverage_sql() -> str:
    # Built from the constant list above, never from input.
    parts = [
        f"SELECT {i} AS position, '{name}' AS field, count(*) AS articles,\n"
        f"       coalesce(sum({test}), 0) AS filled,\n"
        f"       round(100.0 * coalesce(sum({test}), 0) / max(count(*), 1), 1) AS percent\n"
        "FROM articles WHERE kind = 'article'"
        for i, (name, test) in enumerate(COVERED_FIELDS, 1)
    ]
    return "\nUNION ALL\n".join(parts)


VIEWS = {
    "articles_per_month": """
-- Articles per month of their local (GMT+07) publication date.
SELECT substr(published_date, 1, 7) AS month, count(*) AS articles,
       min(published_date) AS first_date, max(published_date) AS last_date
FROM articles
WHERE kind = 'article' AND published_date IS NOT NULL
GROUP BY month ORDER BY month""",
    "articles_per_category": """
-- Articles per category (the site's section), largest first.
SELECT category, count(*) AS articles,
       min(published_date) AS first_date, max(published_date) AS last_date
FROM articles
WHERE kind = 'article'
GROUP BY category ORDER BY articles DESC, category""",
    "articles_per_author": """
-- Articles per named author, largest first. Co-authors ("A, B") count for
-- each of them; NULL: no author named (a source instead, or no byline).
WITH RECURSIVE names(article_url, author, rest, published_date) AS (
  SELECT url, NULL, author || ', ', published_date FROM articles WHERE kind = 'article'
  UNION ALL
  SELECT article_url, substr(rest, 1, instr(rest, ', ') - 1),
         substr(rest, instr(rest, ', ') + 2), published_date
  FROM names WHERE rest <> '' AND rest IS NOT NULL
)
SELECT author, count(DISTINCT article_url) AS articles,
       min(published_date) AS first_date, max(published_date) AS last_date
FROM (SELECT article_url, author, published_date FROM names WHERE author IS NOT NULL
      UNION ALL
      SELECT url, NULL, published_date FROM articles WHERE kind = 'article' AND author IS NULL)
GROUP BY author ORDER BY articles DESC, author""",
    "field_coverage": "\n-- Share of articles in which each field was found.\n" + _coverage_sql(),
}


def create_sql(name: str) -> str:
    return f"CREATE VIEW {name} AS{VIEWS[name]}"


def create(db, names=None) -> None:
    """(Re)create the views ``names`` (all by default) from their definitions."""
    for name in names or VIEWS:
        if name not in VIEWS:
            raise KeyError(f"no view named {name!r}")
        db.execute(f"DROP VIEW IF EXISTS {name}")
        db.execute(create_sql(name))
