"""The human report: findings grouped by file, one line each, then a summary."""

from __future__ import annotations

from itertools import groupby

import click

from ftscan.api import ScanResult
from ftscan.models import Finding, Level, Status

_COLORS = {Level.ERROR: "red", Level.WARNING: "yellow", Level.NOTE: "cyan"}


def _days(finding: Finding) -> str:
    life = finding.lifecycle
    if life.status is Status.UNKNOWN or life.days_left is None:
        return "shutdown date unknown"
    if life.days_left <= 0:
        return f"shut down {life.shutdown_date}, {-life.days_left} days ago"
    return f"{life.days_left} days left, shuts down {life.shutdown_date}"


def render_text(result: ScanResult, color: bool = False) -> str:
    """Readable in a terminal; colour only when asked (a TTY without NO_COLOR)."""

    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if color else text  # type: ignore[arg-type]

    lines: list[str] = []
    for path, group in groupby(result.findings, key=lambda f: f.location.path):
        lines.append(style(path, bold=True))
        for f in group:
            level = style(f"{f.level.label:<7}", fg=_COLORS[f.level])
            where = f"{f.location.start_line}:{f.location.start_column}"
            bound = f" [{f.context}]" if f.context else ""
            if len(f.model_ids) > 1:
                bound += f" (+{len(f.model_ids) - 1} more)"
            if f.confidence == "low":
                bound += " (low confidence)"
            lines.append(
                f"  {where:>8}  {level} {f.rule_id} {f.role.value:<10} {f.model_id}{bound}"
                f"  ({_days(f)})"
            )
        lines.append("")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def summary_line(result: ScanResult) -> str:
    """``3 findings (2 errors, 1 note) in 41 files; 2 skipped (1 too-large, 1 binary).``"""
    s = result.summary
    total = len(result.findings)
    levels = ", ".join(
        f"{n} {name}{'s' if n != 1 else ''}" for name, n in s.findings_by_level.items() if n
    )
    text = f"{total} finding{'s' if total != 1 else ''}"
    if levels:
        text += f" ({levels})"
    text += f" in {s.files_read} file{'s' if s.files_read != 1 else ''} read"
    text += f", {s.files_with_candidates} with candidates"
    skipped = sum(s.skipped.values())
    if skipped:
        reasons = ", ".join(f"{n} {reason}" for reason, n in s.skipped.items())
        text += f"; {skipped} skipped ({reasons})"
    if s.parse_fallbacks:
        text += f"; {s.parse_fallbacks} read as plain text after a parse error"
    return text + f"; as of {result.as_of.isoformat()}."
