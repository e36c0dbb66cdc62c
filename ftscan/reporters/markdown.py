"""Markdown: a table that fits a pull request comment or a GitHub job summary.

Everything taken from the scanned tree (ids, paths, names, owners) goes through
:mod:`ftscan.escape`: a crafted repository cannot add a heading, a link, an image, an HTML tag or
an ``@`` mention to the comment.
"""

from __future__ import annotations

from ftscan.escape import md_code, md_text
from ftscan.reporters.base import starts_with_heading
from ftscan.reporters.text import days_phrase, summary_line
from ftscan.result import ScanResult

name = "markdown"
_ICONS = {"error": "🔴", "warning": "🟠", "note": "🔵"}
HEADING = "## ftscan: fine-tuned model references"
HISTORY_HEADING = "### Only in the repository's history (no file of the tree holds these ids)"


def render(result: ScanResult, color: bool = False) -> str:
    """A heading, a summary sentence and one table row per finding."""
    lines = [HEADING, "", md_text(summary_line(result)), ""]
    shown = [f for f in result.findings if f.suppression is None]
    if shown:
        lines += [
            "| Level | Model | Base model | Shutdown | Role | Location | Owners | Rule |",
            "|---|---|---|---|---|---|---|---|",
        ]
    for f in shown:
        role = f.role.value + (f" ({md_code(f.context)})" if f.context else "")
        owners = " ".join(md_code(o) for o in f.owners) or (
            md_text(f.service) if f.service else "—")
        lines.append("| " + " | ".join((
            f"{_ICONS[f.level.label]} {f.level.label}",
            md_code(f.model_id) if f.model_id else md_text(f.shown_id),
            md_code(f.base_model) if f.base_model else "—",
            md_text(days_phrase(f)),
            role,
            md_code(f"{f.location.path}:{f.location.start_line}"),
            owners,
            md_text(f.rule_id),
        )) + " |")
    if result.history:
        lines += ["", HISTORY_HEADING, "",
                  "| Model | Base model | Shutdown | Role | Last seen | Commit | Removed |",
                  "|---|---|---|---|---|---|---|"]
    for f in result.history:
        past = f.history
        assert past is not None
        removed = (f"{md_code(past.removed.sha[:12])} on {past.removed.day.isoformat()}"
                   if past.removed else "still on a branch")
        lines.append("| " + " | ".join((
            md_code(f.model_id), md_code(f.base_model) if f.base_model else "—",
            md_text(days_phrase(f)), f.role.value,
            md_code(f"{f.location.path}:{f.location.start_line}"),
            f"{md_code(past.last.sha[:12])} ({past.last.day.isoformat()})", removed,
        )) + " |")
    return "\n".join(lines) + "\n"


def recognises(data: bytes) -> bool:
    """Does ``data`` start with the heading and the blank line :func:`render` writes?"""
    return starts_with_heading(data, HEADING)
