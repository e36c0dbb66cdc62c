"""The only network client in ftscan, used only by the commands that exist to call a provider
(``ftscan reconcile``, ``ftscan recipes export``, ``ftscan lifecycle update --from URL``) and
only when asked. A scan never touches the network.

A small, careful client on the standard library, bounded in every direction a server could
stretch it:

- **time**: a timeout on every socket operation, a deadline on every request however slowly the
  server drips its answer, and one :class:`Deadline` per command: no request starts and no
  retry waits past it;
- **retries** with exponential backoff on 429 and 5xx answers, honouring ``Retry-After`` up to
  :data:`MAX_RETRY_WAIT` (a server that asks for longer gets a one-line error, not a sleep);
- **memory**: a JSON answer is read up to :data:`JSON_LIMIT` bytes and parsed only when it holds
  at most :data:`JSON_VALUES` values (a few bytes of JSON make a Python object of a hundred);
  downloads are streamed to disk up to :data:`MAX_BODY`;
- **credentials** travel only in headers, only to the origin they were given for (redirects
  elsewhere are refused, :mod:`ftscan.httpopener`), and are never part of a message.

Errors say in one line what went wrong and what to do (a 401 names the key, a 403 the role).
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import time
import urllib.error
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ftscan import __version__
from ftscan.httpopener import Opener, RedirectRefused, watched

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
"""Seconds one socket operation (connect, one read) may take."""
REQUEST_TIMEOUTS = 4
"""One API request, from connecting to the last byte of its answer, may take this many socket
timeouts in all (two minutes by default)."""
DOWNLOAD_SECONDS = 3600.0
"""Seconds one file download may take (a training file can be hundreds of megabytes)."""
COMMAND_SECONDS = 1800.0
"""The :class:`Deadline` of a client whose command gives it none."""
MAX_BODY = 256 * 1024 * 1024
"""No download is read past this many bytes (a training file can be large)."""
JSON_LIMIT = 16 * 1024 * 1024
"""No JSON answer is read past this many bytes (a page of 100 jobs is about 100 KB)."""
JSON_VALUES = 500_000
"""Nor parsed when it holds more values than this: 16 MB of ``[{},{},...`` are 5.6 million
dicts, 400 MB of memory; this many cost at most about 60 MB."""
MAX_RETRY_WAIT = 60.0
"""The longest ftscan waits before a retry, whatever ``Retry-After`` says."""
_RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


class HttpError(Exception):
    """A request that failed for good; the message is one line for the user."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _LocalError(Exception):
    """Writing a download failed on this machine (not a network error: never retried)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _Retry(Exception):
    """An attempt that failed in a way worth retrying: ``error`` if it is the last one."""

    def __init__(self, error: HttpError, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait
        """The server's ``Retry-After``, in seconds, if it gave one."""


@dataclass
class Deadline:
    """The time one command has for all its requests, shared by its clients."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    ends: float = field(init=False)

    def __post_init__(self) -> None:
        self.ends = self.clock() + self.seconds

    def remaining(self) -> float:
        return self.ends - self.clock()


@dataclass
class Client:
    """Requests to one service, with its credentials in headers."""

    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    """The credentials; a client that has any follows redirects only within its origin."""
    timeout: float = DEFAULT_TIMEOUT
    retries: int = 4
    backoff: float = 1.0
    """Seconds before the first retry; doubled each time (unless the server says when)."""
    sleep: Callable[[float], None] = time.sleep
    credential_hint: str = "the API key"
    """What to check on a 401 (``OPENAI_API_KEY``, ...)."""
    requests: int = 0
    """Requests sent, retries included (for progress and tests)."""
    bytes_read: int = 0
    """Bytes of JSON answers read (a listing bounds its total)."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """Query parameters every request carries (Azure's ``api-version``)."""
    deadline: Deadline = field(default_factory=lambda: Deadline(COMMAND_SECONDS))
    _opener: Opener = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._opener = Opener(keep_origin=bool(self.headers))

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        query = ""
        params = {**self.params, **(params or {})}
        if params:
            pairs = [(k, v) for k, value in params.items() if value is not None
                     for v in (value if isinstance(value, (list, tuple)) else [value])]
            query = "?" + urllib.parse.urlencode(pairs)
        return self.base_url.rstrip("/") + "/" + path.lstrip("/") + query

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a JSON document, retrying what is worth retrying."""

        def read(response: Any) -> bytes:
            data = bytearray()
            while len(data) <= JSON_LIMIT and (chunk := response.read(1 << 20)):
                data += chunk
            if len(data) > JSON_LIMIT:
                raise HttpError(f"GET {path}: the answer is over {JSON_LIMIT} bytes")
            _check_length(response, len(data))
            return bytes(data)

        body = self._with_retries(path, params, REQUEST_TIMEOUTS * self.timeout, read)
        self.bytes_read += len(body)
        if body.count(b",") + body.count(b"[") + body.count(b"{") > JSON_VALUES:
            raise HttpError(f"GET {path}: the answer holds over {JSON_VALUES} values")
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise HttpError(f"GET {path}: the answer is not JSON") from None

    def download(self, path: str, target: Path, limit: int = MAX_BODY) -> int:
        """GET ``path`` into ``target`` in pieces, never holding it whole: written to
        ``target.part`` and renamed into place once complete, so an interrupted download never
        leaves a file that looks finished. Returns the number of bytes."""
        partial = target.with_name(target.name + ".part")

        def save(response: Any) -> int:
            size = 0
            try:
                out = partial.open("wb")
            except OSError as exc:
                raise _LocalError(exc) from None
            with out:
                while chunk := response.read(1 << 20):
                    size += len(chunk)
                    if size > limit:
                        raise HttpError(f"GET {path}: the answer is over {limit} bytes")
                    try:
                        out.write(chunk)
                    except OSError as exc:
                        raise _LocalError(exc) from None
                out.flush()
                os.fsync(out.fileno())
            _check_length(response, size)
            return size

        try:
            size = self._with_retries(path, None, DOWNLOAD_SECONDS, save)
        except _LocalError as exc:
            partial.unlink(missing_ok=True)
            raise HttpError(f"cannot write {target}: {exc.error.strerror or exc.error}") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, target)
        return size

    def _with_retries(self, path: str, params: Mapping[str, Any] | None, seconds: float,
                      consume: Callable[[Any], T]) -> T:
        """Send a GET and hand the answer to ``consume`` within ``seconds`` (and the command's
        deadline); retry on 429/5xx (honouring ``Retry-After``) and on a connection that fails
        or drops, with a doubling delay."""
        url = self.url(path, params)
        headers = {"User-Agent": f"ftscan/{__version__}", **self.headers}
        delay = self.backoff
        for attempt in range(self.retries + 1):
            left = self.deadline.remaining()
            if left <= 0:
                raise HttpError(f"GET {path}: not sent, the command's time limit "
                                f"({self.deadline.seconds:g} s) is spent")
            self.requests += 1
            try:
                return self._attempt(url, headers, min(seconds, left), path, consume)
            except _Retry as retry:
                if attempt == self.retries:
                    raise HttpError(f"{retry.error} ({attempt + 1} attempts)",
                                    retry.error.status) from None
                if retry.wait is not None and retry.wait > MAX_RETRY_WAIT:
                    raise HttpError(f"{retry.error}; the server asks to wait {retry.wait:g} s "
                                    "before trying again: try later", retry.error.status) \
                        from None
                wait = min(delay, MAX_RETRY_WAIT) if retry.wait is None else retry.wait
                if wait >= self.deadline.remaining():
                    raise HttpError(f"{retry.error}; no time is left to retry within the "
                                    f"command's time limit ({self.deadline.seconds:g} s)",
                                    retry.error.status) from None
                self.sleep(wait)
                delay *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(self, url: str, headers: dict[str, str], seconds: float, path: str,
                 consume: Callable[[Any], T]) -> T:
        """One request, ended at ``seconds`` whatever the server does."""
        late = f"GET {path}: no complete answer within {round(seconds, 1):g} s"
        with watched(seconds) as watchdog:
            try:
                with self._opener.open(url, headers, min(self.timeout, seconds),
                                       watchdog) as response:
                    result = consume(response)
            except RedirectRefused as exc:
                raise HttpError(f"GET {path}: {exc}") from None
            except urllib.error.HTTPError as exc:
                with exc:  # its connection is closed however this ends
                    if watchdog.expired:
                        raise HttpError(late) from None
                    error = HttpError(self._explain(exc.code, path, exc), exc.code)
                    if exc.code in _RETRY_STATUSES:
                        raise _Retry(error, _retry_after(exc.headers.get("Retry-After"))) \
                            from None
                    raise error from None
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                if watchdog.expired:
                    raise HttpError(late) from None
                if isinstance(exc, http.client.HTTPException):
                    raise _Retry(HttpError(f"GET {path}: the connection to {self.base_url} "
                                           "dropped mid-answer")) from None
                reason = getattr(exc, "reason", exc)
                raise _Retry(HttpError(f"GET {path}: cannot reach {self.base_url}: {reason}")) \
                    from None
            if watchdog.expired:  # an answer without a length, cut at the deadline
                raise HttpError(late)
            return result

    def _explain(self, status: int, path: str, exc: urllib.error.HTTPError) -> str:
        detail = _error_detail(exc)
        if status == 401:
            return (f"GET {path}: 401 unauthorized: check {self.credential_hint}"
                    + (f" ({detail})" if detail else ""))
        if status == 403:
            return (f"GET {path}: 403 forbidden: the key lacks the permission (role) for this"
                    + (f" ({detail})" if detail else ""))
        if status == 404:
            return f"GET {path}: 404 not found" + (f" ({detail})" if detail else "")
        return f"GET {path}: HTTP {status}" + (f" ({detail})" if detail else "")


def _check_length(response: Any, size: int) -> None:
    """A body shorter than its ``Content-Length`` is a connection that dropped (``read(n)``
    returns what came without saying so): raised so the request is retried."""
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) != size:
        raise http.client.IncompleteRead(b"", int(declared) - size)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait, from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The provider's own error message, short, if the body has one."""
    try:
        body = json.loads(exc.read(64 * 1024) or b"{}")
    except (ValueError, OSError, RecursionError):
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return str(message)[:200] if message else ""
