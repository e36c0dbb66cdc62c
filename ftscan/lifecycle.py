"""Lifecycle data: when a base model (and so its fine-tunes) shuts down, and what that means today.

The data is ``rules/lifecycle.yaml``. This module loads and validates it and turns a base model,
a rule and a date into a :class:`~ftscan.models.Lifecycle` verdict and a level.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ftscan import yamlfast
from ftscan.models import Level, Lifecycle, Role, Status
from ftscan.ruleset import RuleError, data_folder

DEFAULT_WARNING_WINDOW_DAYS = 90


@dataclass(frozen=True)
class ModelEntry:
    """One row of lifecycle data: a set of base models of one provider and their shutdown."""

    provider: str
    bases: tuple[str, ...]
    shutdown: dt.date
    source: str
    rules: tuple[str, ...] = ()
    note: str | None = None
    next_step: str | None = None

    def applies(self, provider: str, rule_id: str, base: str | None) -> bool:
        """Does this entry cover ``base`` as found by ``rule_id``?"""
        if provider != self.provider or (self.rules and rule_id not in self.rules):
            return False
        if base is None:
            return "*" in self.bases
        return any(fnmatch.fnmatchcase(base, pattern) for pattern in self.bases)


@dataclass(frozen=True)
class Event:
    """A dated change that is not a shutdown (the fine-tuning wind-down steps)."""

    date: dt.date
    provider: str
    change: str
    source: str


@dataclass(frozen=True)
class LifecycleTable:
    """All lifecycle data, with the verdict logic."""

    version: str
    entries: tuple[ModelEntry, ...]
    events: tuple[Event, ...]
    warning_window_days: int = DEFAULT_WARNING_WINDOW_DAYS

    def entry_for(self, provider: str, rule_id: str, base: str | None) -> ModelEntry | None:
        """The first entry that covers this model, if any."""
        return next((e for e in self.entries if e.applies(provider, rule_id, base)), None)

    def verdict(
        self, provider: str, rule_id: str, base: str | None, as_of: dt.date, window_days: int
    ) -> Lifecycle:
        """Where the model stands on ``as_of``."""
        entry = self.entry_for(provider, rule_id, base)
        if entry is None:
            return Lifecycle(status=Status.UNKNOWN)
        days_left = (entry.shutdown - as_of).days
        if days_left <= 0:
            status = Status.RETIRED
        elif days_left <= window_days:
            status = Status.RETIRING
        else:
            status = Status.ACTIVE
        return Lifecycle(
            status=status,
            shutdown_date=entry.shutdown,
            days_left=days_left,
            source=entry.source,
            next_step=entry.next_step,
            note=entry.note,
        )


def remaining(status: str, shutdown: dt.date | str | None, days_left: int | None) -> str:
    """How long a model has, in words: ``53 days left, shuts down 2027-01-14``, ``shut down
    2024-01-04, 1,059 days ago``, ``shutdown date unknown``. One phrase for every report."""
    date = shutdown.isoformat() if isinstance(shutdown, dt.date) else shutdown
    if status == Status.UNKNOWN.value or days_left is None or date is None:
        return "shutdown date unknown"
    if days_left < 0:
        ago = -days_left
        return f"shut down {date}, {ago:,} day{'s' if ago != 1 else ''} ago"
    if days_left == 0:
        return f"shuts down today, {date}"
    return f"{days_left:,} day{'s' if days_left != 1 else ''} left, shuts down {date}"


def level_for(role: Role, lifecycle: Lifecycle, default: Level) -> Level:
    """The level a finding gets: note for mentions; error once the shutdown has passed or is
    inside the warning window; warning before that; the rule's default when no date is known."""
    if role in (Role.MENTION, Role.EXAMPLE):
        return Level.NOTE
    if lifecycle.status in (Status.RETIRED, Status.RETIRING):
        return Level.ERROR
    if lifecycle.status is Status.ACTIVE:
        return Level.WARNING
    return default


def load_lifecycle(path: Path | None = None) -> LifecycleTable:
    """Load the shipped lifecycle data (or the file given). Raises ``RuleError`` when invalid."""
    if path is None:
        path = data_folder() / "lifecycle.yaml"
    try:
        data = yamlfast.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot read lifecycle data: {exc}") from None
    if not isinstance(data, Mapping):
        raise RuleError(f"{path}: lifecycle data must be a mapping")
    entries = tuple(
        _entry(path, i, raw) for i, raw in enumerate(_list(data, "models", path))
    )
    events = tuple(_event(path, i, raw) for i, raw in enumerate(_list(data, "events", path)))
    window = data.get("warning_window_days", DEFAULT_WARNING_WINDOW_DAYS)
    if not isinstance(window, int) or window < 0:
        raise RuleError(f"{path}: field 'warning_window_days' must be a non-negative integer")
    return LifecycleTable(str(data.get("version", "")), entries, events, window)


def _list(data: Mapping[str, Any], key: str, path: Path) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise RuleError(f"{path}: field '{key}' must be a list")
    return value


def _date(raw: Mapping[str, Any], key: str, where: str) -> dt.date:
    value = raw.get(key)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleError(f"{where}: field '{key}' must be a date (YYYY-MM-DD)") from None


def _entry(path: Path, index: int, raw: Any) -> ModelEntry:
    where = f"{path}: models[{index}]"
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: must be a mapping")
    for key in ("provider", "bases", "shutdown", "source"):
        if key not in raw:
            raise RuleError(f"{where}: missing field '{key}'")
    bases = raw["bases"]
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise RuleError(f"{where}: field 'bases' must be a list of strings")
    return ModelEntry(
        provider=str(raw["provider"]),
        bases=tuple(bases),
        shutdown=_date(raw, "shutdown", where),
        source=str(raw["source"]),
        rules=tuple(str(r) for r in raw.get("rules", [])),
        note=raw.get("note"),
        next_step=raw.get("next_step"),
    )


def _event(path: Path, index: int, raw: Any) -> Event:
    where = f"{path}: events[{index}]"
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: must be a mapping")
    return Event(
        date=_date(raw, "date", where),
        provider=str(raw.get("provider", "")),
        change=str(raw.get("change", "")),
        source=str(raw.get("source", "")),
    )
