"""The only network client in ftscan, used only by the commands that exist to call a provider
(``ftscan reconcile``, ``ftscan recipes export``, ``ftscan lifecycle update --from URL``) and
only when asked. A scan never touches the network.

A small, careful client on the standard library: a timeout on every request, retries with
exponential backoff on 429 and 5xx answers (honouring ``Retry-After``), a size limit on every
body, and errors that say in one line what went wrong and what to do (a 401 names the key, a
403 the role). Credentials travel only in headers and are never part of a message.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ftscan import __version__

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
MAX_BODY = 256 * 1024 * 1024
"""No answer is read past this many bytes (a training file can be large; nothing else is)."""
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


@dataclass
class Client:
    """Requests to one service, with its credentials in headers."""

    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    retries: int = 4
    backoff: float = 1.0
    """Seconds before the first retry; doubled each time (unless the server says when)."""
    sleep: Callable[[float], None] = time.sleep
    credential_hint: str = "the API key"
    """What to check on a 401 (``OPENAI_API_KEY``, ...)."""
    requests: int = 0
    """Requests sent, retries included (for progress and tests)."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """Query parameters every request carries (Azure's ``api-version``)."""

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        query = ""
        params = {**self.params, **(params or {})}
        if params:
            pairs = [(k, v) for k, value in params.items() if value is not None
                     for v in (value if isinstance(value, (list, tuple)) else [value])]
            query = "?" + urllib.parse.urlencode(pairs)
        return self.base_url.rstrip("/") + "/" + path.lstrip("/") + query

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a JSON document."""
        body = self.get(path, params)
        try:
            return json.loads(body)
        except ValueError:
            raise HttpError(f"GET {path}: the answer is not JSON") from None

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> bytes:
        """GET the body of ``path``, retrying what is worth retrying."""
        return self._with_retries(path, params, lambda response: _read(response, path))

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
            size = self._with_retries(path, None, save)
        except _LocalError as exc:
            partial.unlink(missing_ok=True)
            raise HttpError(f"cannot write {target}: {exc.error.strerror or exc.error}") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, target)
        return size

    def _with_retries(self, path: str, params: Mapping[str, Any] | None,
                      consume: Callable[[Any], T]) -> T:
        """Send a GET and hand the answer to ``consume``; retry on 429/5xx (honouring
        ``Retry-After``) and on a connection that fails or drops, with a doubling delay."""
        url = self.url(path, params)
        headers = {"User-Agent": f"ftscan/{__version__}", **self.headers}
        delay = self.backoff
        for attempt in range(self.retries + 1):
            self.requests += 1
            request = urllib.request.Request(url, headers=headers, method="GET")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return consume(response)
            except urllib.error.HTTPError as exc:
                with exc:  # its connection is closed however this ends
                    status = exc.code
                    if status in _RETRY_STATUSES and attempt < self.retries:
                        wait = _retry_after(exc.headers.get("Retry-After")) or delay
                        self.sleep(min(wait, 120.0))
                        delay *= 2
                        continue
                    raise HttpError(self._explain(status, path, exc), status) from None
            except (urllib.error.URLError, http.client.HTTPException, TimeoutError,
                    OSError) as exc:
                if attempt < self.retries:
                    self.sleep(delay)
                    delay *= 2
                    continue
                if isinstance(exc, http.client.HTTPException):
                    raise HttpError(f"GET {path}: the connection to {self.base_url} dropped "
                                    f"mid-answer, {self.retries + 1} times") from None
                reason = getattr(exc, "reason", exc)
                raise HttpError(f"GET {path}: cannot reach {self.base_url}: {reason}") from None
        raise HttpError(f"GET {path}: no answer after {self.retries + 1} attempts")

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


def _read(response: Any, path: str) -> bytes:
    data: bytes = response.read(MAX_BODY + 1)
    if len(data) > MAX_BODY:
        raise HttpError(f"GET {path}: the answer is over {MAX_BODY} bytes")
    _check_length(response, len(data))
    return data


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
    except (ValueError, OSError):
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return str(message)[:200] if message else ""
