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
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from ftscan.escape import WORD_JOINER

if TYPE_CHECKING:
    from ftscan.inventory import Inventory, Row

MAX_SECTIONS = 8
MAX_BARS = 5
MAX_LABEL = 48
MAX_PADDING = 360
"""Pixels left of the chart for section names (Mermaid's default, 75, fits 8 characters)."""
DRAWN_WIDTH = 784
"""The width Mermaid draws the chart at by default (the Mermaid CLI's 800 pixels less its
margins): the axis is laid out for it (GitHub's comments and summaries are wider)."""
RIGHT_PADDING = 75
"""Mermaid's default room right of the axis."""
TICK_ROOM = 80
"""Pixels per tick label on the axis (``Jan 2027`` is about 45 at Mermaid's 10-pixel font)."""
URGENT_DAYS = 90
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._/()+-]")
_PROVIDERS = {"openai": "OpenAI", "azure-openai": "Azure", "mistral": "Mistral",
              "aws-bedrock": "Bedrock", "google-vertex-ai": "Vertex AI",
              "google-gemini": "Gemini", "fireworks": "Fireworks"}


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
    # one section per provider, base and date: Azure's fine-tunes of a base end on Azure's
    # calendar, OpenAI's on OpenAI's
    sections: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for row in dated:
        sections[(row.shutdown_date or "", row.base_model or row.provider, row.provider)
                 ].append(row)
    ordered = sorted(sections.items())
    shown = ordered[:MAX_SECTIONS]
    names = _section_names([key for key, _ in shown])
    # the section names are drawn left of the bars: room for the longest, else they overlap
    padding = min(MAX_PADDING, 40 + 7 * max(len(name) for name in [*names, "Deadlines"]))
    last = max([dt.date.fromisoformat(date) for (date, _, _), _ in ordered]
               + ([job_creation_ends] if job_creation_ends else []))
    every, step = _axis(today, last, DRAWN_WIDTH - padding - RIGHT_PADDING)
    lines = ["```mermaid", f'%%{{init: {{"gantt": {{"leftPadding": {padding}}}}}}}%%', "gantt",
             f"    title Fine-tunes until their base model shuts down (as of {today})",
             "    dateFormat YYYY-MM-DD", f"    axisFormat {step}", f"    tickInterval {every}",
             "    todayMarker off",
             "    section Deadlines", f"    Today :milestone, asof, {today}, 0d"]
    if job_creation_ends is not None:
        lines.append(f"    Job creation ends (OpenAI) :milestone, crit, jobs, "
                     f"{job_creation_ends}, 0d")
    bars: list[tuple[str, str, list[list[str]]]] = []  # section, date, each bar's choices
    for ((date, _, _), rows), name in zip(shown, names, strict=True):
        rows.sort(key=lambda r: r.shown)
        choices = [[_row_label(row), f"{_row_label(row)} {_id_tail(row)}", _long_id(row)]
                   for row in rows[:MAX_BARS]]
        if len(rows) > MAX_BARS:
            more = f"{len(rows) - MAX_BARS} more fine-tunes"
            choices.append([more, f"{more} of {name}", f"{more} of {name}"])
        bars.append((name, date, choices))
    rest = ordered[MAX_SECTIONS:]
    if rest:
        by_date: dict[str, int] = defaultdict(int)
        for (date, _, _), rows in rest:
            by_date[date] += len(rows)
        for date, count in sorted(by_date.items()):
            some = f"{count} fine-tune{'s' if count != 1 else ''}"
            bars.append((f"{len(rest)} more base models", date,
                         [[some, f"{some} until {date}", f"{some} until {date}"]]))
    unique = iter(_unique([options for _, _, choices in bars for options in choices]))
    current = None
    for section, date, choices in bars:
        if section != current:
            lines.append(f"    section {section}")
            current = section
        lines.extend(_bar(next(unique), date, today) for _ in choices)
    lines.append("```")
    notes = [f"{len(dated)} fine-tune{'s' if len(dated) != 1 else ''} still serving"]
    if gone:
        notes.append(f"{gone} whose base has shut down already (not drawn; see the table)")
    if undated:
        notes.append(f"{undated} without a shutdown date (not drawn)")
    lines.append("_" + "; ".join(notes) + "._")
    return [*lines, ""]


def _dated_rows(inventory: Inventory) -> tuple[list[Row], int]:
    """The rows with an id or a fine-tune behind them, with and without a shutdown date (an id
    that is only an example, a placeholder say, is no fine-tune anyone serves)."""
    rows = [r for r in inventory.rows.values()
            if r.kind == "model" and r.model_id and not r.example_only]
    dated = [r for r in rows if r.shutdown_date]
    return dated, len(rows) - len(dated)


def _section_names(keys: list[tuple[str, str, str]]) -> list[str]:
    """Each section's name, its base model; where two would read the same, with the
    provider; where still, with the date."""
    names = [_label(base) for _, base, _ in keys]
    for widen in (lambda date, base, provider: f"{base} ({_PROVIDERS.get(provider, provider)})",
                  lambda date, base, provider: f"{base} ({_PROVIDERS.get(provider, provider)}, "
                                               f"{date})"):
        counts = Counter(names)
        names = [_label(widen(*key)) if counts[name] > 1 else name
                 for name, key in zip(names, keys, strict=True)]
    return names


def _unique(choices: list[list[str]]) -> list[str]:
    """A label per bar, no two alike: each bar's first choice, and where two would read the
    same, its next (a fine-tune's suffix and org, then with the end of its id, then its id);
    what still repeats (long ids cut alike) gets a number."""
    labels = [_label(options[0]) for options in choices]
    for level in (1, 2):
        counts = Counter(labels)
        labels = [_label(options[level]) if counts[label] > 1 else label
                  for label, options in zip(labels, choices, strict=True)]
    counts, seen = Counter(labels), Counter[str]()
    numbered = []
    for label in labels:
        if counts[label] > 1:
            seen[label] += 1
            label = f"{label[:MAX_LABEL - 5]} ({seen[label]})"
        numbered.append(label)
    return numbered


def _axis(today: dt.date, last: dt.date, width: int) -> tuple[str, str]:
    """Mermaid's tick interval and date format for an axis from ``today`` to ``last`` that is
    ``width`` pixels wide: as few ticks as leave each label its room (:data:`TICK_ROOM`),
    weeks for a span of two months or less, else months."""
    ticks = max(1, width // TICK_ROOM)
    days = max(1, (last - today).days)
    if days <= 62:
        return f"{-(-days // 7 // ticks) or 1}week", "%d %b"
    months = -(-days // 30)
    return f"{-(-months // ticks)}month", "%b %Y"


def _bar(label: str, date: str, today: dt.date) -> str:
    """A bar from today to ``date`` (a day after ``today`` at the earliest), its label
    escaped so that Mermaid reads no statement from it (see the module docstring)."""
    end = dt.date.fromisoformat(date)
    safe = WORD_JOINER + label
    urgent = (end - today).days <= URGENT_DAYS
    return f"    {safe} :{'crit, ' if urgent else ''}{today}, {end}"


def _row_label(row: Row) -> str:
    """What a bar says: the suffix and org of an ``ft:`` id, else the id (shortened)."""
    if row.suffix:
        return f"{row.suffix} ({row.org})" if row.org else row.suffix
    text = row.model_id
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 3] + "..."


def _id_tail(row: Row) -> str:
    """What tells a fine-tune from others of the same suffix: an ``ft:`` id's job id (and
    checkpoint), else the end of the id."""
    parts = row.model_id.split(":")
    return " ".join(parts[4:]) if len(parts) > 4 else row.model_id[-12:]


def _long_id(row: Row) -> str:
    """The id, its end kept when it is longer than a label."""
    text = row.model_id
    return text if len(text) <= MAX_LABEL else "..." + text[-(MAX_LABEL - 3):]


def _label(text: str) -> str:
    cleaned = _UNSAFE.sub("_", text).strip() or "_"
    return cleaned[:MAX_LABEL]
