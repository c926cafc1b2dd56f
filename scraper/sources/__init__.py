"""Other sources of the site's pages than the live site: web archives
(the Internet Archive's Wayback Machine, pywb-based archives), read through
their CDX and raw-replay APIs (`cdx`), with replay artefacts undone
(`replay`). The navigation over them is spiders/wayback.py."""
