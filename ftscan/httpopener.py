"""How ftscan's HTTP client (:mod:`ftscan.http`) opens a URL, on the standard library's
``urllib`` (so proxies set in the environment still work), with two guards it lacks:

- **a deadline per request** that a server cannot stretch. A socket timeout bounds one read, and a
  server that sends a byte every two seconds never trips it; here a timer shuts the request's
  sockets down when its time is up, which ends a read blocked anywhere (the TLS handshake, the
  headers, the body) at once;
- **redirects that keep credentials where they were sent.** ``urllib`` follows a redirect to any
  host with every header, the key included. A client that carries credentials follows a
  redirect only within its origin (scheme, host and port): anything else is refused, not
  followed without the key. The provider APIs ftscan reads never send one elsewhere, so such a
  redirect is a misconfigured proxy or an attack; stripping the headers ftscan knows would
  leave whatever a provider adds later (organisation, project) and send the ids in the path to
  a host nobody chose. A client without credentials (a public feed) follows redirects to
  http(s) URLs.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import IO, Any


class RedirectRefused(Exception):
    """A redirect that would take the request, and its credentials, to another origin."""


class Watchdog:
    """Ends one request at its deadline: once ``seconds`` have passed, every socket the request
    opened is shut down, and :attr:`expired` says why the read that was waiting failed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down at the deadline. A duplicate of it is kept: TLS wraps the socket
        in a new object, and both name the same connection."""
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            if self.expired:
                _shut(duplicate)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def watched(seconds: float) -> Iterator[Watchdog]:
    watchdog = Watchdog(seconds)
    try:
        yield watchdog
    finally:
        watchdog.close()


class Opener:
    """Opens GET requests under a :class:`Watchdog`, following redirects as the module says."""

    def __init__(self, keep_origin: bool) -> None:
        self._director = urllib.request.build_opener(
            _Redirects(keep_origin), _WatchedHTTPHandler(), _WatchedHTTPSHandler())

    def open(self, url: str, headers: dict[str, str], timeout: float,
             watchdog: Watchdog) -> IO[bytes]:
        request = urllib.request.Request(url, headers=headers, method="GET")
        request.watchdog = watchdog  # type: ignore[attr-defined]
        response: IO[bytes] = self._director.open(request, timeout=timeout)
        return response


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port (the scheme's default when none is written)."""
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:  # not a port: an origin no other equals
        port = -1
    return parts.scheme, (parts.hostname or "").lower(), port


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, keep_origin: bool) -> None:
        self.keep_origin = keep_origin

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: Any, newurl: str) -> urllib.request.Request | None:
        fp.close()  # its body is never read (urllib would read all of it, however large)
        scheme, host, port = target = origin(newurl)
        if scheme not in ("http", "https"):
            raise RedirectRefused(f"the server redirects ({code}) to a {scheme} "
                                  "URL: not followed (http and https only)")
        if self.keep_origin and target != origin(req.full_url):
            raise RedirectRefused(f"the server redirects ({code}) to another origin, "
                                  f"{scheme}://{host}:{port}: not followed, a key is sent only "
                                  "where it was given")
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.watchdog = req.watchdog  # type: ignore[attr-defined]
        return new


class _WatchedConnection(http.client.HTTPConnection):
    """A connection whose socket its request's :class:`Watchdog` shuts down at the deadline."""

    watchdog: Watchdog | None = None

    def connect(self) -> None:
        super().connect()
        if self.watchdog is not None:
            self.watchdog.watch(self.sock)


class _WatchedTLSConnection(http.client.HTTPSConnection, _WatchedConnection):
    """HTTPS: the plain socket is watched as soon as it connects (``HTTPSConnection.connect``
    calls :meth:`_WatchedConnection.connect` first), so a dripped TLS handshake is bounded too."""


def _connection(kind: type[http.client.HTTPConnection],
                request: urllib.request.Request) -> Callable[..., http.client.HTTPConnection]:
    def make(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        connection = kind(*args, **kwargs)
        connection.watchdog = getattr(request, "watchdog", None)  # type: ignore[attr-defined]
        return connection
    return make


class _WatchedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_connection(_WatchedConnection, req), req)


class _WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_connection(_WatchedTLSConnection, req), req)
