"""Env files (``.env``, ``.env.*``, ``*.env``) and shell scripts: ``KEY=value`` assignments.

Handles ``export KEY=...`` (and ``local``, ``readonly``, ``declare -x``), single and double
quotes (double quotes may span lines, with backslash escapes), and trailing `` # comments``.
Lines that are not assignments are left to the residual pass, which treats ``#`` comments as
mentions and anything else (a command line flag, say) as a definition.

The file is read in one pass, line by line: a quoted value left open runs to the end of the
file once, not once per line (a regular expression anchored at every line start would read a
file of unterminated quotes quadratically).
"""

from __future__ import annotations

import re

from ftscan.bindings import EnvVar
from ftscan.comments import CommentSyntax
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, StringFact

_START = re.compile(
    r"(?<![ \t])[ \t]*(?:(?:export|local|readonly)[ \t]+|declare[ \t]+(?:-[A-Za-z]{1,8}[ \t]+)*)?"
    r"(?<![A-Za-z0-9_.])(?P<key>[A-Za-z_][A-Za-z0-9_.]{0,255})[ \t]*=[ \t]*"
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_BREAK = re.compile(r"\r\n?|\n")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw[1:-1])
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1]
    return raw


def _closing_quote(text: str, start: int) -> int:
    """The offset just past the ``"`` closing a string opened at ``start``, or -1."""
    i = start + 1
    while True:
        quote = text.find('"', i)
        if quote < 0:
            return -1
        slashes = 0
        while quote - slashes - 1 > start and text[quote - slashes - 1] == "\\":
            slashes += 1
        if slashes % 2 == 0:
            return quote + 1
        i = quote + 1


def _unquoted_end(text: str, start: int, line_end: int) -> int:
    """Where an unquoted value ends: before `` #`` or ``;`` or the end of the line, without
    trailing blanks."""
    end = line_end
    for stop in (" #", "\t#", ";"):
        at = text.find(stop, start, end)
        if at >= 0:
            end = at
    while end > start and text[end - 1] in " \t\r":
        end -= 1
    return end


def assignments(text: str) -> list[tuple[str, int, int]]:
    """``(key, value start, value end)`` of every assignment in the text, in order."""
    found = []
    pos = 0
    length = len(text)
    while pos < length:
        found_break = _BREAK.search(text, pos)
        line_end = found_break.start() if found_break else length
        match = _START.match(text, pos, line_end)
        next_line = found_break.end() if found_break else length
        if match is not None:
            start = match.end()
            first = text[start] if start < line_end else ""
            if first == '"':
                end = _closing_quote(text, start)
                if end < 0:  # never closed: the rest of the line, as the shell reports it
                    end = _unquoted_end(text, start, line_end)
                elif end > line_end:  # a value over several lines
                    following = _BREAK.search(text, end)
                    next_line = following.end() if following else length
            elif first == "'":
                close = text.find("'", start + 1, line_end)
                end = close + 1 if close >= 0 else _unquoted_end(text, start, line_end)
            elif first in ("#", ""):
                end = start
            else:
                end = _unquoted_end(text, start, line_end)
            if end > start:
                found.append((match.group("key"), start, end))
        pos = next_line
    return found


def parse_env(text: str, kind: str = "environment file value") -> ParsedFile:
    """Every ``KEY=value`` assignment, bound to the variable it sets."""
    strings = [
        StringFact(value=_unquote(text[start:end]), start=start, end=end, kind=kind,
                   binding=EnvVar(key))
        for key, start, end in assignments(text)
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
