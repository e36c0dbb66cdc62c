"""The deadline as a picture: a Mermaid ``gantt`` chart (GitHub renders it in job summaries,
PR comments and Markdown files) of the fine-tunes in an inventory, each bar running from the
inventory's date to its base model's shutdown, with the day fine-tuning job creation ends as
a milestone.

Readable at any size: bars are grouped in one section per base model (the fine-tunes of one
base share its date), at most :data:`MAX_BARS` per section and :data:`MAX_SECTIONS` sections;
what does not fit is one bar saying how many more. Ids without a known date, and those whose
base has shut down already, are counted under the chart, not drawn: a milestone years back
would stretch the axis until the bars that still matter are slivers.

Every label comes from a repository (or a provider), so labels keep only characters with no
meaning to Mermaid or Markdown: nothing in a label can end the code block, start a directive
or split a task line. Mermaid's gantt lexer also reads a statement from the first word of a
line (``title``, ``dateFormat``, ``section``, ``click``, a date, ...; any case), and gantt has no
quoting: every bar's label starts with a word joiner (invisible, and no keyword starts with
it), so a fine-tune named ``title`` is a bar, not the chart's title.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import TYPE_CHECKING

from ftscan.escape import WORD_JOINER

if TYPE_CHECKING:
    from ftscan.inventory import Inventory, Row

MAX_SECTIONS = 8
MAX_BARS = 5
MAX_LABEL = 48
MAX_PADDING = 360
"""Pixels left of the chart for section names (Mermaid's default, 75, fits 8 characters)."""
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._/()+-]")


def gantt(inventory: Inventory, job_creation_ends: dt.date | None) -> list[str]:
    """The chart as Markdown lines (a fenced ``mermaid`` block and a line under it), or no
    lines when no fine-tune in the inventory has a date. ``job_creation_ends``: OpenAI's end
    of fine-tuning job creation (the ``training`` section of the lifecycle data)."""
    today = inventory.as_of
    every_dated, undated = _dated_rows(inventory)
    dated = [r for r in every_dated if dt.date.fromisoformat(r.shutdown_date or "") > today]
    gone = len(every_dated) - len(dated)
    if not dated:
        return []
    sections: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in dated:
        sections[(row.shutdown_date or "", row.base_model or row.provider)].append(row)
    ordered = sorted(sections.items())
    names = [_label(base) for (_, base), _ in ordered[:MAX_SECTIONS]] + ["Deadlines"]
    # the section names are drawn left of the bars: room for the longest, else they overlap
    padding = min(MAX_PADDING, 40 + 7 * max(len(name) for name in names))
    lines = ["```mermaid", f'%%{{init: {{"gantt": {{"leftPadding": {padding}}}}}}}%%', "gantt",
             f"    title Fine-tunes until their base model shuts down (as of {today})",
             "    dateFormat YYYY-MM-DD", "    axisFormat %Y-%m-%d", "    todayMarker off",
             "    section Deadlines", f"    Today :milestone, asof, {today}, 0d"]
    if job_creation_ends is not None:
        lines.append(f"    Job creation ends (OpenAI) :milestone, crit, jobs, "
                     f"{job_creation_ends}, 0d")
    for (date, base), rows in ordered[:MAX_SECTIONS]:
        lines.append(f"    section {_label(base)}")
        rows.sort(key=lambda r: r.shown)
        lines.extend(_bar(_row_label(row), date, today) for row in rows[:MAX_BARS])
        if len(rows) > MAX_BARS:
            lines.append(_bar(f"{len(rows) - MAX_BARS} more fine-tunes", date, today))
    rest = ordered[MAX_SECTIONS:]
    if rest:
        lines.append(f"    section {len(rest)} more base models")
        by_date: dict[str, int] = defaultdict(int)
        for (date, _), rows in rest:
            by_date[date] += len(rows)
        for date, count in sorted(by_date.items()):
            lines.append(_bar(f"{count} fine-tune{'s' if count != 1 else ''}", date, today))
    lines.append("```")
    notes = [f"{len(dated)} fine-tune{'s' if len(dated) != 1 else ''} still serving"]
    if gone:
        notes.append(f"{gone} whose base has shut down already (not drawn; see the table)")
    if undated:
        notes.append(f"{undated} without a shutdown date (not drawn)")
    lines.append("_" + "; ".join(notes) + "._")
    return [*lines, ""]


def _dated_rows(inventory: Inventory) -> tuple[list[Row], int]:
    """The rows with an id or a fine-tune behind them, with and without a shutdown date."""
    rows = [r for r in inventory.rows.values()
            if r.kind == "model" and r.model_id and not r.example_only]
    dated = [r for r in rows if r.shutdown_date]
    return dated, len(rows) - len(dated)


def _bar(label: str, date: str, today: dt.date) -> str:
    """A bar from today to ``date`` (a day after ``today`` at the earliest), its label
    escaped so that Mermaid reads no statement from it (see the module docstring)."""
    end = dt.date.fromisoformat(date)
    safe = WORD_JOINER + _label(label)
    urgent = (end - today).days <= 90
    return f"    {safe} :{'crit, ' if urgent else ''}{today}, {end}"


def _row_label(row: Row) -> str:
    """What a bar says: the suffix and org of an ``ft:`` id, else the id (shortened)."""
    if row.suffix:
        return f"{row.suffix} ({row.org})" if row.org else row.suffix
    text = row.model_id
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 3] + "..."


def _label(text: str) -> str:
    cleaned = _UNSAFE.sub("_", text).strip() or "_"
    return cleaned[:MAX_LABEL]
