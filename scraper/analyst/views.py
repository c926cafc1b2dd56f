"""The analysts' views, as analyst code sees them.

The views are schema, so their SQL lives in storage (scraper.archive.views)
and migrations create them; this module only re-exports the definitions for
the report, Datasette metadata and tests.
"""
from __future__ import annotations

from scraper.archive.views import COVERED_FIELDS, VIEWS, create_sql  # noqa: F401 (re-exported)
