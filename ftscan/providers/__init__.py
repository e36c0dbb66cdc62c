"""What the providers say exists: the fine-tuned models, fine-tuning jobs and usage of an
organisation, read from their APIs by ``ftscan reconcile`` and ``ftscan recipes export``.

This package is the only place ftscan talks to a provider, and only when one of those commands
is run. Each provider module turns API answers into the plain records below; nothing else in
ftscan knows an API's shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ftscan.errors import FtscanError

if TYPE_CHECKING:
    from ftscan.http import Client

Progress = Callable[[str], None]
"""Where a long listing reports how far it got (stderr in the CLI)."""


@dataclass(frozen=True)
class RemoteModel:
    """A fine-tuned model the provider lists for the organisation."""

    provider: str
    model_id: str
    base_model: str | None
    owner: str | None
    """The organisation (OpenAI's ``owned_by``) or resource that owns it."""
    created: dt.date | None
    archived: bool = False
    job_id: str | None = None
    retires: dt.date | None = None
    """The provider's own end-of-inference date for it, when the API gives one."""


@dataclass(frozen=True, slots=True)
class RemoteJob:
    """A fine-tuning job: what it trained, from which files, and what it made."""

    provider: str
    job_id: str
    base_model: str | None
    fine_tuned_model: str | None
    status: str
    created: dt.datetime | None
    organization: str | None
    training_file: str | None
    validation_file: str | None
    suffix: str | None
    method: str | None
    result_files: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """The job object as the API gave it (written out by ``recipes export``)."""


@dataclass
class ProviderState:
    """Everything read from one provider, and what could not be read.

    ``last_used`` is ``None`` when usage was not read (no admin key, or a provider without a
    usage API); otherwise it maps each model id seen in usage to the last day it served
    requests, over ``usage_days`` days.
    """

    provider: str
    endpoint: str
    models: dict[str, RemoteModel] = field(default_factory=dict)
    jobs: list[RemoteJob] = field(default_factory=list)
    checkpoints: set[str] = field(default_factory=set)
    last_used: dict[str, dt.date] | None = None
    usage_days: int = 0
    usage_note: str | None = None
    """Why usage is missing or what it cannot tell."""
    errors: list[str] = field(default_factory=list)
    """One line per request that failed for good; what was read before it is kept."""

    @property
    def complete(self) -> bool:
        return not self.errors


class ProviderError(FtscanError):
    """A provider cannot be asked at all (no key, no endpoint); one line for the user."""


def read_model_list(state: ProviderState, client: Client,
                    model_from: Callable[[Any], RemoteModel | None]) -> ProviderState:
    """Fill ``state`` from one ``GET models`` answer (``{data: [...]}``), keeping the entries
    ``model_from`` makes a model of; a failure is recorded in ``state.errors``."""
    from ftscan.http import HttpError  # not at import: the CLI loads this package at start-up

    try:
        answer = client.get_json("models")
    except HttpError as exc:
        state.errors.append(f"models: {exc}")
        return state
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        state.errors.append("models: the answer has no data list")
        return state
    for raw in data:
        model = model_from(raw)
        if model is not None:
            state.models[model.model_id] = model
    return state


def epoch_date(value: Any) -> dt.date | None:
    """A date from Unix seconds, as the providers give them (``None`` for anything else)."""
    moment = epoch_time(value)
    return moment.date() if moment is not None else None


def epoch_time(value: Any) -> dt.datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


MAX_TEXT = 256
"""An API string longer than this is no id, name or status ftscan keeps (a server could send
megabytes in one field of every job of a long listing)."""


def text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= MAX_TEXT else None
