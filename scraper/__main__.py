"""`python -m scraper …`: the same command line as `congdoanbackan-archiver`."""
from scraper.cli import cli

cli()
