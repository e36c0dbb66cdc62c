"""Expectations written into fixture files, and a checker that holds a scan to them.

Markers live in comments (or, in JSON, in a ``"//"`` key) so a fixture documents itself:

* ``expect: FT001 definition`` on a line of its own applies to the next line; at the end of a
  line it applies to that line. Several: ``expect: FT001 definition, FT005 mention``.
* ``expect@12: FT001 mention`` applies to line 12 (for docstrings, where no comment fits).
* ``ok: FT001`` marks a look-alike that rule FT001 must *not* report on that line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(
    r"\b(?P<verb>expect|ok)(?:@(?P<line>\d+))?:\s*"
    r"(?P<items>FT\d{3}(?:\s+[a-z][a-z-]*)?(?:\s*,\s*FT\d{3}(?:\s+[a-z][a-z-]*)?)*)"
)
OWN_LINE = re.compile(
    r"""^\s*(?:"\s*)?(?:#|//|<!--|/\*|--)\s*(?:expect|ok)(?:@\d+)?:"""  # a comment line
    r"""|^\s*"//\w*"\s*:\s*"(?:expect|ok)(?:@\d+)?:"""  # a JSON "//" key
)


@dataclass(frozen=True)
class Expected:
    """One expected finding: (path, line, rule, role)."""

    path: str
    line: int
    rule: str
    role: str


@dataclass(frozen=True)
class Forbidden:
    """A line on which a rule must stay silent."""

    path: str
    line: int
    rule: str


def read_markers(root: Path, files: list[Path]) -> tuple[set[Expected], set[Forbidden]]:
    """Every marker in ``files`` (paths relative to ``root`` in the result)."""
    expected: set[Expected] = set()
    forbidden: set[Forbidden] = set()
    for file in files:
        rel = file.relative_to(root).as_posix()
        try:
            data = file.read_bytes()
            encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
            lines = data.decode(encoding).splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        for number, text in enumerate(lines, start=1):
            for m in MARKER.finditer(text):
                if m.group("line"):
                    target = int(m.group("line"))
                elif OWN_LINE.match(text):
                    target = number + 1
                else:
                    target = number
                for item in re.split(r"\s*,\s*", m.group("items")):
                    rule, _, role = item.partition(" ")
                    if m.group("verb") == "expect":
                        expected.add(Expected(rel, target, rule, role.strip() or "definition"))
                    else:
                        forbidden.add(Forbidden(rel, target, rule))
    return expected, forbidden
