"""Archive congdoanbackan.org.vn into one SQLite file, and query the archive.

The version below is the package's only one: pyproject.toml reads it, and
`python -m scraper --version` prints it.
"""

__version__ = "0.1.0"
