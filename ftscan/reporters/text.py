"""The human report: findings grouped by file, one line each, then a summary.

Paths, ids and names come from the scanned tree: each goes through
:func:`ftscan.escape.terminal`, so no control character reaches a terminal or a CI log, and a
file name cannot start a line with ``::`` (a GitHub Actions workflow command).

A text report is recognised by reading it back with the functions that lay it out: every line
a finding's (:func:`_finding_head` and :func:`_finding_tail`), a file's heading above its
findings, or a blank; then the summary (:func:`summary_line`) and, when the scan failed,
:data:`HOW_TO_ACCEPT`.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

import click

from ftscan.escape import terminal
from ftscan.models import Finding, Level, Role
from ftscan.reporters.base import utf8_text
from ftscan.result import ScanResult
from ftscan.verdicts import history_phrase, remaining

name = "text"
_LEVEL_WIDTH = 7
_LEVELS = frozenset(level.label for level in Level)
_ROLES = frozenset(role.value for role in Role)
_TAIL = "{}  ({})"
"""How a finding's line ends: the id and what binds it, then how long it has left."""
_AS_OF = "; as of {}."
"""How the summary ends: the scan's date."""
_SUPPRESSION_WORDS = {"inSource": "inline", "external": "by the baseline"}
_COLORS = {Level.ERROR: "red", Level.WARNING: "yellow", Level.NOTE: "cyan"}


HOW_TO_ACCEPT = (
    "To accept a finding, add a comment with a reason at the end of its line or alone on the "
    "line above (# ftscan: ignore[FT001] why), or record today's findings in a baseline: "
    "ftscan baseline create . && ftscan scan . --baseline .ftscan-baseline.json"
)


def days_phrase(finding: Finding) -> str:
    """How long the finding's model has, in words."""
    life = finding.lifecycle
    if finding.role is Role.TRAINING_DATA:
        return "the recipe of a fine-tune: keep it"
    return remaining(life.status.value, life.shutdown_date, life.days_left,
                     training=finding.training is not None)


def _path_line(path: str) -> str:
    """A file's heading line: escaped, and never starting with ``:``."""
    safe = terminal(path)
    return f"./{safe}" if safe.startswith(":") else safe


def _finding_head(where: str, level: str, rule_id: str, role: str) -> str:
    """A finding's line up to its id: ``line:column`` (right-aligned), the level (padded to
    :data:`_LEVEL_WIDTH`, styled or not), the rule and the role."""
    return f"  {where:>8}  {level} {rule_id} {role:<10} "


def _finding_tail(subject: str, days: str) -> str:
    """The rest of a finding's line (:data:`_TAIL`)."""
    return _TAIL.format(subject, days)


def render(result: ScanResult, color: bool = False) -> str:
    """Readable in a terminal; colour only when asked (a TTY without NO_COLOR)."""

    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if color else text  # type: ignore[arg-type]

    lines: list[str] = []
    several = len(result.roots) > 1
    shown = [f for f in result.findings if f.suppression is None]
    for path, group in groupby(shown, key=lambda f: (f"{f.repository}/" if several else "")
                               + f.location.path):
        lines.append(style(_path_line(path), bold=True))
        for f in group:
            level = style(f.level.label.ljust(_LEVEL_WIDTH), fg=_COLORS[f.level])
            where = f"{f.location.start_line}:{f.location.start_column}"
            bound = f" [{terminal(f.context)}]" if f.context else ""
            if len(f.model_ids) > 1:
                bound += f" (+{len(f.model_ids) - 1} more)"
            if f.lines is not None:
                bound += f" (on {f.lines.count:,} lines)"
            if f.confidence == "low":
                bound += " (low confidence)"
            lines.append(_finding_head(where, level, f.rule_id, f.role.value)
                         + _finding_tail(terminal(f.shown_id) + bound, days_phrase(f)))
        lines.append("")
    for f in result.history:  # a group each: where and when it was last seen
        past = f.history
        assert past is not None
        lines.append(style(_path_line(f"{f.location.path} (history: {history_phrase(past)})"),
                           bold=True))
        level = style(f.level.label.ljust(_LEVEL_WIDTH), fg=_COLORS[f.level])
        lines.append(_finding_head(f"{f.location.start_line}:{f.location.start_column}", level,
                                   f.rule_id, f.role.value)
                     + _finding_tail(terminal(f.shown_id), days_phrase(f)))
        lines.append("")
    lines.append(summary_line(result))
    if result.findings_fail():
        lines.append(HOW_TO_ACCEPT)
    return "\n".join(lines) + "\n"


def summary_line(result: ScanResult) -> str:
    """``3 findings (2 errors, 1 note) in 41 files; 2 skipped (1 too-large, 1 binary).``"""
    s = result.summary
    total = sum(1 for f in result.findings if f.suppression is None)
    levels = ", ".join(_counted(n, level) for level, n in s.findings_by_level.items() if n)
    text = _counted(total, "finding")
    if levels:
        text += f" ({levels})"
    text += f" in {_counted(s.files_read, 'file')} read"
    if s.files_from_cache:
        text += f" ({s.files_from_cache} unchanged, from the cache)"
    text += f", {s.files_with_candidates} with candidates"
    skipped = sum(s.skipped.values())
    if skipped:
        reasons = ", ".join(f"{n} {reason}" for reason, n in s.skipped.items())
        text += f"; {skipped} skipped ({reasons})"
    if s.parse_fallbacks:
        text += f"; {s.parse_fallbacks} read as plain text after a parse error"
    suppressed = sum(s.suppressed.values())
    if suppressed:
        kinds = ", ".join(f"{n} {_SUPPRESSION_WORDS.get(k, k)}" for k, n in s.suppressed.items())
        text += f"; {suppressed} suppressed ({kinds})"
    if s.stale_baseline_entries:
        text += f"; {s.stale_baseline_entries} baseline entries no longer match"
    if s.changed_lines_only:
        text += "; changed lines only"
    if s.repositories > 1:
        text += f"; {s.repositories} repositories"
    if s.history is not None:
        h = s.history
        ids = len({f.model_id for f in result.history})
        places = (f" at {_counted(len(result.history), 'path')}"
                  if len(result.history) != ids else "")
        text += (f"; {_counted(ids, 'more id')}{places} only in the history "
                 f"({_counted(h.commits, 'commit')}, {_counted(h.blobs, 'blob')}, "
                 f"{h.blobs_read} read)")
    return text + _AS_OF.format(result.settings.as_of.isoformat())



def _counted(count: int, noun: str) -> str:
    """``1 finding``, ``3 findings``."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


# --------------------------------------------------------------------------- recognition


def recognises(data: bytes) -> bool:
    """Is ``data`` a text report: findings under their files' headings, blank lines, the
    summary, and the advice on accepting findings when the scan failed?"""
    text = utf8_text(data)
    if text is None:
        return False
    lines = text.rstrip("\n").split("\n")
    if lines and lines[-1] == HOW_TO_ACCEPT:
        lines.pop()
    if not lines or not _is_summary(lines[-1]):
        return False
    body = lines[:-1]
    for i, line in enumerate(body):
        if not line or _is_finding(line):
            continue
        # a file's heading: no leading blank, and its findings below it
        if line[0].isspace() or i + 1 == len(body) or not _is_finding(body[i + 1]):
            return False
    return True


def _is_finding(line: str) -> bool:
    """Is ``line`` a finding's, as :func:`_finding_head` and :func:`_finding_tail` lay it out?"""
    parts = line.split(maxsplit=4)
    if len(parts) < 5:
        return False
    where, level, rule_id, role, rest = parts
    start, _, column = where.partition(":")
    _, between, closing = _TAIL.split("{}")
    subject, _, days = rest.rpartition(between)
    return (_is_number(start) and _is_number(column) and level in _LEVELS and role in _ROLES
            and rule_id.isascii() and rule_id.isalnum() and bool(subject)
            and days.endswith(closing)
            and line == _finding_head(where, level.ljust(_LEVEL_WIDTH), rule_id, role)
            + _finding_tail(subject, days.removesuffix(closing)))


def _is_summary(line: str) -> bool:
    """Is ``line`` the summary :func:`summary_line` writes: a count of findings first, the
    scan's date last?"""
    count = line.partition(" ")[0]
    opening, _, closing = _AS_OF.partition("{}")
    day = line.rpartition(opening)[2].removesuffix(closing)
    return (_is_number(count) and line.startswith(_counted(int(count), "finding") + " ")
            and line.endswith(_AS_OF.format(day)) and _is_date(day))


def _is_number(text: str) -> bool:
    return 0 < len(text) <= 9 and text.isascii() and text.isdigit()


def _is_date(text: str) -> bool:
    """Is ``text`` a day as ``date.isoformat`` writes it?"""
    try:
        return dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False
