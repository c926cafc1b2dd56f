"""A bundled offline mirror of congdoanbackan.org.vn, served on 127.0.0.1.

The real site cannot be reached from our machines, so the crawler is tested
against this imitation of the vendor CMS (see docs/SITE_NOTES.md): the seed
article verbatim, generated articles in three layouts, category listings,
and the crawler traps of such sites. ``/__mirror/manifest.json`` gives the
expected extraction of every article: the test oracle.

    from scraper.mirror import MirrorServer, build_site
    with MirrorServer(build_site(60)) as srv:
        print(srv.url)

or ``python -m scraper.mirror --port 0``.
"""
from .site import Site, build_site, slugify
from .server import MirrorServer

__all__ = ["MirrorServer", "Site", "build_site", "slugify"]
