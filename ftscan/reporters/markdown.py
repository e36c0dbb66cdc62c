"""Markdown: a table that fits a pull request comment or a GitHub job summary."""

from __future__ import annotations

from ftscan.api import ScanResult
from ftscan.reporters.text import summary_line

_ICONS = {"error": "🔴", "warning": "🟠", "note": "🔵"}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(result: ScanResult) -> str:
    """A heading, a summary sentence and one table row per finding."""
    lines = ["## ftscan: fine-tuned model references", "", summary_line(result), ""]
    shown = [f for f in result.findings if f.suppression is None]
    if not shown:
        return "\n".join(lines) + "\n"
    lines += [
        "| Level | Model | Base model | Shutdown | Days left | Role | Location | Owners | Rule |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in shown:
        life = f.lifecycle
        loc = f"`{f.location.path}:{f.location.start_line}`"
        lines.append(
            "| " + " | ".join(_cell(c) for c in (
                f"{_ICONS[f.level.label]} {f.level.label}",
                f"`{f.model_id}`",
                f.base_model or "—",
                life.shutdown_date or "unknown",
                life.days_left if life.days_left is not None else "—",
                f.role.value + (f" ({f.context})" if f.context else ""),
                loc,
                " ".join(f.owners) or (f.service or "—"),
                f.rule_id,
            )) + " |"
        )
    return "\n".join(lines) + "\n"
