"""What every provider plug-in offers and produces: the :class:`Provider` interface, and the
plain records (fine-tuned models, fine-tuning jobs, usage) its API answers become.

Nothing outside a provider's own folder knows an API's shape: ``ftscan reconcile`` and
``ftscan recipes export`` see only these records and this interface.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ftscan.errors import FtscanError

if TYPE_CHECKING:
    from ftscan.http import Client
    from ftscan.lifecycle import LifecycleTable
    from ftscan.reconcile.model import Eligibility

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


@dataclass(frozen=True)
class Access:
    """How to reach one provider: its base URL and the headers that carry the key."""

    provider: str
    base_url: str
    headers: Mapping[str, str] = field(repr=False)
    key_name: str
    """What to check when the key is refused, for messages (``OPENAI_API_KEY``)."""
    params: Mapping[str, str] = field(default_factory=dict)
    """Query parameters every request takes (Azure's ``api-version``)."""
    admin: Access | None = field(default=None, repr=False)
    """A second key, for what the first may not read (OpenAI's admin key, for usage)."""

    def client(self, **options: object) -> Client:
        from ftscan.http import Client

        return Client(self.base_url, headers=dict(self.headers), params=dict(self.params),
                      credential_hint=self.key_name, **options)  # type: ignore[arg-type]


def silent(_message: str) -> None:
    """Progress nobody reads."""


class Variable(NamedTuple):
    """An environment variable a provider reads (the one its own SDK reads), and what for."""

    name: str
    purpose: str
    """For ``--help`` and for the message when it is missing (``optional: ...`` when it may
    be left unset)."""


@dataclass(frozen=True)
class Session:
    """How one command asks the providers: the options of its HTTP clients (the command's
    :class:`~ftscan.http.Deadline`, shared by all of them) and where progress goes."""

    client_options: Mapping[str, object]
    progress: Progress = silent

    def client(self, access: Access) -> Client:
        return access.client(**self.client_options)


class RecipeSource(Protocol):
    """What ``recipes export`` reads from a provider that keeps fine-tuning recipes."""

    @property
    def provider(self) -> str:
        """Its name, for the manifest and progress lines."""

    @property
    def endpoint(self) -> str:
        """The base URL asked (written to the manifest)."""

    def recipe_jobs(self) -> Iterator[RemoteJob]:
        """Every fine-tuning job, each with its object as the API gave it
        (:attr:`RemoteJob.raw`)."""

    def file_info(self, file_id: str) -> Mapping[str, Any]:
        """A file's metadata (its ``filename``)."""

    def download_file(self, file_id: str, target: Path) -> int:
        """The file's content written to ``target``; its size."""


RecipeOpener = Callable[["Access", Session], RecipeSource]


class Provider(Protocol):
    """What ``ftscan reconcile`` and ``ftscan recipes export`` ask of a provider plug-in."""

    name: str
    """As the rules and the lifecycle data spell it (``provider:`` in ``rules/*.yaml``)."""
    environment: tuple[Variable, ...]
    """Every variable it reads, with what each is for (``--help`` lists them)."""
    key_variable: str
    """The variable whose being set makes it a provider to ask by default."""

    @property
    def recipes(self) -> RecipeOpener | None:
        """How ``recipes export`` reads its jobs and files; ``None``: it keeps no recipes
        ftscan exports."""

    def access(self, environ: Mapping[str, str]) -> Access:
        """How to reach it with the keys in ``environ``; a :class:`ProviderError` names the
        variable to set when one is missing (before any request is sent)."""

    def read_state(self, access: Access, session: Session, today: dt.date,
                   checkpoint_ids: Collection[str]) -> ProviderState:
        """What the organisation has there: fine-tuned models, and (where the API tells)
        fine-tuning jobs, the checkpoints of ``checkpoint_ids`` and usage up to ``today``."""

    def eligibility(self, state: ProviderState, table: LifecycleTable,
                    as_of: dt.date) -> Eligibility:
        """Whether the organisation can still create fine-tuning jobs there, by its rule
        (:func:`ftscan.providers.job_creation.from_lifecycle_data` for one without a rule of
        its own)."""


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
