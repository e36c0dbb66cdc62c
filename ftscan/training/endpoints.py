"""Where a text names a provider's fine-tuning endpoint, and whether the request around it is a
POST: shared by the code of parsed languages (:mod:`.sites`) and the text pass (:mod:`.text`).

An endpoint of a rule is a path (``/v1/fine_tuning/jobs``) or a host and path
(``api.mistral.ai/v1/fine_tuning/jobs``). A path is named where it is written whole, or where
its part under the version (``/fine_tuning/jobs``) follows a base URL the code holds elsewhere:
a placeholder (``f"{base}/..."``, ``${BASE}``, ``$BASE_URL``, ``%s``) or a concatenation
(``base + "/..."``). A bare ``"/fine_tuning/jobs"`` is a route as often as a request (an app's
own server), so it counts only in a call that only clients make (``->post(...)``,
``PostAsync(...)``). Either way the path must end there: ``/jobs/{id}/cancel`` is another
endpoint.

Every search is a plain string search, or a pattern with bounded repetition run on one
statement: linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

STATEMENT_LINES = 8
"""Lines a statement is followed over, each way (a builder chain, a call over several lines)."""
REACH = 4000
"""Characters a statement or command is read over on each side of what was found: a minified
line of a megabyte is not read whole for each of its matches."""

_VERSION = re.compile(r"/v\d{1,2}(?=/)")
_ENDS = frozenset("\"'`? \t\r\n),;<\\")
_QUOTES = "\"'`"
_BASE_BEFORE = re.compile(r"(?:\}|%[sv]|\$[A-Za-z_][A-Za-z0-9_]{0,60}|\+[ \t]{0,4}[\"'`])$")
"""What ends the text before a path under a base URL: ``}``, ``%s``, ``$BASE``, ``+ "``."""
_BEFORE = 64
"""Characters before a path looked at for a base URL."""

_SHELL_POST = re.compile(
    r"(?:^|\s)(?:-d|--data(?:-raw|-binary|-urlencode)?|-F|--form|--json|--post-data|--post-file)"
    r"(?:\s|=|$)|(?:-X|--request|--method)[ \t=]{1,4}['\"]?(?i:POST)\b"
    r"|(?:^|[\s\"'!;&|])(?:https?|xhs?)[ \t]{1,4}(?:POST|post)\b"
    r"|(?i:-method)[ \t]{1,4}['\"]?(?i:post)\b")
"""A command line that sends a POST: curl's data flags and ``-X POST``, wget's
``--post-data``, httpie's ``http POST``, PowerShell's ``-Method Post``."""
_HTTPIE = re.compile(r"^[ \t]{0,40}[$!]?[ \t]{0,4}(?:https?|xhs?)[ \t]")
_HTTPIE_ITEM = re.compile(r"[ \t][A-Za-z_][A-Za-z0-9_.-]{0,40}:?=[^=]")
"""httpie sends a POST when a command carries data items (``model=gpt-4o``)."""
_CODE_POST = re.compile(
    r"\b(?:POST\b|MethodPost\b|[Pp]ost(?:Async|AsJsonAsync|ForObject|ForEntity|Json)?!?"
    r"[ \t]{0,4}\()|Method\.Post\b|::Post\b")
"""A statement of code that sends a POST: a method ``POST`` (``"POST"``, ``http.MethodPost``,
``HttpMethod.Post``, ``Method::POST``, ``.POST(...)``) or a call named for it (``.post(``,
``->post(``, ``http.Post(``, ``PostAsync(``, ``postForObject(``)."""
_CLIENT_ONLY = re.compile(r"->[ \t]{0,4}post[ \t]{0,4}\(|PostAsync[ \t]{0,4}\(|"
                          r"PostAsJsonAsync[ \t]{0,4}\(|HttpMethod\.Post\b")
"""Calls only an HTTP client makes (Ballerina's and PHP's ``client->post``, .NET's
``HttpClient``): a relative path there is a request to the client's base URL."""
_CONTINUES_BEFORE = ("(", ",", "+", "=", "\\")
_CONTINUES_AFTER = (".", "->", ")", "+")


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of a rule, read from how the rule writes it."""

    written: str
    """``/v1/fine_tuning/jobs`` or ``api.mistral.ai/v1/fine_tuning/jobs``."""
    path: str
    """What a hit's span starts with: ``/v1/fine_tuning/jobs`` (the host left out)."""
    host: str
    under_base: str | None
    """The part of a host-less path under its version (``/fine_tuning/jobs``), named after a
    base URL; ``None`` for an endpoint with a host, which must be written whole."""

    @classmethod
    def parse(cls, written: str) -> Endpoint:
        slash = written.find("/")
        host, path = (written[:slash], written[slash:]) if slash > 0 else ("", written)
        version = _VERSION.match(path)
        under = path[version.end():] if version and not host else (None if host else path)
        return cls(written, path, host, under)


@dataclass(frozen=True)
class Named:
    """Where a text names an endpoint."""

    start: int
    end: int
    bare: bool
    """A bare relative path (``"/fine_tuning/jobs"``, no base URL before it): a request only
    in a call that only clients make (:func:`client_only`)."""


def named_at(text: str, endpoint: Endpoint) -> Iterator[Named]:
    """Where ``text`` names ``endpoint``'s collection: whole, under a base URL, or bare (with
    or without its leading slash: ``"fine_tuning/jobs"`` is relative to a client's base)."""
    seen_end = -1
    core = (endpoint.under_base or endpoint.path).lstrip("/")
    at = text.find(core)
    while at >= 0:
        end = at + len(core)
        if at and text[at - 1] == "/":
            found = _named(text, at - 1, endpoint)
        elif not at or text[at - 1] in _QUOTES:
            found = None if endpoint.host else (at, True)
        else:
            found = None
        if found is not None and found[0] > seen_end and _ends_collection(text, end):
            seen_end = end
            yield Named(found[0], end, found[1])
        at = text.find(core, end)


def _named(text: str, at: int, endpoint: Endpoint) -> tuple[int, bool] | None:
    """Where the hit starts when the path found at ``at`` names the endpoint, and whether it
    is bare; ``None`` when it does not name it."""
    begin = at - (len(endpoint.path) - len(endpoint.under_base or endpoint.path))
    if endpoint.host:
        host_at = begin - len(endpoint.host)
        named = host_at >= 0 and text.startswith(endpoint.written, host_at)
        return (begin, False) if named else None
    if begin >= 0 and text.startswith(endpoint.path, begin):
        return begin, False  # the whole path
    before = text[max(0, at - _BEFORE):at]
    if _BASE_BEFORE.search(before):
        return at, False
    if not before or before[-1] in _QUOTES:
        return at, True
    return None


def _ends_collection(text: str, end: int) -> bool:
    """Does the path end at ``end`` (``.../jobs``, ``.../jobs/``, ``.../jobs?limit=1``), rather
    than go on to a job of the collection (``.../jobs/ftjob-1``, ``.../jobs/" + id``)?"""
    if end == len(text) or text[end] in _ENDS:
        return True
    if text[end] != "/":
        return False
    after = text[end + 1:end + 2]
    return after == "" or after in _ENDS


# --------------------------------------------------------------------------- POST or not


def shell_posts(command: str) -> bool:
    """Does a command line (``curl``, ``wget``, ``http``) send a POST?"""
    if _SHELL_POST.search(command):
        return True
    return _HTTPIE.match(command) is not None and _HTTPIE_ITEM.search(command) is not None


def code_posts(statement: str) -> bool:
    """Does a statement of code (any language) say POST?"""
    return _CODE_POST.search(statement) is not None


def client_only(statement: str) -> bool:
    """Is the statement a call only an HTTP client makes?"""
    return _CLIENT_ONLY.search(statement) is not None


def statement_around(text: str, at: int) -> tuple[int, int]:
    """The statement of code ``at`` is in, from its lines: the lines before while they end
    open (``(``, ``,``, ``+``, ``=``) or the next starts a chained call (``.``, ``->``), and
    the same after; at most :data:`STATEMENT_LINES` each way, within :data:`REACH`
    characters."""
    floor, ceiling = max(0, at - REACH), min(len(text), at + REACH)
    start = _line_start(text, at, floor)
    for _ in range(STATEMENT_LINES):
        if start == floor:
            break
        previous = _line_start(text, start - 1, floor)
        if not (text[previous:start - 1].rstrip().endswith(_CONTINUES_BEFORE)
                or text[start:_line_end(text, start, ceiling)].lstrip().startswith(
                    _CONTINUES_AFTER)):
            break
        start = previous
    end = _line_end(text, at, ceiling)
    for _ in range(STATEMENT_LINES):
        if end >= ceiling:
            break
        following = _line_end(text, end + 1, ceiling)
        if not (text[start:end].rstrip().endswith(_CONTINUES_BEFORE)
                or text[end + 1:following].lstrip().startswith(_CONTINUES_AFTER)):
            break
        end = following
    return start, end


def _line_start(text: str, at: int, floor: int) -> int:
    return max(text.rfind("\n", floor, at) + 1, floor)


def _line_end(text: str, at: int, ceiling: int) -> int:
    end = text.find("\n", at, ceiling)
    return end if end >= 0 else ceiling
