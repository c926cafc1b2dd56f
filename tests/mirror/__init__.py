"""A bundled offline mirror of congdoanbackan.org.vn, served on 127.0.0.1.

The real site cannot be reached from our machines, so the crawler is tested
against this imitation of the vendor CMS (see docs/SITE_NOTES.md): the seed
article verbatim, generated articles in three layouts, category listings,
and the crawler traps of such sites. ``/__mirror/manifest.json`` gives the
expected extraction of every article: the test oracle.

    from tests.mirror import MirrorServer, build_site
    with MirrorServer(build_site(60)) as srv:
        print(srv.url)

or ``python -m tests.mirror --port 0`` from the repository root.

It is a test tool and lives with the tests, not in the product package: it
imports nothing from ``scraper``, so it imitates the site without borrowing
the crawler's own idea of it. Modules import one way only:
content <- model <- faults <- site <- server.
"""
from .site import Site, build_site, slugify
from .server import MirrorServer

__all__ = ["MirrorServer", "Site", "build_site", "slugify"]
