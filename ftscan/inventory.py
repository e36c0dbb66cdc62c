"""The fine-tune inventory: one row per model id, the checklist teams work through before the
shutdowns. Built from a scan, merged across the JSON inventories of many repositories (read
back with :func:`load`), redacted for sharing; written as Markdown, CSV or versioned JSON by the
inventory reporters (:mod:`ftscan.reporters.inventory_markdown`, ``inventory_csv``,
``inventory_json``).

A row names the id's provider, base model, org and suffix; its lifecycle (status, shutdown date,
days left, next step); who owns it and which services and repositories hold it; every
definition, use and mention site (each with its repository, so a merged inventory still says
where a site is); and the config keys and env vars it hides behind; and its **recipe**: the
job-creation sites of the repository whose suffix and base match the id, with the training and
validation files they name, or a note that the recipe is not in the repository. Ids built at
run time get rows of their own, and so do fine-tunes set outside the repository, training
pipelines whose fine-tunes no id names, and training data no pipeline names. With ``scan
--history``, ids found only in past commits get rows too ("history only": where each was last
seen, the first and last commits that held it, the one that removed it). Rows are sorted by
days left, then id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftscan.errors import FtscanError
from ftscan.jsonfields import Fields, read_json
from ftscan.models import Commit, Finding, PastSite, Role, Status
from ftscan.reconcile.model import Reconciliation, Remote
from ftscan.reconcile.stored import combined, reconciliation_from, remote_from
from ftscan.result import ScanResult
from ftscan.verdicts import status_of

WIND_DOWN = "openai"
"""The provider whose end of fine-tuning job creation the inventory shows as a deadline."""
INVENTORY_KIND = "ftscan-inventory"
"""What the JSON inventory says it is (its ``kind``), so that ``--merge`` knows one."""
INVENTORY_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
"""``--merge`` reads inventories of these versions (version 1 sites carry no repository)."""
REDACTED = "<redacted>"
ROW_KINDS = ("model", "outside", "training", "training-data")


class InventoryError(FtscanError):
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
    kind: str = "model"
    """``model`` (an id), ``outside``, ``training`` (a pipeline no id matches) or
    ``training-data`` (a file no pipeline names)."""
    recipe_sites: set[Site] = field(default_factory=set)
    """Job-creation sites that make this fine-tune (suffix and base match)."""
    training_files: set[str] = field(default_factory=set)
    validation_files: set[str] = field(default_factory=set)
    recipe_note: str | None = None
    """When the recipe is not (or only probably) in the repository, what to do."""
    label: str | None = None
    """How a training or training-data row is named (it has no id)."""
    remote: Remote | None = None
    """What the provider says about the id, once reconciled (``ftscan reconcile``)."""
    past: PastSite | None = None
    """For an id found in past commits (``scan --history``): the oldest and the newest commit
    that held it, and the commit that removed it."""
    past_sites: set[Site] = field(default_factory=set)
    """Where the history last held it, per path."""

    @property
    def history_only(self) -> bool:
        """Is the id only in past commits (no file of a scanned tree holds it)?"""
        return self.past is not None and not (self.definitions or self.uses or self.mentions
                                              or self.examples)

    @property
    def key(self) -> str:
        """The row's identity in an inventory: its id, what holds a model set outside, or the
        pipeline or data file it is."""
        if self.model_id:
            return self.model_id
        if self.outside is not None:
            return f"outside:{self.outside}"
        return f"{self.kind}:{self.label or ''}"

    @property
    def shown(self) -> str:
        """What reports name the row by."""
        if self.model_id:
            return self.model_id
        if self.outside is not None:
            return f"set outside the repository: {self.outside}"
        return self.label or ""

    def recipe_text(self, several: bool) -> str:
        """The recipe in words: where the fine-tune is trained, from which files."""
        if not self.recipe_sites:
            return self.recipe_note or ""
        text = "trained by " + ", ".join(s.label(several) for s in sorted(self.recipe_sites))
        if self.training_files:
            text += " from " + ", ".join(sorted(self.training_files))
        if self.validation_files:
            text += " (validation " + ", ".join(sorted(self.validation_files)) + ")"
        return text + (f"; {self.recipe_note}" if self.recipe_note else "")

    def status(self, as_of: dt.date, window: int) -> tuple[str, int | None]:
        """Lifecycle status and days left on ``as_of``."""
        return status_of(self.shutdown_date, self.dateless_status, as_of, window)

    def copy(self) -> Row:
        """An independent copy (its sets are new)."""
        return dataclasses.replace(
            self, owners=set(self.owners), services=set(self.services),
            repositories=set(self.repositories), definitions=set(self.definitions),
            uses=set(self.uses), mentions=set(self.mentions), examples=set(self.examples),
            names=set(self.names), recipe_sites=set(self.recipe_sites),
            training_files=set(self.training_files),
            validation_files=set(self.validation_files), past_sites=set(self.past_sites))

    @property
    def example_only(self) -> bool:
        """Is the id only an example: quoted as one (a placeholder, in tests, docs or examples)
        and defined nowhere else? Uses do not count: a use of it reaches a value that is an
        example here (a placeholder in a ``.env.example`` read from the environment), and the
        value deployed is set elsewhere."""
        return bool(self.examples) and not self.definitions

    def merge(self, other: Row) -> None:
        """Fold in what another repository knows about the same id."""
        for name in ("owners", "services", "repositories", "definitions", "uses", "mentions",
                     "examples", "names", "recipe_sites", "training_files", "validation_files",
                     "past_sites"):
            getattr(self, name).update(getattr(other, name))
        if self.recipe_sites:
            self.recipe_note = None if other.recipe_note and not other.recipe_sites and (
                self.recipe_note == other.recipe_note) else self.recipe_note
        else:
            self.recipe_note = self.recipe_note or other.recipe_note
        self.base_model = self.base_model or other.base_model
        self.shutdown_date = self.shutdown_date or other.shutdown_date
        self.dateless_status = self.dateless_status or other.dateless_status
        self.next_step = self.next_step or other.next_step
        self.remote = self.remote or other.remote
        self.past = spanned(self.past, other.past)


def spanned(one: PastSite | None, other: PastSite | None) -> PastSite | None:
    """The history of an id seen in two places: from the oldest commit that held it to the
    newest (and the commit that removed it from there)."""
    if one is None or other is None:
        return one or other
    newest = max(one, other, key=lambda p: (p.last.time, p.last.sha))
    return PastSite(last=newest.last, first=min(one.first, other.first,
                                                key=lambda c: (c.time, c.sha)),
                    removed=newest.removed, versions=one.versions + other.versions)


@dataclass
class Inventory:
    """Rows plus the date and window their lifecycle is computed for."""

    as_of: dt.date
    window_days: int
    rows: dict[str, Row] = field(default_factory=dict)
    repositories: set[str] = field(default_factory=set)
    reconciliation: Reconciliation | None = None
    """The providers asked, once reconciled; rows then carry ``remote``."""
    job_creation_ends: dt.date | None = None
    """When OpenAI ends fine-tuning job creation for everyone, from the lifecycle data the
    inventory was made with (the chart's milestone)."""

    def sorted_rows(self) -> list[Row]:
        """By days left (unknown last), then id; ids that are only examples after the rest."""
        def key(row: Row) -> tuple[bool, int, str]:
            _, days = row.status(self.as_of, self.window_days)
            return (row.example_only, days if days is not None else 10**9, row.shown)

        return sorted(self.rows.values(), key=key)


def build(result: ScanResult, repository: str | None = None) -> Inventory:
    """The inventory of one scan, with the scan's own warning window."""
    default = repository or result.root.name
    repos = {root.name for root in result.roots} or {default}
    settings = result.settings
    inventory = Inventory(settings.as_of, settings.warning_window_days, repositories=repos,
                          job_creation_ends=settings.lifecycle.job_creation_ends(WIND_DOWN))
    by_id = {f.model_id: f for f in result.findings if f.model_id and f.role is not Role.USE}
    for finding in result.findings:
        if finding.role in (Role.TRAINING, Role.TRAINING_DATA) or (
                finding.role is Role.MENTION and finding.training is not None):
            continue  # recipes, below
        ids = finding.model_ids if finding.role is Role.USE and finding.model_ids else (
            finding.model_id,)
        for model_id in ids:
            source = by_id.get(model_id, finding)
            key = model_id or f"outside:{finding.outside}"
            row = inventory.rows.get(key)
            if row is None:
                row = inventory.rows[key] = _new_row(model_id, source)
            _add_site(row, finding, repository or finding.repository or default)
    for finding in result.history:
        assert finding.history is not None
        row = inventory.rows.get(finding.model_id)
        if row is None:
            row = inventory.rows[finding.model_id] = _new_row(finding.model_id, finding)
        repo = repository or finding.repository or default
        row.past_sites.add(Site(repo, finding.location.path, finding.location.start_line))
        row.past = spanned(row.past, finding.history)
        row.owners.update(finding.owners)  # who owns that path today: someone to ask
        row.repositories.add(repo)
    _add_recipes(inventory, result, repository or None, default)
    return inventory


def _add_recipes(inventory: Inventory, result: ScanResult, repository: str | None,
                 default: str) -> None:
    """Each id's recipe: the job-creation sites whose suffix and base match it (the files
    they train from); pipelines that match no id, and data files no pipeline names, get rows of
    their own."""
    sites = [f for f in result.findings if f.role is Role.TRAINING and f.training is not None]
    data = [f for f in result.findings if f.role is Role.TRAINING_DATA]
    matched: set[int] = set()
    for row in list(inventory.rows.values()):
        if not row.model_id or row.dynamic:
            continue
        for index, finding in enumerate(sites):
            assert finding.training is not None
            how = _recipe_match(row, finding.training.suffix, finding.training.base_model)
            if how is None:
                continue
            matched.add(index)
            _add_recipe_site(row, finding, repository or finding.repository or default)
            if how == "probable":
                row.recipe_note = ("probably: same base model, and neither the id nor the job "
                                   "has a suffix")
        if not row.recipe_sites:
            row.recipe_note = _missing_recipe(
                result.settings.lifecycle.job_creation_ends(row.provider))
    for index, finding in enumerate(sites):
        if index in matched:
            continue
        assert finding.training is not None
        site = finding.training
        repo = repository or finding.repository or default
        label = (f"training pipeline for {site.base_model or 'an unknown base'}"
                 + (f", suffix {site.suffix}" if site.suffix else "")
                 + f" ({finding.location.path}:{finding.location.start_line})")
        life = finding.lifecycle
        row = inventory.rows.setdefault(f"training:{label}", Row(
            model_id="", provider=site.provider, base_model=site.base_model, org=None,
            suffix=site.suffix, rule_id=finding.rule_id, dynamic=False,
            shutdown_date=life.shutdown_date.isoformat() if life.shutdown_date else None,
            next_step=life.next_step, kind="training", label=label,
            dateless_status=(life.status.value if life.shutdown_date is None and life.status in
                             (Status.DEPRECATED, Status.RETIRED) else None),
            recipe_note="no fine-tuned id of this repository matches its suffix and base"))
        _add_recipe_site(row, finding, repo)
        row.owners.update(finding.owners)
        if finding.service:
            row.services.add(finding.service)
        row.repositories.add(repo)
    used = {path for f in sites if f.training is not None for path in f.training.data_files}
    for finding in data:
        if finding.location.path in used or finding.training_data is None:
            continue
        repo = repository or finding.repository or default
        label = (f"training data {finding.location.path} ({finding.training_data.format}, "
                 f"{finding.training_data.examples} examples)")
        row = inventory.rows.setdefault(f"training-data:{label}", Row(
            model_id="", provider="any", base_model=None, org=None, suffix=None,
            rule_id=finding.rule_id, dynamic=False, shutdown_date=None, next_step=None,
            kind="training-data", label=label,
            recipe_note="no pipeline of this repository names it: keep it with the fine-tune "
                        "it made"))
        row.training_files.add(finding.location.path)
        row.owners.update(finding.owners)
        row.repositories.add(repo)


def _recipe_match(row: Row, suffix: str | None, base: str | None) -> str | None:
    """``exact`` when a site's suffix is the id's and their bases agree, ``probable`` when
    neither has a suffix and the bases agree, else ``None``."""
    if base is not None and row.base_model is not None and not (
            row.base_model.startswith(base) or base.startswith(row.base_model)):
        return None
    if suffix and row.suffix:
        return "exact" if suffix == row.suffix else None
    if not suffix and not row.suffix and base is not None and row.base_model is not None:
        return "probable"
    return None


def _add_recipe_site(row: Row, finding: Finding, repo: str) -> None:
    assert finding.training is not None
    site = finding.training
    row.recipe_sites.add(Site(repo, finding.location.path, finding.location.start_line))
    row.training_files.update(p for p in (_linked(site.training_file, site.data_files),) if p)
    row.validation_files.update(
        p for p in (_linked(site.validation_file, site.data_files),) if p)


def _linked(named: str | None, data_files: tuple[str, ...]) -> str | None:
    """A file as the repository holds it when the site's name for it was linked to a data
    file (``data/train.jsonl`` → ``ml/data/train.jsonl``), else as the site names it."""
    if named is None:
        return None
    base = named.replace("\\", "/").rsplit("/", 1)[-1]
    return next((path for path in data_files if path.rsplit("/", 1)[-1] == base), named)


def _missing_recipe(job_creation_ends: dt.date | None) -> str:
    """What to do about a fine-tune whose training is not in the repository: export it while
    the provider still creates jobs (the day its lifecycle data says that ends), else just
    export it."""
    if job_creation_ends is not None:
        return ("not in this repository: export it from the provider (training file, base, "
                f"suffix, hyperparameters) before {job_creation_ends.isoformat()}")
    return "not in this repository: export it from the provider"


def _new_row(model_id: str, finding: Finding) -> Row:
    parts = dict(finding.parts)
    life = finding.lifecycle
    return Row(
        model_id=model_id,
        provider=finding.provider,
        base_model=finding.base_model,
        org=(parts.get("org") or parts.get("account") or parts.get("workspace")
             or parts.get("project")
             or (_template_org(model_id) if finding.role is Role.DYNAMIC else None)),
        suffix=parts.get("suffix"),
        rule_id=finding.rule_id,
        dynamic=finding.role is Role.DYNAMIC,
        shutdown_date=life.shutdown_date.isoformat() if life.shutdown_date else None,
        next_step=life.next_step,
        dateless_status=(life.status.value if life.shutdown_date is None and life.status in
                         (Status.DEPRECATED, Status.RETIRED) else None),
        outside=finding.outside if not model_id else None,
        kind="outside" if not model_id and finding.outside is not None else "model",
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
    """A copy with the org of every id replaced wherever the id holds it (for sharing outside
    the org): OpenAI's org and Mistral's workspace, the org of a legacy id
    (``davinci:ft-acme:…``) and of a run-time template (``ft:{base}:acme:…``), a Fireworks
    account (also in the deployment after ``#``), a Vertex project, an AWS account."""
    out = Inventory(inventory.as_of, inventory.window_days, repositories=inventory.repositories,
                    job_creation_ends=inventory.job_creation_ends)
    for row in inventory.rows.values():
        copy = row.copy()
        if row.org:
            copy.model_id = _redact_id(row.model_id, row.org)
            copy.org = REDACTED
        out.rows[copy.key] = copy
    return out


def _redact_id(model_id: str, org: str) -> str:
    """``model_id`` with every segment that is ``org`` replaced: between ``:`` and ``/``
    separators (``ft:base:ORG:…``, ``accounts/ORG/models/…#accounts/ORG/…``,
    ``projects/ORG/…``, ``…:bedrock:region:ORG:…``), or after a legacy id's ``ft-``."""
    segment = re.escape(org)
    return re.sub(rf"(?<=[:/]){segment}(?=[:/#]|$)|(?<=:ft-){segment}(?=[:-])", REDACTED,
                  model_id)


def _template_org(template: str) -> str | None:
    """The org of a run-time template of an OpenAI id, ``ft:{base}:acme:{suffix}:{job}``, when
    it is written out (the third of its ``:``-separated fields, outside any placeholder)."""
    fields, depth, start = [], 0, 0
    for at, char in enumerate(template):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == ":" and depth == 0:
            fields.append(template[start:at])
            start = at + 1
    fields.append(template[start:])
    if len(fields) < 4 or fields[0] != "ft":
        return None
    org = fields[2]
    return org if org and not any(c in org for c in "{}$%") else None


# --------------------------------------------------------------------------- merging


def load(path: Path) -> Inventory:
    """Read a JSON inventory written by ``ftscan inventory --format json``. Anything else (not
    JSON, not an inventory, a field of the wrong type) is an :class:`InventoryError`: one line
    naming the file and, for a malformed inventory, the field."""
    try:
        data = read_json(path)
    except OSError as exc:
        raise InventoryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise InventoryError(f"{path}: not a JSON inventory ({exc})") from None
    if not isinstance(data, dict) or data.get("kind") != INVENTORY_KIND:
        raise InventoryError(f"{path}: not an ftscan inventory (no \"kind\": "
                             f"\"{INVENTORY_KIND}\"); write one with --format json")
    if data.get("version") not in READABLE_VERSIONS:
        raise InventoryError(f"{path}: inventory version {data.get('version')!r} is not "
                             f"supported (this ftscan reads versions "
                             f"{', '.join(map(str, READABLE_VERSIONS))})")
    try:
        document = Fields(data, "")
        inventory = Inventory(document.date("asOf", required=True),
                              document.number("warningWindowDays", 90),
                              repositories=document.texts("repositories"),
                              job_creation_ends=document.date("jobCreationEnds"))
        for item in document.objects("models", required=True):
            row = _row_from(item)
            inventory.rows[row.key] = row
        inventory.reconciliation = combined((reconciliation_from(document),),
                                            (row.remote for row in inventory.rows.values()))
    except ValueError as exc:
        raise InventoryError(f"{path}: malformed inventory: {exc}") from None
    return inventory


def _row_from(item: Fields) -> Row:
    """A row as an inventory of any readable version writes it."""
    repositories = item.texts("repositories")
    only = next(iter(repositories)) if len(repositories) == 1 else ""
    recipe = item.object("recipe")
    shutdown_day = item.date("shutdownDate")
    shutdown = shutdown_day.isoformat() if shutdown_day else None
    status = item.text("status")
    outside = item.text("outside")
    kind = item.text("kind") or ("outside" if outside else "model")
    if kind not in ROW_KINDS:
        raise ValueError(f"{item.where}.kind is not one of {', '.join(ROW_KINDS)}")
    return Row(
        model_id=item.text("modelId", required=True),
        provider=item.text("provider", required=True), base_model=item.text("baseModel"),
        org=item.text("org"), suffix=item.text("suffix"), rule_id=item.text("ruleId") or "",
        dynamic=item.flag("dynamic"), shutdown_date=shutdown, next_step=item.text("nextStep"),
        owners=item.texts("owners"), services=item.texts("services"),
        repositories=repositories, definitions=_read_sites(item, "definitions", only),
        uses=_read_sites(item, "uses", only), mentions=_read_sites(item, "mentions", only),
        examples=_read_sites(item, "examples", only), names=item.texts("names"),
        dateless_status=(status if shutdown is None and status in ("deprecated", "retired")
                         else None),
        outside=outside, kind=kind, label=item.text("label"),
        recipe_sites=_read_sites(recipe, "sites", only),
        training_files=recipe.texts("trainingFiles"),
        validation_files=recipe.texts("validationFiles"), recipe_note=recipe.text("note"),
        past=past_from(item.object("history")) if item.value.get("history") else None,
        past_sites=_read_sites(item.object("history"), "sites", only),
        remote=remote_from(item))


def past_from(item: Fields) -> PastSite:
    """When an id of the history was in the repository, as reports write it
    (:func:`ftscan.reporters.records.past_fields`)."""
    removed = item.text("removedIn")
    try:
        return PastSite(
            last=Commit.read(item.text("commit", required=True),
                             item.text("commitDate", required=True)),
            first=Commit.read(item.text("firstCommit", required=True),
                              item.text("firstCommitDate", required=True)),
            removed=Commit.read(removed, item.text("removedOn", required=True))
            if removed else None,
            versions=item.number("versions", 1))
    except ValueError as exc:
        raise ValueError(f"{item.where}: {exc}") from None


def _read_sites(item: Fields, key: str, repository: str) -> set[Site]:
    """Sites as version 2 writes them, or version 1 ``path:line`` strings (whose repository is
    the row's, when it has only one)."""
    found = set()
    for where, value in item.items(key):
        if isinstance(value, str):
            path, _, line = value.rpartition(":")
            found.add(Site(repository, path, _line(line, where)))
        else:
            site = Fields(value, where)
            found.add(Site(site.text("repository", required=True), site.text("path", required=True),
                           _line(site.value.get("line"), where)))
    return found


def _line(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and int(value) > 0:
        return int(value)
    raise ValueError(f"{where} has no line number")


def merge(inventories: Sequence[Inventory], as_of: dt.date | None = None) -> Inventory:
    """One inventory from several (one per repository or shard). Lifecycle is recomputed for
    ``as_of`` (default: the latest date among them)."""
    date = as_of or max((i.as_of for i in inventories), default=dt.date.today())
    window = max((i.window_days for i in inventories), default=90)
    ends = [i.job_creation_ends for i in inventories if i.job_creation_ends is not None]
    merged = Inventory(date, window, job_creation_ends=min(ends, default=None))
    for inventory in inventories:
        merged.repositories |= inventory.repositories
        for row in inventory.rows.values():
            if row.key in merged.rows:
                merged.rows[row.key].merge(row)
            else:
                merged.rows[row.key] = row.copy()
    merged.reconciliation = combined((i.reconciliation for i in inventories),
                                     (row.remote for row in merged.rows.values()))
    return merged
