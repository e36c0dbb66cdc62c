"""The fine-tune inventory: one row per model id, the checklist teams work through before the
shutdowns. Built from a scan, written as Markdown, CSV or versioned JSON, and merged across the
JSON inventories of many repositories.

A row names the id's provider, base model, org and suffix; its lifecycle (status, shutdown date,
days left, next step); who owns it and which services and repositories hold it; every
definition, use and mention site; and the config keys and env vars it hides behind. Ids built at
run time get rows of their own. Rows are sorted by days left, then id.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftscan import __version__
from ftscan.api import ScanResult
from ftscan.models import Finding, Role, Status

INVENTORY_VERSION = 1
REDACTED = "<redacted>"


class InventoryError(Exception):
    """An inventory file that cannot be merged. The message names the file."""


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
    definitions: set[str] = field(default_factory=set)
    uses: set[str] = field(default_factory=set)
    mentions: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    """Config key paths and env vars the id hides behind."""

    def status(self, as_of: dt.date, window: int) -> tuple[str, int | None]:
        """Lifecycle status and days left on ``as_of``."""
        if self.shutdown_date is None:
            return Status.UNKNOWN.value, None
        days = (dt.date.fromisoformat(self.shutdown_date) - as_of).days
        if days <= 0:
            return Status.RETIRED.value, days
        return (Status.RETIRING.value if days <= window else Status.ACTIVE.value), days

    def copy(self) -> Row:
        """An independent copy (its sets are new)."""
        return dataclasses.replace(
            self, owners=set(self.owners), services=set(self.services),
            repositories=set(self.repositories), definitions=set(self.definitions),
            uses=set(self.uses), mentions=set(self.mentions), names=set(self.names))

    def merge(self, other: Row) -> None:
        """Fold in what another repository knows about the same id."""
        for name in ("owners", "services", "repositories", "definitions", "uses", "mentions",
                     "names"):
            getattr(self, name).update(getattr(other, name))
        self.base_model = self.base_model or other.base_model
        self.shutdown_date = self.shutdown_date or other.shutdown_date
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
            return (days if days is not None else 10**9, row.model_id)

        return sorted(self.rows.values(), key=key)


def build(result: ScanResult, repository: str | None = None) -> Inventory:
    """The inventory of one scan."""
    default = repository or result.root.name
    repos = {root.name for root in result.roots} or {default}
    inventory = Inventory(result.as_of, result.lifecycle.warning_window_days, repositories=repos)
    by_id = {f.model_id: f for f in result.findings if f.role is not Role.USE}
    for finding in result.findings:
        ids = finding.model_ids if finding.role is Role.USE and finding.model_ids else (
            finding.model_id,)
        for model_id in ids:
            source = by_id.get(model_id, finding)
            row = inventory.rows.get(model_id)
            if row is None:
                row = inventory.rows[model_id] = _new_row(model_id, source)
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
    )


def _add_site(row: Row, finding: Finding, repo: str) -> None:
    site = f"{finding.location.path}:{finding.location.start_line}"
    {Role.USE: row.uses, Role.MENTION: row.mentions}.get(finding.role, row.definitions).add(site)
    if finding.role is not Role.MENTION:
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
        out.rows[copy.model_id] = copy
    return out


def _redact_id(model_id: str, org: str) -> str:
    for sep_before, sep_after in ((":", ":"), ("/", "/"), (":", "/")):
        needle = f"{sep_before}{org}{sep_after}"
        if needle in model_id:
            return model_id.replace(needle, f"{sep_before}{REDACTED}{sep_after}", 1)
    return model_id


# --------------------------------------------------------------------------- formats


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
            "definitions": sorted(row.definitions, key=_site_key),
            "uses": sorted(row.uses, key=_site_key),
            "mentions": sorted(row.mentions, key=_site_key),
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


def _site_key(site: str) -> tuple[str, int]:
    path, _, line = site.rpartition(":")
    return path, int(line) if line.isdigit() else 0


CSV_COLUMNS = ("modelId", "provider", "baseModel", "org", "suffix", "status", "shutdownDate",
               "daysLeft", "owners", "services", "repositories", "definitionCount", "useCount",
               "definitions", "uses", "names", "nextStep")


def to_csv(inventory: Inventory) -> str:
    """One row per model id; lists are joined with ``; `` so each stays in one cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in json.loads(to_json(inventory))["models"]:
        writer.writerow([
            item["modelId"], item["provider"], item["baseModel"] or "", item["org"] or "",
            item["suffix"] or "", item["status"], item["shutdownDate"] or "",
            "" if item["daysLeft"] is None else item["daysLeft"],
            "; ".join(item["owners"]), "; ".join(item["services"]),
            "; ".join(item["repositories"]), len(item["definitions"]), len(item["uses"]),
            "; ".join(item["definitions"]), "; ".join(item["uses"]), "; ".join(item["names"]),
            item["nextStep"] or "",
        ])
    return out.getvalue()


_STATUS_ICONS = {"retired": "⛔", "retiring": "🔴", "active": "🟠", "unknown": "❔"}


def to_markdown(inventory: Inventory) -> str:
    """A summary table (fits a PR comment or job summary), then details per model."""
    models = json.loads(to_json(inventory))["models"]
    lines = [
        "## Fine-tuned model inventory",
        "",
        f"{len(models)} model id{'s' if len(models) != 1 else ''} in "
        f"{', '.join(sorted(inventory.repositories))}, as of {inventory.as_of.isoformat()}. "
        "OpenAI stops all new fine-tuning jobs on 2027-01-06.",
        "",
    ]
    if not models:
        return "\n".join(lines) + "\n"
    lines += [
        "| Status | Model | Base model | Shuts down | Days left | Owners | Services | Defs | Uses"
        " |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in models:
        lines.append("| " + " | ".join(_cell(c) for c in (
            f"{_STATUS_ICONS[m['status']]} {m['status']}",
            f"`{m['modelId']}`" + (" (built at run time)" if m["dynamic"] else ""),
            m["baseModel"] or "—",
            m["shutdownDate"] or "unknown",
            "—" if m["daysLeft"] is None else m["daysLeft"],
            ", ".join(m["owners"]) or "—",
            ", ".join(m["services"]) or "—",
            len(m["definitions"]),
            len(m["uses"]),
        )) + " |")
    lines.append("")
    for m in models:
        lines += _details(m)
    return "\n".join(lines) + "\n"


def _details(m: dict[str, Any]) -> list[str]:
    title = f"`{m['modelId']}`"
    out = [f"<details><summary>{title}: {m['status']}"
           + (f", {m['daysLeft']} days left" if m["daysLeft"] is not None else "")
           + "</summary>", ""]
    if m["dynamic"]:
        out.append(f"- Built at run time from the template `{m['modelId']}`.")
    out.append(f"- Provider: {m['provider']}; base model: {m['baseModel'] or 'unknown'}"
               + (f"; org: {m['org']}" if m["org"] else "")
               + (f"; suffix: {m['suffix']}" if m["suffix"] else ""))
    if m["nextStep"]:
        out.append(f"- Next step: {m['nextStep']}")
    if m["names"]:
        out.append("- Hides behind: " + ", ".join(f"`{n}`" for n in m["names"]))
    for label, key in (("Defined", "definitions"), ("Used", "uses"), ("Mentioned", "mentions")):
        if m[key]:
            out.append(f"- {label} at: " + ", ".join(f"`{s}`" for s in m[key]))
    out += ["", "</details>", ""]
    return out


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


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
    if data.get("version") != INVENTORY_VERSION:
        raise InventoryError(f"{path}: inventory version {data.get('version')!r} is not "
                             f"supported (this ftscan reads version {INVENTORY_VERSION})")
    try:
        inventory = Inventory(dt.date.fromisoformat(data["asOf"]),
                              int(data.get("warningWindowDays", 90)),
                              repositories=set(data.get("repositories", [])))
        for item in data["models"]:
            row = Row(
                model_id=item["modelId"], provider=item["provider"],
                base_model=item.get("baseModel"), org=item.get("org"),
                suffix=item.get("suffix"), rule_id=item.get("ruleId", ""),
                dynamic=bool(item.get("dynamic")), shutdown_date=item.get("shutdownDate"),
                next_step=item.get("nextStep"),
                owners=set(item.get("owners", [])), services=set(item.get("services", [])),
                repositories=set(item.get("repositories", [])),
                definitions=set(item.get("definitions", [])), uses=set(item.get("uses", [])),
                mentions=set(item.get("mentions", [])), names=set(item.get("names", [])),
            )
            inventory.rows[row.model_id] = row
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
            if row.model_id in merged.rows:
                merged.rows[row.model_id].merge(row)
            else:
                merged.rows[row.model_id] = row.copy()
    return merged
