"""CLI subcommands for analysts; `register` adds them to `python -m scraper`."""
from __future__ import annotations


def register(sub) -> None:
    """Add the analyst subcommands to the argparse sub-parsers `sub`."""
