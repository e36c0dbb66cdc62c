"""Env files (``.env``, ``.env.*``, ``*.env``) and shell scripts: ``KEY=value`` assignments.

Handles ``export KEY=...``, single and double quotes (double quotes may span lines), and
trailing `` # comments``. Lines that are not assignments are left to the residual pass, which
treats ``#`` comments as mentions and anything else (a command line flag, say) as a definition.
"""

from __future__ import annotations

import re

from ftscan.comments import CommentSyntax
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, StringFact

_ASSIGNMENT = re.compile(
    r"""^[ \t]*(?:export[ \t]+|local[ \t]+|readonly[ \t]+|declare[ \t]+(?:-\w+[ \t]+)*)?
    (?P<key>[A-Za-z_][A-Za-z0-9_.]*)[ \t]*=[ \t]*
    (?P<value>"(?:\\.|[^"\\])*"|'[^'\n]*'|[^\s#'"][^\n]*?|)
    (?=[ \t]+\#|[ \t]*;|[ \t]*$)""",
    re.MULTILINE | re.VERBOSE,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw[1:-1])
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1]
    return raw


def parse_env(text: str, kind: str = "environment file value") -> ParsedFile:
    """Every ``KEY=value`` assignment, bound to the variable it sets."""
    strings = [
        StringFact(
            value=_unquote(m.group("value")),
            start=m.start("value"),
            end=m.end("value"),
            kind=kind,
            context=f"env {m.group('key')}",
        )
        for m in _ASSIGNMENT.finditer(text)
        if m.group("value")
    ]
    return ParsedFile(
        strings=strings,
        residual_role=Role.DEFINITION,
        residual_kind="text",
        comment_syntax=CommentSyntax.HASH,
    )


def parse_shell(text: str) -> ParsedFile:
    """Shell scripts: variable assignments are bound; other text goes to the residual pass."""
    return parse_env(text, kind="shell variable")
