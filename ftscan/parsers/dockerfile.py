"""Dockerfiles: ``ENV`` and ``ARG`` instructions bind variables; everything else is text.

Both forms of ``ENV`` are read (``ENV KEY=value KEY2="v 2"`` and the legacy ``ENV KEY value``),
with ``\\`` line continuations. Ids elsewhere (a ``CMD`` flag, a ``LABEL``) are definitions via
the residual pass; ids in ``#`` comments are mentions.
"""

from __future__ import annotations

import re

from ftscan.bindings import EnvVar
from ftscan.comments import CommentSyntax
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, StringFact
from ftscan.parsers.envfile import _unquote

_INSTRUCTION = re.compile(
    r"^[ \t]*(?P<op>ENV|ARG)[ \t]+(?P<body>(?:[^\n\\]|\\\n|\\.)*)", re.IGNORECASE | re.MULTILINE
)
_PAIR = re.compile(
    r"""(?<![A-Za-z0-9_])(?P<key>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>"(?:\\.|[^"\\])*"|'[^']*'|(?:[^\s\\'"]|\\.)*)"""
)
_LEGACY = re.compile(
    r"(?<![A-Za-z0-9_])(?P<key>[A-Za-z_][A-Za-z0-9_]*)[ \t]+(?P<value>\S(?:[^\n\\]|\\.)*)")


def parse_dockerfile(text: str) -> ParsedFile:
    """Every variable an ``ENV`` or ``ARG`` sets, bound to its name."""
    strings: list[StringFact] = []
    for instruction in _INSTRUCTION.finditer(text):
        body, base = instruction.group("body"), instruction.start("body")
        kind = f"Dockerfile {instruction.group('op').upper()}"
        pairs = list(_PAIR.finditer(body))
        if not pairs:
            legacy = _LEGACY.match(body)
            pairs = [legacy] if legacy else []
        for pair in pairs:
            if not pair.group("value"):
                continue
            strings.append(
                StringFact(
                    value=_unquote(pair.group("value").rstrip()),
                    start=base + pair.start("value"),
                    end=base + pair.end("value"),
                    kind=kind,
                    binding=EnvVar(pair.group("key")),
                )
            )
    return ParsedFile(
        strings=strings,
        residual_role=Role.DEFINITION,
        residual_kind="Dockerfile text",
        comment_syntax=CommentSyntax.HASH,
    )
