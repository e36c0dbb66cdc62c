"""TOML (``pyproject.toml`` included): validated by tomli/tomllib, read by the residual pass.

tomllib returns plain dicts without positions, so ids are found in the text itself: ``#``
comments are mentions, everything else a definition named by its key path
(``[tool.llm] ranker = "ft:..."`` gives ``tool.llm.ranker``).
"""

from __future__ import annotations

import bisect
import re
import sys

from ftscan.bindings import ConfigKey
from ftscan.comments import CommentSyntax
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, ParseFailure

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_TABLE = re.compile(r"^[ \t]*\[\[?([^\]\n]*)\]\]?[ \t]*(?:#[^\n]*)?$", re.MULTILINE)
_KEY = re.compile(r"^[ \t]*((?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')"
                  r"(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*'))*)[ \t]*=",
                  re.MULTILINE)


def parse_toml(text: str) -> ParsedFile:
    """Validate TOML; raises :class:`ParseFailure` with the line of the first error."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        message = getattr(exc, "msg", None) or str(exc).split(" (at")[0]
        raise ParseFailure(f"invalid TOML: {message}", line) from None
    return ParsedFile(
        residual_role=Role.DEFINITION,
        residual_kind="TOML value",
        comment_syntax=CommentSyntax.HASH,
        residual_binding=_KeyPaths(text),
    )


def _clean(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in key.split("."))


class _KeyPaths:
    """Offset → the key path of the ``key = value`` line it sits on (inside its ``[table]``)."""

    def __init__(self, text: str) -> None:
        self._tables = [(m.start(), _clean(m.group(1))) for m in _TABLE.finditer(text)]
        self._table_starts = [start for start, _ in self._tables]
        self._keys = [(m.start(), _clean(m.group(1))) for m in _KEY.finditer(text)]
        self._key_starts = [start for start, _ in self._keys]

    def __call__(self, offset: int) -> ConfigKey | None:
        k = bisect.bisect_right(self._key_starts, offset) - 1
        t = bisect.bisect_right(self._table_starts, offset) - 1
        table = self._tables[t][1] if t >= 0 else ""
        if k < 0 or (t >= 0 and self._keys[k][0] < self._tables[t][0]):
            return ConfigKey(table) if table else None
        return ConfigKey(f"{table}.{self._keys[k][1]}" if table else self._keys[k][1])
