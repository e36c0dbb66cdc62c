"""What the HTML page of an inventory (:mod:`ftscan.reporters.inventory_html`) says, as plain
data: the headline, one view per row (its cells and the sites it opens to), one section per
team. The page's template escapes all of it; nothing here is markup.

The rows keep the inventory's order (:meth:`~ftscan.inventory.Inventory.sorted_rows`), the
order of the models in the JSON the page embeds, so the page's script finds a row's data by
its index.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from ftscan.inventory import Inventory, Row, Site
from ftscan.reporters.inventory_markdown import count_phrase, recipe_cell
from ftscan.reporters.reconciled import remote_phrase
from ftscan.verdicts import history_phrase, remaining

MAX_MENTIONS = 12
"""A row's details list so many mentions (and examples), then count the rest."""
MAX_BASES = 3
"""A deadline names the base models of at most so many of its fine-tunes, then counts."""
UNOWNED = "unowned"
"""The anchor of the section for rows no team owns (a team's anchor starts ``team-``)."""


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    days: int
    what: str


@dataclass(frozen=True)
class Headline:
    fine_tunes: int
    """Rows that are a fine-tune: an id (not only an example) or one set outside the code."""
    counted: str
    """Every kind of row in words: ``27 model ids and 2 training pipelines matching no id``."""
    repositories: int
    shut_down: int
    """Fine-tunes whose base has shut down already: their calls fail today."""
    deadlines: tuple[Deadline, ...]
    """The next dates (today or later) on which fine-tunes shut down or job creation ends."""
    without_data: int
    """Fine-tunes whose training data no job-creation site in the code names."""
    unused: int | None
    """Reconciled only: fine-tunes the provider serves that had no request in its window."""
    orphans: int | None
    usage_days: int


@dataclass(frozen=True)
class Sites:
    label: str
    entries: tuple[str, ...]
    more: int = 0
    """Sites of the group not listed (mentions and examples past :data:`MAX_MENTIONS`)."""


@dataclass(frozen=True)
class RowView:
    index: int
    shown: str
    is_id: bool
    """The row is named by a model id (shown as code), not by a sentence."""
    dynamic: bool
    history_only: bool
    """No file of the tree holds the id: only past commits did (``--history``)."""
    status: str
    """``retired``, ``retiring``, ... or ``example`` (an id only quoted as one)."""
    when: str
    base: str
    owners: tuple[str, ...]
    services: tuple[str, ...]
    repositories: tuple[str, ...]
    definitions: int
    uses: int
    recipe: str
    remote: str | None
    facts: tuple[str, ...]
    sites: tuple[Sites, ...]


@dataclass(frozen=True)
class Team:
    name: str
    anchor: str
    rows: tuple[RowView, ...]
    summary: str


def is_fine_tune(row: Row) -> bool:
    """Is the row a fine-tune someone must act on (an id that is not only an example, or one
    set outside the repository), not a pipeline or a data file?"""
    return (row.kind == "model" and bool(row.model_id) and not row.example_only) \
        or row.kind == "outside"


def headline(inventory: Inventory) -> Headline:
    rows = inventory.sorted_rows()
    tunes = [row for row in rows if is_fine_tune(row)]
    reconciled = inventory.reconciliation
    remotes = [row.remote for row in tunes if row.remote is not None]
    return Headline(
        fine_tunes=len(tunes), counted=count_phrase(rows), repositories=len(
            inventory.repositories),
        shut_down=sum(1 for row in tunes
                      if row.status(inventory.as_of, inventory.window_days)[0] == "retired"),
        deadlines=_deadlines(inventory, tunes),
        without_data=sum(1 for row in tunes if not row.training_files),
        unused=sum(1 for remote in remotes if remote.unused) if reconciled else None,
        orphans=reconciled.counts.get("orphan", 0) if reconciled else None,
        usage_days=reconciled.usage_days if reconciled else 0)


def _deadlines(inventory: Inventory, tunes: list[Row]) -> tuple[Deadline, ...]:
    """The two next dates, each with what happens on it."""
    today = inventory.as_of
    by_date: dict[dt.date, Counter[str]] = defaultdict(Counter)
    for row in tunes:
        if row.shutdown_date and (date := dt.date.fromisoformat(row.shutdown_date)) >= today:
            by_date[date][row.base_model or row.provider] += 1
    ends = inventory.job_creation_ends
    dates = sorted(set(by_date) | ({ends} if ends is not None and ends >= today else set()))
    found = []
    for date in dates[:2]:
        bases = sorted(by_date[date].items(), key=lambda item: (-item[1], item[0]))
        what = [f"{count} fine-tune{'s' if count != 1 else ''} of {base} shut"
                f"{'s' if count == 1 else ''} down" for base, count in bases[:MAX_BASES]]
        if len(bases) > MAX_BASES:
            rest = bases[MAX_BASES:]
            more = sum(count for _, count in rest)
            what.append(f"{more} more fine-tune{'s' if more != 1 else ''} of "
                        + ("another base model" if len(rest) == 1
                           else f"{len(rest)} other base models"))
        if date == ends:
            what.insert(0, "OpenAI ends fine-tuning job creation")
        found.append(Deadline(date, (date - today).days, "; ".join(what)))
    return tuple(found)


def row_views(inventory: Inventory) -> list[RowView]:
    several = len(inventory.repositories) > 1
    usage_days = inventory.reconciliation.usage_days if inventory.reconciliation else 0
    views = []
    for index, row in enumerate(inventory.sorted_rows()):
        status, days = row.status(inventory.as_of, inventory.window_days)
        views.append(RowView(
            index=index, shown=row.shown, is_id=bool(row.model_id), dynamic=row.dynamic,
            history_only=row.history_only,
            status="example" if row.example_only else status,
            when=remaining(status, row.shutdown_date, days, training=row.kind == "training"),
            base=row.base_model or "", owners=tuple(sorted(row.owners)),
            services=tuple(sorted(row.services)), repositories=tuple(sorted(row.repositories)),
            definitions=len(row.definitions), uses=len(row.uses), recipe=recipe_cell(row),
            remote=(remote_phrase(row.remote, usage_days) if row.remote is not None
                    else "—" if inventory.reconciliation else None),
            facts=_facts(row, usage_days), sites=_sites(row, several)))
    return views


def _facts(row: Row, usage_days: int) -> tuple[str, ...]:
    facts = [f"Provider: {row.provider}; base model: {row.base_model or 'unknown'}"
             + (f"; org: {row.org}" if row.org else "")
             + (f"; suffix: {row.suffix}" if row.suffix else "")]
    if row.outside is not None:
        facts.append(f"Set outside the repository ({row.outside}): look the id up where it is "
                     "set (ftscan reconcile lists the organisation's fine-tunes).")
    if row.dynamic:
        facts.append("Built at run time from this template.")
    if row.example_only:
        facts.append("Only an example or placeholder here: no live model has this id.")
    if row.next_step:
        facts.append(f"Next step: {row.next_step}")
    if row.names:
        facts.append("Hides behind: " + ", ".join(sorted(row.names)))
    if row.recipe_note:
        facts.append(f"Recipe: {row.recipe_note}")
    if row.past is not None:
        facts.append(f"{'Only in' if row.history_only else 'Also in'} the repository's "
                     f"history: first in {row.past.first.sha[:12]} "
                     f"({row.past.first.day.isoformat()}), {history_phrase(row.past)}.")
    remote = row.remote
    if remote is not None:
        facts.append(f"At the provider: {remote.state.value} ({remote.category.value})"
                     + (f", owned by {remote.owner}" if remote.owner else "")
                     + (f", created {remote.created.isoformat()}" if remote.created else "")
                     + (f", job {remote.job_id}" if remote.job_id else "")
                     + f", last used {remote.last_used_text(usage_days)}"
                     + (f", retires {remote.retires.isoformat()}" if remote.retires else "")
                     + (f"; {remote.note}" if remote.note else ""))
    return tuple(facts)


def _sites(row: Row, several: bool) -> tuple[Sites, ...]:
    """Where to look: every definition, use, training job and data file; the first mentions
    and examples (a results file can name an id a thousand times: the page would be megabytes
    of them, and the JSON inventory the page embeds keeps them all)."""
    groups = (("Defined at", _labels(row.definitions, several), None),
              ("Used at", _labels(row.uses, several), None),
              ("Trained by", _labels(row.recipe_sites, several), None),
              ("Training data", sorted(row.training_files), None),
              ("Validation data", sorted(row.validation_files), None),
              ("Mentioned at", _labels(row.mentions, several), MAX_MENTIONS),
              ("Example at", _labels(row.examples, several), MAX_MENTIONS),
              ("Last seen in the history at", _labels(row.past_sites, several), None))
    return tuple(Sites(label, tuple(entries[:most]), len(entries[most:]) if most else 0)
                 for label, entries, most in groups if entries)


def _labels(sites: set[Site], several: bool) -> list[str]:
    return [site.label(several) for site in sorted(sites)]


def teams(views: list[RowView]) -> list[Team]:
    """One section per owner (CODEOWNERS team or person, Backstage owner), then the rows no one
    owns; each with an anchor of its own (``team-acme-ranking``) a team can be sent."""
    owned: dict[str, list[RowView]] = defaultdict(list)
    for view in views:
        for owner in view.owners or ("",):
            owned[owner].append(view)
    found, taken = [], {UNOWNED}
    for name in sorted(owned, key=lambda owner: (owner == "", owner.lower())):
        anchor = UNOWNED if name == "" else _anchor(name, taken)
        taken.add(anchor)
        found.append(Team(name, anchor, tuple(owned[name]), _team_summary(owned[name])))
    return found


def _anchor(name: str, taken: set[str]) -> str:
    """``team-`` and the name's letters and digits, made unique among ``taken``."""
    base = "team-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x")
    anchor, number = base, 1
    while anchor in taken:
        number += 1
        anchor = f"{base}-{number}"
    return anchor


def _team_summary(views: list[RowView]) -> str:
    counts = Counter(view.status for view in views)
    order = ("retired", "retiring", "deprecated", "active", "unknown", "example")
    return f"{len(views)} row{'s' if len(views) != 1 else ''}: " + ", ".join(
        f"{counts[status]} {status}" for status in order if counts[status])
