"""What a reconciliation adds to an inventory: per id, what the provider says about it; per
provider, what was asked, what failed, and whether the organisation can still create jobs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


class RemoteState(str, Enum):
    """What the provider says about an id."""

    EXISTS = "exists"
    ARCHIVED = "archived"
    """Listed, but archived (Mistral): calls fail until it is unarchived."""
    DELETED = "deleted"
    """A job of the organisation made it; the provider no longer lists it."""
    MISSING = "missing"
    """Neither listed nor made by any job the key can see: deleted long ago, another
    organisation's, or a typo. Calls fail either way."""
    UNCHECKED = "unchecked"
    """Not asked: a template, a placeholder, or a provider not reconciled."""


class Category(str, Enum):
    """Where an id stands once code and provider are put side by side."""

    REFERENCED = "referenced"
    """Exists, and code defines or uses it."""
    ORPHAN = "orphan"
    """Exists, and no scanned code defines or uses it: forgotten, or called from somewhere
    not scanned."""
    DEAD_REFERENCE = "dead-reference"
    """Code defines or uses it, and the provider does not serve it: those calls fail today."""
    STALE_MENTION = "stale-mention"
    """Only comments or docs name it, and the provider does not serve it: the docs are out of
    date."""
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class Remote:
    """The provider's side of one inventory row."""

    state: RemoteState
    category: Category
    owner: str | None = None
    created: dt.date | None = None
    job_id: str | None = None
    last_used: dt.date | None = None
    usage_known: bool = False
    """Usage was read: a ``None`` ``last_used`` then means no requests in the usage window."""
    retires: dt.date | None = None
    """The provider's own end-of-inference date, when its API gives one."""
    note: str | None = None

    @property
    def unused(self) -> bool:
        """Served by the provider, and no request in the usage window it reported."""
        return self.state in (RemoteState.EXISTS, RemoteState.ARCHIVED) and self.usage_known \
            and self.last_used is None

    def last_used_text(self, usage_days: int) -> str:
        if self.last_used is not None:
            return self.last_used.isoformat()
        return f"not in the last {usage_days} days" if self.usage_known else "unknown"


@dataclass(frozen=True)
class Eligibility:
    """Whether the organisation can still create fine-tuning jobs with a provider."""

    provider: str
    answer: str
    """``yes``, ``no`` or ``unknown``."""
    until: dt.date | None
    reason: str


@dataclass(frozen=True)
class ProviderCheck:
    """One provider asked: where, how much it answered, and what failed."""

    provider: str
    endpoint: str
    models: int
    jobs: int
    usage_days: int
    usage_note: str | None
    errors: tuple[str, ...]
    deleted: int = 0
    """Fine-tunes jobs made that the provider no longer lists, and no code references."""


@dataclass(frozen=True)
class Reconciliation:
    """The providers asked and the eligibility they imply."""

    checked_at: dt.date
    providers: tuple[ProviderCheck, ...]
    eligibility: tuple[Eligibility, ...]
    counts: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    """Rows per category (``referenced``, ``orphan``, ``dead-reference``, ``stale-mention``,
    ``unchecked``)."""

    @property
    def complete(self) -> bool:
        return not any(p.errors for p in self.providers)

    @property
    def usage_days(self) -> int:
        return max((p.usage_days for p in self.providers), default=0)


def category_counts(remotes: Iterable[Remote | None]) -> dict[str, int]:
    """Rows per category (every category, zero included): a reconciliation's ``counts``."""
    counts = {category.value: 0 for category in Category}
    for remote in remotes:
        if remote is not None:
            counts[remote.category.value] += 1
    return counts
