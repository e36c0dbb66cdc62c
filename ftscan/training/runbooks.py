"""Commands a team runs from documents rather than scripts: the shell blocks of Markdown
(```` ```bash ````, ``sh``, ``shell``, ``console``) and the shell lines of notebooks
(``!openai api fine_tunes.create ...``, ``%%bash`` cells).

A runbook's command creates a job as surely as a script's, and it is where the recipe is
written down (training file, base model, suffix): it is a training site. The prose around it
documents and is not reported, as a README's inline `` `openai api ...` `` is not, nor a block
of another language (a Python snippet in a guide is an example, not what the team runs).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ftscan.flow.facts import Span
from ftscan.parsers.base import ParseFailure
from ftscan.ruleset import RuleSet
from ftscan.textpos import Spans
from ftscan.training.text import Mode, TextHit, text_sites

if TYPE_CHECKING:
    from ftscan.languages.python.notebook import CellSource

SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "console", "zsh", "ksh", "shell-session",
                             "shellsession", "terminal", "powershell", "pwsh", "ps1"})
"""Info strings of fenced blocks that hold commands."""
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")
_FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})[ \t]{0,8}([^\s`]{0,40})")
_SHELL_CELL = re.compile(r"[ \t]{0,8}%%(?:bash|sh|shell|script[ \t]{1,8}(?:bash|sh))\b")


def markdown_sites(text: str, rules: RuleSet) -> list[TextHit]:
    """Job-creation commands in the shell blocks of a Markdown file."""
    blocks = shell_blocks(text)
    if not blocks:
        return []
    inside = Spans(blocks)
    return [hit for hit in text_sites(text, rules, mode=Mode.SHELL)
            if inside.covers(hit.span.start)]


def shell_blocks(text: str) -> list[tuple[int, int]]:
    """The content spans of the fenced blocks of a Markdown text whose language is a shell
    (a block left open runs to the end, as CommonMark reads it)."""
    blocks: list[tuple[int, int]] = []
    fence = ""
    shell = False
    content = 0
    at = 0
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        match = _FENCE.match(text, at, end)
        if not fence and match:
            fence = match.group(1)
            language = match.group(2).lower().lstrip("{.").rstrip("}")
            shell = language in SHELL_LANGUAGES
            content = end + 1
        elif fence and match and match.group(1).startswith(fence) and not match.group(2) and (
                not text[match.end():end].strip()):
            if shell:
                blocks.append((content, at))
            fence = ""
        at = end + 1
    if fence and shell:
        blocks.append((content, len(text)))
    return blocks


def notebook_sites(text: str, rules: RuleSet) -> list[TextHit]:
    """Job-creation commands in the shell lines of a notebook's code cells, at their places
    in the ``.ipynb`` file."""
    from ftscan.languages.python.notebook import code_cells  # with the parser, when needed

    try:
        cells = code_cells(text)
    except ParseFailure:
        return []
    hits: list[TextHit] = []
    for cell in cells.values():
        shell = _shell_only(cell.code)
        if shell is not None:
            hits.extend(TextHit(_raw_span(cell, hit.span), hit.rule, hit.site, hit.mention)
                        for hit in text_sites(shell, rules, mode=Mode.SHELL))
    return hits


def _shell_only(code: str) -> str | None:
    """The cell's shell lines at their offsets, everything else blanked (``None`` when it has
    none): a whole ``%%bash`` cell, or the lines starting with ``!``."""
    if _SHELL_CELL.match(code):
        first = code.find("\n")
        return None if first < 0 else " " * first + code[first:]
    lines = code.splitlines(keepends=True)
    kept = False
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith("!"):
            indent = len(line) - len(stripped)
            lines[i] = line[:indent] + " " + line[indent + 1:]
            kept = True
        else:
            lines[i] = "".join(c if c in "\r\n" else " " for c in line)
    return "".join(lines) if kept else None


def _raw_span(cell: CellSource, span: Span) -> Span:
    return Span(cell.raw_offset(span.start), cell.raw_offset(span.end, at_end=True))
