"""A small HTTP forward proxy for tests: 127.0.0.1, a free port, absolute-form requests
(``GET http://host:port/path HTTP/1.1``; no ``CONNECT``: the targets are plain http).

Each proxy counts what it received and what it forwarded (with the ``X-Proxy`` header it adds, so
the target knows which exit a request came through) and can misbehave:

* ``mode="ok"``: forwards every request;
* ``mode="429"``: answers ``429 Too Many Requests`` itself (a banned exit);
* ``mode="drop"``: closes the connection without an answer;
* ``mode="authwall"``: redirects to ``/authwall`` (what LinkedIn does to a flagged IP);
* ``ok_first=N``: forwards the first ``N`` requests, then behaves as ``mode``;
* ``bad_first=N``: behaves as ``mode`` for the first ``N`` requests, then forwards;
* ``credentials="user:secret"``: requires that ``Proxy-Authorization`` (``407`` otherwise).

``upstream=(host, port)`` sends every request there whatever host the URL names (so a test can
use a name that only the proxies know, proving that no request went around them).

``refused_port()`` is a port nothing listens on (connection refused: a dead exit).
"""

from __future__ import annotations

import base64
import http.client
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


@dataclass
class Forwarded:
    at: float  # time.monotonic()
    method: str
    url: str  # absolute URL as received
    status: int  # the target's answer


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ForwardProxy:
    def __init__(
        self,
        name: str,
        mode: str = "ok",
        ok_first: int = 0,
        bad_first: int = 0,
        credentials: str | None = None,
        upstream: tuple[str, int] | None = None,
        retry_after: str | None = None,
    ) -> None:
        assert mode in ("ok", "429", "drop", "authwall")
        self.name = name
        self.mode = mode
        self.ok_first = ok_first
        self.bad_first = bad_first
        self.credentials = credentials
        self.upstream = upstream
        self.retry_after = retry_after
        self.received = 0
        self.forwarded: list[Forwarded] = []
        self.auth_headers: list[str | None] = []
        self.lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self.port = 0  # set by start()

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> ForwardProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle_one(self) -> None:
                proxy.handle(self)

            do_GET = do_POST = do_HEAD = handle_one

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ForwardProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, credentials: str | None = None) -> str:
        creds = credentials if credentials is not None else self.credentials
        return f"http://{creds + '@' if creds else ''}127.0.0.1:{self.port}"

    @property
    def forwarded_paths(self) -> list[str]:
        with self.lock:
            return [urlsplit(f.url).path for f in self.forwarded]

    # -- one request -------------------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else None
        with self.lock:
            self.received += 1
            n = self.received
            self.auth_headers.append(h.headers.get("Proxy-Authorization"))
        if self.credentials is not None:
            expected = "Basic " + base64.b64encode(self.credentials.encode()).decode()
            if h.headers.get("Proxy-Authorization") != expected:
                self._answer(h, 407, b"proxy authentication required", {"Proxy-Authenticate": "Basic"})
                return
        mode = "ok" if n <= self.ok_first or (self.bad_first and n > self.bad_first) else self.mode
        if mode == "drop":
            h.close_connection = True
            return
        if mode == "authwall":
            self._answer(h, 302, b"", {"Location": "/authwall?trk=guest&sessionRedirect=x"})
            return
        if mode == "429":
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            self._answer(h, 429, b"too many requests (proxy exit banned)", headers)
            return
        target = urlsplit(h.path)
        host, port = self.upstream or (target.hostname or "", target.port or 80)
        headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Proxy"] = self.name
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            path = target.path + (f"?{target.query}" if target.query else "")
            conn.request(h.command, path or "/", body=body, headers=headers)
            upstream = conn.getresponse()
            data = upstream.read()
            reply = {k: v for k, v in upstream.getheaders() if k.lower() not in HOP_BY_HOP}
            status = upstream.status
        finally:
            conn.close()
        with self.lock:
            self.forwarded.append(Forwarded(time.monotonic(), h.command, h.path, status))
        self._answer(h, status, data, reply, head=h.command == "HEAD")

    @staticmethod
    def _answer(
        h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str], head: bool = False
    ) -> None:
        h.send_response(status)
        for key, value in headers.items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if not head:
            h.wfile.write(body)
