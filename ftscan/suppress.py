"""Suppressions an auditor can read: inline comments with a reason, and a baseline file.

Inline: ``# ftscan: ignore[FT001] reason`` (or ``//``, ``/* */``, ``<!-- -->``, ``--``) at the
end of the finding's line, or alone on the line above (as ``noqa`` and ``nosemgrep`` go: a
comment trailing code covers that code's line only, never the next one). A suppression must
say why: one without a reason does not suppress, and is reported. Suppressed findings are not
dropped: they keep their place in every report, marked (SARIF ``suppressions: [{kind: inSource,
justification}]``), and no longer count towards the exit code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from ftscan.models import Detection, Diagnostic, Severity, Suppression
from ftscan.textpos import LineIndex

INLINE = re.compile(
    r"(?:#|//|/\*|<!--|--)\s*ftscan:\s*ignore\[(?P<rules>[A-Za-z0-9_,\s*]*)\](?P<reason>.*)$"
)
_CLOSERS = ("-->", "*/", "\\n")
_TRAILING_CHARS = "\"', \t\r\f\v"


def _strip_closers(reason: str) -> str:
    """The reason without what closes the comment or string around it (``-->``, ``*/``, a
    quote, an escaped newline), in one pass from the end."""
    end = len(reason)
    while end:
        stripped = reason[:end].rstrip(_TRAILING_CHARS)
        for closer in _CLOSERS:
            if stripped.endswith(closer):
                stripped = stripped[:-len(closer)]
                break
        if len(stripped) == end:
            break
        end = len(stripped)
    return reason[:end].strip()


def parse_marker(line: str) -> tuple[set[str], str, bool] | None:
    """``(rule ids, reason, alone)`` of an inline suppression on ``line``, or ``None``;
    ``alone`` when nothing but blanks comes before the comment, so it covers the next line."""
    match = INLINE.search(line)
    if match is None:
        return None
    rules = {r.strip() for r in match.group("rules").split(",") if r.strip()}
    alone = not line[:match.start()].strip()
    return rules, _strip_closers(match.group("reason")), alone


Markers = tuple[tuple[int, frozenset[str], str, bool], ...]
"""A file's inline suppressions: (line, rule ids, reason, alone on its line), small and
hashable (the scan cache keeps them with the file's facts)."""


def markers(text: str) -> Markers:
    """Every inline suppression in a file, by 1-based line (numbered as findings are, by
    :class:`~ftscan.textpos.LineIndex`): one pass over the text, however many findings the file
    has. The scan collects them while it has the text in hand (the cache keeps them)."""
    if "ftscan:" not in text:
        return ()
    index = LineIndex(text)
    found = []
    at = text.find("ftscan:")
    while at >= 0:
        number = index.line_of(at)
        marker = parse_marker(index.line(number))
        if marker is not None:
            found.append((number, frozenset(marker[0]), marker[1], marker[2]))
        following = number + 1
        if following > len(index):
            break
        at = text.find("ftscan:", index.offset(following, 0))
    return tuple(found)


def apply_inline(
    findings: Iterable[Detection], markers_of: Callable[[str], Markers]
) -> tuple[list[Detection], list[Diagnostic]]:
    """Mark findings covered by an inline suppression; report suppressions without a reason.
    ``markers_of(path)`` gives a file's markers (collected when the file was read)."""
    out: list[Detection] = []
    problems: dict[tuple[str, int], Diagnostic] = {}
    by_path: dict[str, dict[int, tuple[frozenset[str], str, bool]]] = {}
    for finding in findings:
        path = finding.location.path
        if path not in by_path:
            by_path[path] = {line: (rules, reason, alone)
                             for line, rules, reason, alone in markers_of(path)}
        file_markers = by_path[path]
        line = finding.location.start_line
        for number in (line, line - 1):
            marker = file_markers.get(number)
            if marker is None or (number < line and not marker[2]):
                continue
            rules, reason, _ = marker
            if rules and finding.rule_id not in rules and "*" not in rules:
                continue
            if not reason:
                problems[(path, number)] = Diagnostic(
                    path, "'ftscan: ignore' without a reason does not suppress anything; "
                    "say why after the brackets", Severity.WARNING, number)
                continue
            finding = replace(finding, suppression=Suppression("inSource", reason))
            break
        out.append(finding)
    return out, list(problems.values())
