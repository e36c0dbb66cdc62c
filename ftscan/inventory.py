"""The fine-tune inventory: one row per model id, the checklist teams work through before the
shutdowns. Built from a scan, written as Markdown, CSV or versioned JSON, and merged across the
JSON inventories of many repositories.

A row names the id's provider, base model, org and suffix; its lifecycle (status, shutdown date,
days left, next step); who owns it and which services and repositories hold it; every
definition, use and mention site (each with its repository, so a merged inventory still says
where a site is); and the config keys and env vars it hides behind. Ids built at run time get
rows of their own. Rows are sorted by days left, then id.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftscan import __version__
from ftscan.api import ScanResult
from ftscan.escape import csv_cell, html_text, md_code, md_text
from ftscan.lifecycle import remaining, status_on
from ftscan.models import Finding, Role, Status
from ftscan.ownreports import sign_markdown

INVENTORY_VERSION = 2
READABLE_VERSIONS = (1, 2)
"""``--merge`` reads inventories of these versions (version 1 sites carry no repository)."""
REDACTED = "<redacted>"
STATUS_WORDS = frozenset(s.value for s in Status)


class InventoryError(Exception):
    """An inventory file that cannot be merged. The message names the file."""


@dataclass(frozen=True, order=True)
class Site:
    """A place in one repository: ``repository/path:line``."""

    repository: str
    path: str
    line: int

    def label(self, with_repository: bool) -> str:
        """``path:line``, prefixed with the repository when the inventory spans several."""
        where = f"{self.path}:{self.line}"
        return f"{self.repository}/{where}" if with_repository and self.repository else where

    def to_json(self) -> dict[str, Any]:
        return {"repository": self.repository, "path": self.path, "line": self.line}

    @classmethod
    def from_json(cls, item: Any, repository: str) -> Site:
        """A site as version 2 writes it, or a version 1 ``path:line`` string (whose repository
        is the row's, when it has only one)."""
        if isinstance(item, str):
            path, _, line = item.rpartition(":")
            return cls(repository, path, int(line))
        return cls(str(item["repository"]), str(item["path"]), int(item["line"]))


@dataclass
class Row:
    """Everything known about one model id."""

    model_id: str
    provider: str
    base_model: str | None
    org: str | None
    suffix: str | None
    rule_id: str
    dynamic: bool
    shutdown_date: str | None
    next_step: str | None
    owners: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    repositories: set[str] = field(default_factory=set)
    definitions: set[Site] = field(default_factory=set)
    uses: set[Site] = field(default_factory=set)
    mentions: set[Site] = field(default_factory=set)
    examples: set[Site] = field(default_factory=set)
    """Where the id appears as an example or placeholder (not a live model)."""
    names: set[str] = field(default_factory=set)
    """Config key paths and env vars the id hides behind."""
    dateless_status: str | None = None
    """``deprecated`` or ``retired`` for a model whose provider published no date."""
    outside: str | None = None
    """For the uses of a fine-tune set outside the repository (no ``model_id``): what holds
    it (``env OPENAI_FINETUNED_MODEL``)."""

    @property
    def key(self) -> str:
        """The row's identity in an inventory: its id, or what holds a model set outside."""
        return self.model_id if self.model_id or self.outside is None else \
            f"outside:{self.outside}"

    @property
    def shown(self) -> str:
        """What reports name the row by."""
        return self.model_id if self.model_id or self.outside is None else \
            f"set outside the repository: {self.outside}"

    def status(self, as_of: dt.date, window: int) -> tuple[str, int | None]:
        """Lifecycle status and days left on ``as_of``."""
        if self.shutdown_date is None:
            return self.dateless_status or Status.UNKNOWN.value, None
        days = (dt.date.fromisoformat(self.shutdown_date) - as_of).days
        return status_on(days, window).value, days

    def copy(self) -> Row:
        """An independent copy (its sets are new)."""
        return dataclasses.replace(
            self, owners=set(self.owners), services=set(self.services),
            repositories=set(self.repositories), definitions=set(self.definitions),
            uses=set(self.uses), mentions=set(self.mentions), examples=set(self.examples),
            names=set(self.names))

    @property
    def example_only(self) -> bool:
        """Does the id appear only as an example (no definition, use or dynamic site)?"""
        return bool(self.examples) and not (self.definitions or self.uses)

    def merge(self, other: Row) -> None:
        """Fold in what another repository knows about the same id."""
        for name in ("owners", "services", "repositories", "definitions", "uses", "mentions",
                     "examples", "names"):
            getattr(self, name).update(getattr(other, name))
        self.base_model = self.base_model or other.base_model
        self.shutdown_date = self.shutdown_date or other.shutdown_date
        self.dateless_status = self.dateless_status or other.dateless_status
        self.next_step = self.next_step or other.next_step


@dataclass
class Inventory:
    """Rows plus the date and window their lifecycle is computed for."""

    as_of: dt.date
    window_days: int
    rows: dict[str, Row] = field(default_factory=dict)
    repositories: set[str] = field(default_factory=set)

    def sorted_rows(self) -> list[Row]:
        """By days left (unknown last), then id."""
        def key(row: Row) -> tuple[int, str]:
            _, days = row.status(self.as_of, self.window_days)
            return (days if days is not None else 10**9, row.shown)

        return sorted(self.rows.values(), key=key)


def build(result: ScanResult, repository: str | None = None) -> Inventory:
    """The inventory of one scan, with the scan's own warning window."""
    default = repository or result.root.name
    repos = {root.name for root in result.roots} or {default}
    inventory = Inventory(result.as_of, result.warning_window_days, repositories=repos)
    by_id = {f.model_id: f for f in result.findings if f.role is not Role.USE}
    for finding in result.findings:
        ids = finding.model_ids if finding.role is Role.USE and finding.model_ids else (
            finding.model_id,)
        for model_id in ids:
            source = by_id.get(model_id, finding)
            key = model_id or f"outside:{finding.outside}"
            row = inventory.rows.get(key)
            if row is None:
                row = inventory.rows[key] = _new_row(model_id, source)
            _add_site(row, finding, repository or finding.repository or default)
    return inventory


def _new_row(model_id: str, finding: Finding) -> Row:
    parts = dict(finding.parts)
    life = finding.lifecycle
    return Row(
        model_id=model_id,
        provider=finding.provider,
        base_model=finding.base_model,
        org=parts.get("org") or parts.get("account") or parts.get("workspace"),
        suffix=parts.get("suffix"),
        rule_id=finding.rule_id,
        dynamic=finding.role is Role.DYNAMIC,
        shutdown_date=life.shutdown_date.isoformat() if life.shutdown_date else None,
        next_step=life.next_step,
        dateless_status=(life.status.value if life.shutdown_date is None and life.status in
                         (Status.DEPRECATED, Status.RETIRED) else None),
        outside=finding.outside if not model_id else None,
    )


def _add_site(row: Row, finding: Finding, repo: str) -> None:
    site = Site(repo, finding.location.path, finding.location.start_line)
    {Role.USE: row.uses, Role.MENTION: row.mentions, Role.EXAMPLE: row.examples}.get(
        finding.role, row.definitions).add(site)
    if finding.role not in (Role.MENTION, Role.EXAMPLE):
        row.owners.update(finding.owners)
        if finding.service:
            row.services.add(finding.service)
        if finding.context:
            row.names.add(finding.context.removeprefix("default of "))
    row.repositories.add(repo)


# --------------------------------------------------------------------------- redaction


def redact(inventory: Inventory) -> Inventory:
    """A copy with the org segment of every id replaced (for sharing outside the org)."""
    out = Inventory(inventory.as_of, inventory.window_days, repositories=inventory.repositories)
    for row in inventory.rows.values():
        copy = row.copy()
        if row.org:
            copy.model_id = _redact_id(row.model_id, row.org)
            copy.org = REDACTED
        out.rows[copy.key] = copy
    return out


def _redact_id(model_id: str, org: str) -> str:
    for sep_before, sep_after in ((":", ":"), ("/", "/"), (":", "/")):
        needle = f"{sep_before}{org}{sep_after}"
        if needle in model_id:
            return model_id.replace(needle, f"{sep_before}{REDACTED}{sep_after}", 1)
    return model_id


# --------------------------------------------------------------------------- formats


def _sites(sites: Iterable[Site]) -> list[Site]:
    return sorted(sites)


def to_json(inventory: Inventory) -> str:
    """The versioned JSON inventory (documented in docs/inventory.md); ``--merge`` reads it."""
    rows = []
    for row in inventory.sorted_rows():
        status, days = row.status(inventory.as_of, inventory.window_days)
        rows.append({
            "modelId": row.model_id,
            "provider": row.provider,
            "baseModel": row.base_model,
            "org": row.org,
            "suffix": row.suffix,
            "ruleId": row.rule_id,
            "dynamic": row.dynamic,
            "status": status,
            "shutdownDate": row.shutdown_date,
            "daysLeft": days,
            "nextStep": row.next_step,
            "owners": sorted(row.owners),
            "services": sorted(row.services),
            "repositories": sorted(row.repositories),
            "names": sorted(row.names),
            "definitions": [s.to_json() for s in _sites(row.definitions)],
            "uses": [s.to_json() for s in _sites(row.uses)],
            "mentions": [s.to_json() for s in _sites(row.mentions)],
            "examples": [s.to_json() for s in _sites(row.examples)],
            "outside": row.outside,
        })
    document = {
        "version": INVENTORY_VERSION,
        "kind": "ftscan-inventory",
        "tool": {"name": "ftscan", "version": __version__},
        "asOf": inventory.as_of.isoformat(),
        "warningWindowDays": inventory.window_days,
        "repositories": sorted(inventory.repositories),
        "models": rows,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("modelId", "provider", "baseModel", "org", "suffix", "status", "shutdownDate",
               "daysLeft", "owners", "services", "repositories", "definitionCount", "useCount",
               "definitions", "uses", "names", "nextStep", "outside")


def to_csv(inventory: Inventory) -> str:
    """One row per model id; lists are joined with ``; `` so each stays in one cell, and no
    cell can start a spreadsheet formula."""
    several = len(inventory.repositories) > 1
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in inventory.sorted_rows():
        status, days = row.status(inventory.as_of, inventory.window_days)
        writer.writerow([csv_cell(value) for value in (
            row.model_id, row.provider, row.base_model or "", row.org or "", row.suffix or "",
            status, row.shutdown_date or "", "" if days is None else days,
            "; ".join(sorted(row.owners)), "; ".join(sorted(row.services)),
            "; ".join(sorted(row.repositories)), len(row.definitions), len(row.uses),
            "; ".join(s.label(several) for s in _sites(row.definitions)),
            "; ".join(s.label(several) for s in _sites(row.uses)),
            "; ".join(sorted(row.names)), row.next_step or "", row.outside or "",
        )])
    return out.getvalue()


_STATUS_ICONS = {"retired": "⛔", "retiring": "🔴", "active": "🟠", "deprecated": "🟡",
                 "unknown": "❔"}


def to_markdown(inventory: Inventory) -> str:
    """A summary table (fits a PR comment or job summary), then details per model; signed as
    ftscan's own (:mod:`ftscan.ownreports`)."""
    return sign_markdown(markdown_body(inventory))


def markdown_body(inventory: Inventory) -> str:
    """The Markdown inventory without its signature (for documents that add to it)."""
    rows = inventory.sorted_rows()
    several = len(inventory.repositories) > 1
    lines = [
        "## Fine-tuned model inventory",
        "",
        f"{_count_phrase(rows)} in "
        f"{', '.join(md_code(r, in_table=False) for r in sorted(inventory.repositories))}, "
        f"as of {inventory.as_of.isoformat()}. "
        "OpenAI stops all new fine-tuning jobs on 2027-01-06.",
        "",
    ]
    if not rows:
        return "\n".join(lines) + "\n"
    lines += [
        "| Status | Model | Base model | Shuts down | Owners | Services | Defs | Uses |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        status, days = row.status(inventory.as_of, inventory.window_days)
        lines.append("| " + " | ".join((
            f"{_STATUS_ICONS[status]} {status}",
            (md_code(row.model_id) if row.model_id else md_text(row.shown))
            + (" (built at run time)" if row.dynamic else ""),
            md_code(row.base_model) if row.base_model else "—",
            md_text(remaining(status, row.shutdown_date, days)),
            " ".join(md_code(o) for o in sorted(row.owners)) or "—",
            ", ".join(md_text(s) for s in sorted(row.services)) or "—",
            str(len(row.definitions)),
            str(len(row.uses)),
        )) + " |")
    lines.append("")
    for row in rows:
        lines += _details(inventory, row, several)
    return "\n".join(lines) + "\n"


def _count_phrase(rows: list[Row]) -> str:
    """``3 model ids``, and ``, 1 set outside the repository`` when some are."""
    outside = sum(1 for r in rows if r.outside is not None)
    ids = len(rows) - outside
    phrase = f"{ids} model id{'s' if ids != 1 else ''}"
    return phrase + (f" and {outside} fine-tune{'s' if outside != 1 else ''} set outside the "
                     "repository" if outside else "")


def _details(inventory: Inventory, row: Row, several: bool) -> list[str]:
    status, days = row.status(inventory.as_of, inventory.window_days)
    when = remaining(status, row.shutdown_date, days)
    if not when.startswith(status):
        when = f"{status}, {when}"
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
    if row.next_step:
        out.append(f"- Next step: {md_text(row.next_step)}")
    if row.names:
        out.append("- Hides behind: " + ", ".join(md_code(n, in_table=False)
                                                 for n in sorted(row.names)))
    if row.example_only:
        out.append("- Only an example or placeholder here: no live model has this id.")
    for label, sites in (("Defined", row.definitions), ("Used", row.uses),
                         ("Mentioned", row.mentions), ("Example", row.examples)):
        if sites:
            out.append(f"- {label} at: " + ", ".join(
                md_code(s.label(several), in_table=False) for s in _sites(sites)))
    out += ["", "</details>", ""]
    return out


FORMATS = {"json": to_json, "csv": to_csv, "markdown": to_markdown}


# --------------------------------------------------------------------------- merging


def load(path: Path) -> Inventory:
    """Read a JSON inventory written by ``ftscan inventory --format json``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InventoryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InventoryError(f"{path}: not a JSON inventory: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") != "ftscan-inventory":
        raise InventoryError(f"{path}: not an ftscan inventory (no \"kind\": "
                             "\"ftscan-inventory\"); write one with --format json")
    if data.get("version") not in READABLE_VERSIONS:
        raise InventoryError(f"{path}: inventory version {data.get('version')!r} is not "
                             f"supported (this ftscan reads versions "
                             f"{', '.join(map(str, READABLE_VERSIONS))})")
    try:
        inventory = Inventory(dt.date.fromisoformat(data["asOf"]),
                              int(data.get("warningWindowDays", 90)),
                              repositories=set(data.get("repositories", [])))
        for item in data["models"]:
            repositories = set(item.get("repositories", []))
            only = next(iter(repositories)) if len(repositories) == 1 else ""

            def sites(key: str, only: str = only, item: dict[str, Any] = item) -> set[Site]:
                return {Site.from_json(s, only) for s in item.get(key, [])}

            row = Row(
                model_id=item["modelId"], provider=item["provider"],
                base_model=item.get("baseModel"), org=item.get("org"),
                suffix=item.get("suffix"), rule_id=item.get("ruleId", ""),
                dynamic=bool(item.get("dynamic")), shutdown_date=item.get("shutdownDate"),
                next_step=item.get("nextStep"),
                owners=set(item.get("owners", [])), services=set(item.get("services", [])),
                repositories=repositories, definitions=sites("definitions"),
                uses=sites("uses"), mentions=sites("mentions"),
                examples=sites("examples"), names=set(item.get("names", [])),
                dateless_status=(item.get("status") if item.get("shutdownDate") is None
                                 and item.get("status") in ("deprecated", "retired") else None),
                outside=item.get("outside"),
            )
            inventory.rows[row.key] = row
    except (KeyError, TypeError, ValueError) as exc:
        raise InventoryError(f"{path}: malformed inventory: {exc}") from None
    return inventory


def merge(inventories: Sequence[Inventory], as_of: dt.date | None = None) -> Inventory:
    """One inventory from several (one per repository or shard). Lifecycle is recomputed for
    ``as_of`` (default: the latest date among them)."""
    date = as_of or max((i.as_of for i in inventories), default=dt.date.today())
    window = max((i.window_days for i in inventories), default=90)
    merged = Inventory(date, window)
    for inventory in inventories:
        merged.repositories |= inventory.repositories
        for row in inventory.rows.values():
            if row.key in merged.rows:
                merged.rows[row.key].merge(row)
            else:
                merged.rows[row.key] = row.copy()
    return merged
