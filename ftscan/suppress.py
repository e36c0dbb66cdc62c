"""Suppressions an auditor can read: inline comments with a reason, and a baseline file.

Inline: ``# ftscan: ignore[FT001] reason`` (or ``//``, ``/* */``, ``<!-- -->``, ``--``) on the
finding's line or the line above. A suppression must say why: one without a reason does not
suppress, and is reported. Suppressed findings are not dropped: they keep their place in every
report, marked (SARIF ``suppressions: [{kind: inSource, justification}]``), and no longer count
towards the exit code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from ftscan.models import Diagnostic, Finding, Severity, Suppression

INLINE = re.compile(
    r"(?:#|//|/\*|<!--|--)\s*ftscan:\s*ignore\[(?P<rules>[A-Za-z0-9_,\s*]*)\](?P<reason>.*)$"
)
_TRAILING = re.compile(r"""(?:\s*(?:-->|\*/)|\\n|["',\s])*$""")


def parse_marker(line: str) -> tuple[set[str], str] | None:
    """``(rule ids, reason)`` of an inline suppression on ``line``, or ``None``."""
    match = INLINE.search(line)
    if match is None:
        return None
    rules = {r.strip() for r in match.group("rules").split(",") if r.strip()}
    reason = _TRAILING.sub("", match.group("reason")).strip()
    return rules, reason


def _markers(text: str) -> dict[int, tuple[set[str], str]]:
    """Every inline suppression in a file, by 1-based line: one pass over the text, however
    many findings the file has."""
    if "ftscan:" not in text:
        return {}
    found = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "ftscan:" in line:
            marker = parse_marker(line)
            if marker is not None:
                found[number] = marker
    return found


def apply_inline(
    findings: Iterable[Finding], read_text: Callable[[str], str | None]
) -> tuple[list[Finding], list[Diagnostic]]:
    """Mark findings covered by an inline suppression; report suppressions without a reason."""
    out: list[Finding] = []
    problems: dict[tuple[str, int], Diagnostic] = {}
    markers_of: dict[str, dict[int, tuple[set[str], str]]] = {}
    for finding in findings:
        path = finding.location.path
        if path not in markers_of:
            markers_of[path] = _markers(read_text(path) or "")
        markers = markers_of[path]
        line = finding.location.start_line
        for number in (line, line - 1):
            marker = markers.get(number)
            if marker is None:
                continue
            rules, reason = marker
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
