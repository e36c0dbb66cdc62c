"""The human report: findings grouped by file, one line each, then a summary.

Paths, ids and names come from the scanned tree: each goes through
:func:`ftscan.escape.terminal`, so no control character reaches a terminal or a CI log, and a
file name cannot start a line with ``::`` (a GitHub Actions workflow command).
"""

from __future__ import annotations

from itertools import groupby

import click

from ftscan.api import ScanResult
from ftscan.escape import terminal
from ftscan.lifecycle import remaining
from ftscan.models import Finding, Level, Role

_SUPPRESSION_WORDS = {"inSource": "inline", "external": "by the baseline"}
_COLORS = {Level.ERROR: "red", Level.WARNING: "yellow", Level.NOTE: "cyan"}


HOW_TO_ACCEPT = (
    "To accept a finding, add a comment with a reason on its line or the line above "
    "(# ftscan: ignore[FT001] why), or record today's findings in a baseline: "
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


def render_text(result: ScanResult, color: bool = False) -> str:
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
            level = style(f"{f.level.label:<7}", fg=_COLORS[f.level])
            where = f"{f.location.start_line}:{f.location.start_column}"
            bound = f" [{terminal(f.context)}]" if f.context else ""
            if len(f.model_ids) > 1:
                bound += f" (+{len(f.model_ids) - 1} more)"
            if f.confidence == "low":
                bound += " (low confidence)"
            lines.append(
                f"  {where:>8}  {level} {f.rule_id} {f.role.value:<10} "
                f"{terminal(f.shown_id)}{bound}  ({days_phrase(f)})"
            )
        lines.append("")
    lines.append(summary_line(result))
    if result.findings_fail():
        lines.append(HOW_TO_ACCEPT)
    return "\n".join(lines) + "\n"


def summary_line(result: ScanResult) -> str:
    """``3 findings (2 errors, 1 note) in 41 files; 2 skipped (1 too-large, 1 binary).``"""
    s = result.summary
    total = sum(1 for f in result.findings if f.suppression is None)
    levels = ", ".join(
        f"{n} {name}{'s' if n != 1 else ''}" for name, n in s.findings_by_level.items() if n
    )
    text = f"{total} finding{'s' if total != 1 else ''}"
    if levels:
        text += f" ({levels})"
    text += f" in {s.files_read} file{'s' if s.files_read != 1 else ''} read"
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
    return text + f"; as of {result.as_of.isoformat()}."
