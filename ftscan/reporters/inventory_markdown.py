"""The inventory as Markdown: a summary, the deadline chart, a table (it fits a pull request
comment or a GitHub job summary), then details per model.

Everything taken from the scanned tree or a provider goes through :mod:`ftscan.escape`."""

from __future__ import annotations

from collections.abc import Callable

from ftscan.escape import html_text, md_code, md_text
from ftscan.inventory import Inventory, Row
from ftscan.reporters.base import starts_with_heading
from ftscan.reporters.reconciled import markdown_cell, markdown_detail, markdown_section
from ftscan.reporters.timeline import gantt
from ftscan.verdicts import history_phrase, remaining

name = "markdown"
HEADING = "## Fine-tuned model inventory"
COMMENT_MARKER = "<!-- ftscan:inventory -->"
"""The first line of the pull request comment the GitHub Action keeps up to date (the
inventory of what a pull request adds, :mod:`ftscan.github`)."""
_STATUS_ICONS = {"retired": "⛔", "retiring": "🔴", "active": "🟠", "deprecated": "🟡",
                 "unknown": "❔"}
EXAMPLE_STATUS = "📎 example"
"""The status cell of an id that is only an example (a placeholder, or in tests, docs and
examples): no deployment serves it, whatever its base model's date."""


def render(inventory: Inventory, color: bool = False) -> str:
    """A summary table (fits a PR comment or job summary), then details per model."""
    return render_within(inventory)


def render_within(inventory: Inventory, limit: int | None = None,
                  left_out: Callable[[int, int], str] | None = None,
                  size: Callable[[str], int] = len, intro: str = "") -> str:
    """The inventory in at most ``limit`` (as ``size`` measures it: characters for a pull
    request comment, UTF-8 bytes for a job summary), ``intro`` under the heading. Whole when
    it fits; else the whole table and as many of the details as fit; else as many rows of the
    table as fit, the most urgent first. ``left_out(rows, details)`` says in a last line what
    was left out and where the rest is."""
    rows = inventory.sorted_rows()
    head = _head(inventory, intro)
    if not rows:
        return head
    table = _table_rows(inventory, rows)
    details = ["\n".join(_details(inventory, row, len(inventory.repositories) > 1)) + "\n"
               for row in rows]
    whole = head + "".join(table) + "\n" + "".join(details)
    if limit is None or size(whole) <= limit:
        return whole
    note = left_out or _left_out
    if size(head) > limit // 4:  # an organisation's names would crowd out its rows
        head = _head(inventory, intro, name_repositories=False)
    # the note's size is bounded by its counts' widths: measured with the largest counts
    budget = limit - size(head) - size(note(len(rows), len(rows))) - 2
    kept_rows = []
    for line in table:
        if size(line) > budget:
            break
        kept_rows.append(line)
        budget -= size(line)
    kept_details = []
    if len(kept_rows) == len(table):
        for block in details:
            if size(block) <= budget:
                kept_details.append(block)
                budget -= size(block)
    shown_rows = len(kept_rows) - 2  # the header and its rule are not rows
    return (head + "".join(kept_rows) + "\n" + "".join(kept_details)
            + note(len(rows) - max(shown_rows, 0), len(rows) - len(kept_details)) + "\n")


def _left_out(rows: int, details: int) -> str:
    parts = ([f"{rows} more row{'s' if rows != 1 else ''}"] if rows else []) + (
        [f"the details of {details} row{'s' if details != 1 else ''}"] if details else [])
    return f"_Left out to fit: {' and '.join(parts)}._"


def _head(inventory: Inventory, intro: str, name_repositories: bool = True) -> str:
    """The heading, ``intro``, the counts, the deadline chart (and the provider's side).
    Without ``name_repositories``, the repositories are counted, not named."""
    lines = [HEADING, ""]
    if intro:
        lines += [intro, ""]
    count = len(inventory.repositories)
    where = ", ".join(md_code(r, in_table=False) for r in sorted(inventory.repositories)) \
        if name_repositories else f"{count:,} repositor{'ies' if count != 1 else 'y'}"
    lines += [
        f"{count_phrase(inventory.sorted_rows())} in {where}, "
        f"as of {inventory.as_of.isoformat()}."
        + (f" OpenAI stops all new fine-tuning jobs on {inventory.job_creation_ends}."
           if inventory.job_creation_ends else ""),
        "",
    ]
    lines += gantt(inventory, inventory.job_creation_ends)
    if inventory.reconciliation is not None:
        lines += markdown_section(inventory.reconciliation)
    return "\n".join(lines) + "\n"


def _table_rows(inventory: Inventory, rows: list[Row]) -> list[str]:
    """The table's lines (its header and rule first), each with its line break."""
    reconciled = inventory.reconciliation
    lines = [
        "| Status | Model | Base model | Shuts down | Owners | Services | Defs | Uses | Recipe |"
        + (" Provider |" if reconciled else ""),
        "|---|---|---|---|---|---|---|---|---|" + ("---|" if reconciled else ""),
    ]
    for row in rows:
        status, days = row.status(inventory.as_of, inventory.window_days)
        lines.append("| " + " | ".join((
            EXAMPLE_STATUS if row.example_only else f"{_STATUS_ICONS[status]} {status}",
            (md_code(row.model_id) if row.model_id else md_text(row.shown))
            + (" (built at run time)" if row.dynamic else "")
            + (" (history only)" if row.history_only else ""),
            md_code(row.base_model) if row.base_model else "—",
            md_text(remaining(status, row.shutdown_date, days, training=row.kind == "training")),
            " ".join(md_code(o) for o in sorted(row.owners)) or "—",
            ", ".join(md_text(s) for s in sorted(row.services)) or "—",
            str(len(row.definitions)),
            str(len(row.uses)),
            recipe_cell(row),
            *((markdown_cell(row.remote, reconciled.usage_days),) if reconciled else ()),
        )) + " |")
    return [f"{line}\n" for line in lines]


def recipe_cell(row: Row) -> str:
    """The recipe column: where the fine-tune is trained, in a few words."""
    if row.kind == "training-data":
        return "data, no pipeline"
    if row.example_only:
        return "—"
    if row.recipe_sites:
        count = len(row.recipe_sites)
        return f"{count} pipeline{'s' if count != 1 else ''}" + (
            f", {len(row.training_files)} file{'s' if len(row.training_files) != 1 else ''}"
            if row.training_files else "")
    return "not in repo" if row.model_id else "—"


def count_phrase(rows: list[Row]) -> str:
    """``3 model ids``, then how many fine-tunes are set outside the repository, pipelines
    match no id, data files no pipeline names (when any)."""
    counts = {kind: sum(1 for r in rows if r.kind == kind)
              for kind in ("outside", "training", "training-data")}
    counts["outside"] = sum(1 for r in rows if r.outside is not None)
    ids = len(rows) - sum(counts.values())
    examples = sum(1 for r in rows if r.example_only)
    past = sum(1 for r in rows if r.history_only)
    notes = ([f"{examples} only as example{'s' if examples != 1 else ''}"] if examples else []) \
        + ([f"{past} only in the repository's history"] if past else [])
    parts = [f"{ids} model id{'s' if ids != 1 else ''}"
             + (f" ({'; '.join(notes)})" if notes else "")]
    words = {"outside": ("fine-tune", "set outside the repository"),
             "training": ("training pipeline", "matching no id"),
             "training-data": ("training data file", "no pipeline names")}
    for kind, (noun, tail) in words.items():
        if counts[kind]:
            parts.append(f"{counts[kind]} {noun}{'s' if counts[kind] != 1 else ''} {tail}")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _details(inventory: Inventory, row: Row, several: bool) -> list[str]:
    status, days = row.status(inventory.as_of, inventory.window_days)
    when = remaining(status, row.shutdown_date, days, training=row.kind == "training")
    if not when.startswith(status):
        when = f"{status}, {when}"
    if row.example_only:
        when = f"example only (its base model: {when})"
    out = [f"<details><summary><code>{html_text(row.shown)}</code>: "
           f"{html_text(when)}</summary>", ""]
    if row.outside is not None:
        out.append(f"- Set outside the repository ({md_text(row.outside)}): the id, its base "
                   "model and shutdown date are not in this repository; look it up where it "
                   "is set (ftscan reconcile lists the organisation's fine-tunes).")
    if row.dynamic:
        out.append(f"- Built at run time from the template "
                   f"{md_code(row.model_id, in_table=False)}.")
    out.append(f"- Provider: {md_text(row.provider)}; base model: "
               + (md_code(row.base_model, in_table=False) if row.base_model else "unknown")
               + (f"; org: {md_code(row.org, in_table=False)}" if row.org else "")
               + (f"; suffix: {md_code(row.suffix, in_table=False)}" if row.suffix else ""))
    if row.next_step and not row.example_only:
        out.append(f"- Next step: {md_text(row.next_step)}")
    if row.names:
        out.append("- Hides behind: " + ", ".join(md_code(n, in_table=False)
                                                 for n in sorted(row.names)))
    if row.example_only:
        out.append("- Only an example here (a placeholder, or in tests, docs or examples): "
                   "no deployment of this repository uses it.")
    recipe = row.recipe_text(several)
    if recipe and not (row.example_only and not row.recipe_sites):
        out.append(f"- Recipe: {md_text(recipe)}")
    if inventory.reconciliation is not None:
        out += markdown_detail(row.remote, inventory.reconciliation.usage_days)
    if row.past is not None:
        past = row.past
        out.append(f"- {'Only in' if row.history_only else 'Also in'} the repository's "
                   f"history: first in {md_code(past.first.sha[:12], in_table=False)} "
                   f"({past.first.day.isoformat()}), {md_text(history_phrase(past))}.")
    for label, sites in (("Defined", row.definitions), ("Used", row.uses),
                         ("Mentioned", row.mentions), ("Example", row.examples),
                         ("Last seen in the history", row.past_sites)):
        if sites:
            out.append(f"- {label} at: " + ", ".join(
                md_code(s.label(several), in_table=False) for s in sorted(sites)))
    out += ["", "</details>", ""]
    return out


def recognises(data: bytes) -> bool:
    """Does ``data`` start with the heading and the blank line :func:`render` writes, alone or
    in the pull request comment (:data:`COMMENT_MARKER` above it)?"""
    return starts_with_heading(data.removeprefix(f"{COMMENT_MARKER}\n".encode()), HEADING)
