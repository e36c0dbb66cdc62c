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


def apply_inline(
    findings: Iterable[Finding], read_text: Callable[[str], str | None]
) -> tuple[list[Finding], list[Diagnostic]]:
    """Mark findings covered by an inline suppression; report suppressions without a reason."""
    out: list[Finding] = []
    problems: dict[tuple[str, int], Diagnostic] = {}
    lines_of: dict[str, list[str]] = {}
    for finding in findings:
        path = finding.location.path
        if path not in lines_of:
            lines_of[path] = (read_text(path) or "").splitlines()
        lines = lines_of[path]
        line = finding.location.start_line
        for number in (line, line - 1):
            if not 1 <= number <= len(lines):
                continue
            marker = parse_marker(lines[number - 1])
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
