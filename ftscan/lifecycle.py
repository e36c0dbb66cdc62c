"""Lifecycle data: when a base model (and so its fine-tunes) shuts down, and the source of it.

The shipped data is ``rules/lifecycle.yaml``. On top of it, first match wins:

1. entries from the scan's config (``[[tool.ftscan.lifecycle]]`` in ``pyproject.toml``,
   ``[[lifecycle]]`` in ``.ftscan.toml``): a contract's date, a private deployment's;
2. the user's override file (``~/.config/ftscan/lifecycle.yaml``, written by
   ``ftscan lifecycle update``, or ``$FTSCAN_LIFECYCLE_FILE``);
3. the shipped data.

An entry names a provider and base models or whole model ids (shell-style globs), and either a
shutdown date or, where the provider published none, a status: ``deprecated`` (still serving,
going away) or ``retired`` (gone). Every entry cites its source. This module loads and validates
them and finds the entry covering a model; what an entry means on a date is a verdict
(:mod:`ftscan.verdicts`).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ftscan import yamlfast
from ftscan.models import Status
from ftscan.ruleset import RuleError, data_folder, globs
from ftscan.safefile import UnsafeFile, read_limited

DEFAULT_WARNING_WINDOW_DAYS = 90
_DATELESS = {"deprecated": Status.DEPRECATED, "retired": Status.RETIRED}
BUILTIN = "built-in"
"""The origin of the shipped entries."""


@dataclass(frozen=True)
class ModelEntry:
    """One row of lifecycle data: a set of models of one provider and their shutdown."""

    provider: str
    bases: tuple[str, ...]
    shutdown: dt.date | None
    source: str
    rules: tuple[str, ...] = ()
    note: str | None = None
    next_step: str | None = None
    status: Status | None = None
    """For an entry without a date: ``DEPRECATED`` or ``RETIRED``."""
    models: tuple[str, ...] = ()
    """Globs over whole model ids (an override for one fine-tune, say)."""
    checked: dt.date | None = None
    """When the source was last read."""
    source_date: dt.date | None = None
    """The date the source itself carries (providers move dates: keep the one read)."""
    origin: str = BUILTIN
    """Where the entry comes from: ``built-in``, a config file, an override file."""

    def applies(self, provider: str, rule_id: str, base: str | None,
                model_id: str | None = None) -> bool:
        """Does this entry cover the model ``model_id`` (base ``base``) found by ``rule_id``?"""
        if self.provider not in ("*", provider) or (self.rules and rule_id not in self.rules):
            return False
        if self.models and model_id is not None and globs(self.models).match(model_id):
            return True
        if not self.bases:
            return False
        if base is None:
            return "*" in self.bases
        return globs(self.bases).match(base) is not None


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
    training: tuple[ModelEntry, ...] = ()
    """When each provider ends fine-tuning job creation (``shutdown`` is that day)."""

    def entry_for(self, provider: str, rule_id: str, base: str | None,
                  model_id: str | None = None) -> ModelEntry | None:
        """The first entry that covers this model, if any."""
        return next((e for e in self.entries if e.applies(provider, rule_id, base, model_id)),
                    None)

    def with_overrides(self, entries: Iterable[ModelEntry],
                       training: Iterable[ModelEntry] = ()) -> LifecycleTable:
        """This table with ``entries`` (and ``training`` entries: when job creation ends)
        consulted first."""
        added, trained = tuple(entries), tuple(training)
        if not added and not trained:
            return self
        return replace(self, entries=(*added, *self.entries),
                       training=(*trained, *self.training))

    def training_entry_for(self, provider: str, rule_id: str, base: str | None,
                           ) -> ModelEntry | None:
        """The first entry saying when ``provider`` ends fine-tuning job creation on ``base``
        (its ``shutdown`` is that day)."""
        return next((e for e in self.training if e.applies(provider, rule_id, base or "*")),
                    None)

    def job_creation_ends(self, provider: str) -> dt.date | None:
        """The day ``provider`` ends fine-tuning job creation for everyone, whatever the base
        (an entry that covers every base and no particular rule), when the data has one."""
        entry = self.training_entry_for(provider, "", None)
        return entry.shutdown if entry is not None else None


# --------------------------------------------------------------------------- loading


def user_override_file() -> Path:
    """Where ``ftscan lifecycle update`` writes, and every scan reads, the user's overrides."""
    explicit = os.environ.get("FTSCAN_LIFECYCLE_FILE")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "ftscan" / "lifecycle.yaml"


def load_lifecycle(path: Path | None = None, user_overrides: bool = True) -> LifecycleTable:
    """The shipped lifecycle data (or the file given), with the user's override file first
    when there is one. Raises ``RuleError`` when any of it is invalid."""
    table = _load_table(path or data_folder() / "lifecycle.yaml",
                        BUILTIN if path is None else str(path))
    override = user_override_file() if user_overrides and path is None else None
    if override is not None and override.is_file():
        user = _load_table(override, str(override))
        table = table.with_overrides(user.entries, user.training)
    return table


def _load_table(path: Path, origin: str) -> LifecycleTable:
    try:
        data = yamlfast.safe_load(read_limited(path).decode("utf-8"))
    except (OSError, UnsafeFile, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot read lifecycle data: {exc}") from None
    if not isinstance(data, Mapping):
        raise RuleError(f"{path}: lifecycle data must be a mapping")
    entries = tuple(
        parse_entry(raw, f"{path}: models[{i}]", origin)
        for i, raw in enumerate(_list(data, "models", path))
    )
    events = tuple(_event(path, i, raw) for i, raw in enumerate(_list(data, "events", path)))
    training = tuple(
        parse_entry(raw, f"{path}: training[{i}]", origin)
        for i, raw in enumerate(_list(data, "training", path))
    )
    window = data.get("warning_window_days", DEFAULT_WARNING_WINDOW_DAYS)
    if not isinstance(window, int) or window < 0:
        raise RuleError(f"{path}: field 'warning_window_days' must be a non-negative integer")
    return LifecycleTable(str(data.get("version", "")), entries, events, window, training)


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


def _strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: field '{key}' must be a list of strings")
    return tuple(value)


def parse_entry(raw: Any, where: str, origin: str) -> ModelEntry:
    """One entry of lifecycle data (from the YAML data or a config table). Raises
    ``RuleError`` naming ``where``."""
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: must be a mapping")
    known = {"provider", "bases", "base", "models", "model", "shutdown", "status", "source",
             "rules", "note", "next_step", "next-step", "checked", "source_date", "source-date"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise RuleError(f"{where}: unknown field '{unknown[0]}'")
    if "source" not in raw or not str(raw["source"]).strip():
        raise RuleError(f"{where}: missing field 'source' (every date needs one)")
    bases = (*_strings(raw, "bases", where), *_strings(raw, "base", where))
    models = (*_strings(raw, "models", where), *_strings(raw, "model", where))
    if not bases and not models:
        raise RuleError(f"{where}: name the models it covers with 'bases' or 'models'")
    if ("shutdown" in raw) == ("status" in raw):
        raise RuleError(f"{where}: give either a 'shutdown' date or a 'status' "
                        "(deprecated or retired), not both or neither")
    status = None
    if "status" in raw:
        status = _DATELESS.get(str(raw["status"]))
        if status is None:
            raise RuleError(f"{where}: field 'status' must be deprecated or retired")
    return ModelEntry(
        provider=str(raw.get("provider", "*")),
        bases=bases,
        models=models,
        shutdown=_date(raw, "shutdown", where) if "shutdown" in raw else None,
        status=status,
        source=str(raw["source"]),
        rules=_strings(raw, "rules", where),
        note=raw.get("note"),
        next_step=raw.get("next_step") or raw.get("next-step"),
        checked=_date(raw, "checked", where) if "checked" in raw else None,
        source_date=(_date(raw, "source_date", where) if "source_date" in raw else
                     _date(raw, "source-date", where) if "source-date" in raw else None),
        origin=origin,
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
