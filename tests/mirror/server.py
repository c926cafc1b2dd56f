"""A threaded stdlib HTTP server for a mirror ``Site`` on 127.0.0.1.

``MirrorServer(site).start()`` serves in a background thread; ``.url`` is
``http://127.0.0.1:PORT/``. Control and introspection live under
``/__mirror/`` and are not counted in the request statistics:

- ``GET  /__mirror/stats``            {"total": n, "by_path": {path+query: count}}
- ``POST /__mirror/reset-stats``
- ``POST /__mirror/publish?n=3``      publish n new (newest) articles
  (``&unlisted=1``: linked from no page, named only by the sitemap and the feed)
- ``POST /__mirror/edit?url=<path>``  append a sentence to an article
- ``POST /__mirror/remove?url=<path>[&status=302|404|410]``  take an article down
- ``POST /__mirror/restore?url=<path>``  put a removed article back
- ``GET  /__mirror/manifest.json``    the expected extraction of every article
- ``GET  /__mirror/fault-log``        with faults on: request times per faulty path
"""
from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .content import ORIGIN_MARK
from .site import Site, conditional

CONTROL_PREFIX = "/__mirror/"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache/2.4.41"
    sys_version = ""
    mirror: "MirrorServer"  # set on the per-server subclass

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def version_string(self) -> str:
        return self.server_version

    # ------------------------------------------------------------ helpers

    def _send(self, status: int, body: bytes, ctype: str | None, headers: dict | None = None,
              head: bool = False) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def _json(self, status: int, obj) -> None:
        body = json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    # ------------------------------------------------------------ verbs

    def do_GET(self):
        self._get(head=False)

    def do_HEAD(self):
        self._get(head=True)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path.startswith(CONTROL_PREFIX):
            return self._control("POST")
        self.mirror.count(self.path)
        self._send(405, b"Method Not Allowed", "text/plain", {"Allow": "GET, HEAD"})

    def _get(self, head: bool) -> None:
        if self.path.startswith(CONTROL_PREFIX):
            return self._control("GET")
        self.mirror.count(self.path)
        site, origin = self.mirror.site, self.mirror.origin
        if site.fault_set is not None and site.fault_set.serve(self, head):
            return
        resp = site.respond(self.path)
        headers = {k: v.replace(ORIGIN_MARK, origin) for k, v in resp.headers.items()}
        if resp.article is not None:
            headers["ETag"] = resp.article.etag()
            headers["Last-Modified"] = format_datetime(resp.article.modified, usegmt=True)
            if conditional(resp, self.headers):
                return self._send(304, b"", None, headers, head=True)
        body = resp.body
        if isinstance(body, str):
            body = body.replace(ORIGIN_MARK, origin).encode("utf-8")
        self._send(resp.status, body, resp.content_type if body or resp.status != 302 else None,
                   headers, head=head)

    def _control(self, method: str) -> None:
        parts = urlsplit(self.path)
        name = parts.path[len(CONTROL_PREFIX):]
        query = parse_qs(parts.query)
        m = self.mirror
        if method == "GET" and name == "stats":
            return self._json(200, m.stats())
        if method == "GET" and name == "fault-log" and m.site.fault_set is not None:
            return self._json(200, m.site.fault_set.log())
        if method == "GET" and name == "manifest.json":
            return self._json(200, m.site.manifest(m.origin))
        if method == "POST" and name == "reset-stats":
            m.reset_stats()
            return self._json(200, m.stats())
        if method == "POST" and name == "publish":
            try:
                n = int(query.get("n", ["1"])[0])
            except ValueError:
                return self._json(400, {"error": "n must be an integer"})
            unlisted = query.get("unlisted", ["0"])[0] == "1"
            new = (m.site.publish_unlisted if unlisted else m.site.publish)(max(0, n))
            return self._json(200, {"published": [m.site.manifest_entry(a, m.origin) for a in new]})
        if method == "POST" and name == "edit":
            target = query.get("url", [""])[0]
            art = m.site.edit(target)
            if art is None:
                return self._json(404, {"error": f"no article at {target!r}"})
            return self._json(200, {"edited": m.site.manifest_entry(art, m.origin)})
        if method == "POST" and name in ("remove", "restore"):
            target = query.get("url", [""])[0]
            status = query.get("status", ["302"])[0]
            if status not in ("302", "404", "410"):
                return self._json(400, {"error": "status must be 302, 404 or 410"})
            art = m.site.remove(target, int(status)) if name == "remove" else m.site.restore(target)
            if art is None:
                return self._json(404, {"error": f"no article to {name} at {target!r}"})
            return self._json(200, {name + "d": m.site.manifest_entry(art, m.origin)})
        self._json(404, {"error": f"unknown control endpoint {method} {parts.path}"})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A crawler that drops a connection mid-response is not an error here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class MirrorServer:
    """Serve ``site`` on ``host:port`` (port 0 = any free port) in a thread.

    >>> with MirrorServer(build_site()) as srv:
    ...     urllib.request.urlopen(srv.url + "robots.txt")
    """

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0):
        self.site = site
        handler = type("Handler", (_Handler,), {"mirror": self})
        self.httpd = _HTTPServer((host, port), handler)
        self.host, self.port = self.httpd.server_address[:2]
        self._thread: threading.Thread | None = None
        self._stats_lock = threading.Lock()
        self._by_path: Counter = Counter()

    @property
    def faults(self) -> bool:
        return self.site.faults

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + "/"

    # stats ---------------------------------------------------------------

    def count(self, path: str) -> None:
        with self._stats_lock:
            self._by_path[path] += 1

    def stats(self) -> dict:
        with self._stats_lock:
            return {"total": sum(self._by_path.values()), "by_path": dict(self._by_path)}

    def reset_stats(self) -> None:
        with self._stats_lock:
            self._by_path.clear()

    # lifecycle -------------------------------------------------------------

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> "MirrorServer":
        self._thread = threading.Thread(target=self.serve_forever, name="mirror-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> "MirrorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
