"""The human report: findings grouped by file, one line each, then a summary."""

from __future__ import annotations

from itertools import groupby

import click

from ftscan.api import ScanResult
from ftscan.models import Finding, Level, Status

_SUPPRESSION_WORDS = {"inSource": "inline", "external": "by the baseline"}
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
    several = len(result.roots) > 1
    shown = [f for f in result.findings if f.suppression is None]
    for path, group in groupby(shown, key=lambda f: (f"{f.repository}/" if several else "")
                               + f.location.path):
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
