"""The analysts' side of the archive: search, exports, views, Datasette, report."""
