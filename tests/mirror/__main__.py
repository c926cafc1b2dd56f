"""Serve the offline mirror: ``python -m tests.mirror [--port 0] [--articles N] [--faults]``.

Prints ``serving http://127.0.0.1:PORT/`` as its first line, then serves until
SIGTERM or SIGINT. Example::

    $ python -m tests.mirror --port 8765 --articles 200
    serving http://127.0.0.1:8765/
"""
from __future__ import annotations

import argparse
import signal
import sys

from .server import MirrorServer
from .site import build_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mirror", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port, 0 = any free port (default)")
    parser.add_argument("--articles", type=int, default=None, metavar="N",
                        help="number of articles (default 60)")
    parser.add_argument("--faults", action="store_true",
                        help="add the faulty URLs of tests/mirror/faults.py")
    args = parser.parse_args(argv)

    server = MirrorServer(build_site(args.articles, faults=args.faults), host=args.host, port=args.port)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"serving {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
