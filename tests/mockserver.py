"""A local HTTP server for tests, the demo and benchmarks.

Modelled on Scrapy's own test ``mockserver``: a real server on 127.0.0.1 with a
free port, serving recorded files from ``tests/fixtures`` (or any directory)
with the right content types.  Routes map a request path (optionally with its
query string) to a :class:`Route` or a callable for dynamic behaviour (rate
limits, redirects, pagination).

    with MockServer({"/v1/boards/gitlab/jobs": Route.file("boards/greenhouse/x.json")}) as srv:
        srv.url("/v1/boards/gitlab/jobs")
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"

CONTENT_TYPES = {
    ".json": "application/json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def file(cls, relpath: str | Path, status: int = 200, root: Path = FIXTURES, **headers: str) -> Route:
        path = root / relpath
        ctype = (
            CONTENT_TYPES.get(path.suffix.lower())
            or mimetypes.guess_type(path.name)[0]
            or "application/octet-stream"
        )
        return cls(status=status, body=path.read_bytes(), headers={"Content-Type": ctype, **headers})

    @classmethod
    def text(
        cls, text: str, status: int = 200, content_type: str = "text/html; charset=utf-8", **headers: str
    ) -> Route:
        return cls(
            status=status, body=text.encode("utf-8"), headers={"Content-Type": content_type, **headers}
        )


Handler = Callable[["Request"], Route]


@dataclass
class Request:
    method: str
    path: str  # without the query string
    query: str
    headers: Mapping[str, str]
    body: bytes


class MockServer:
    """Threaded HTTP server on 127.0.0.1; ``requests`` records every request seen."""

    def __init__(
        self, routes: Mapping[str, Route | Handler] | None = None, default: Route | Handler | None = None
    ):
        self.routes: dict[str, Route | Handler] = dict(routes or {})
        self.default = default
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------
    def start(self) -> MockServer:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(
                    self.command, parts.path, parts.query, dict(self.headers.items()), self.rfile.read(length)
                )
                with server._lock:
                    server.requests.append(req)
                route = server.resolve(req)
                if route is None:
                    route = Route.text("not found", status=404, content_type="text/plain")
                self.send_response(route.status)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(route.body)

            do_GET = _serve
            do_POST = _serve
            do_HEAD = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routing --------------------------------------------------------------------
    def resolve(self, req: Request) -> Route | None:
        target = self.routes.get(f"{req.path}?{req.query}") if req.query else None
        if target is None:
            target = self.routes.get(req.path, self.default)
        if target is None:
            return None
        return target(req) if callable(target) else target

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path + (f"?{r.query}" if r.query else "") for r in self.requests]
