"""A reconciliation read back from a JSON inventory that ``ftscan reconcile --format json``
wrote (its rows' ``remote`` and its top-level ``reconciliation``, as
:mod:`ftscan.reporters.reconciled` writes them), so that ``ftscan inventory --merge`` keeps the
provider's side: a merged page or table still shows what the provider said.

A field of the wrong type is a ``ValueError`` naming it (:mod:`ftscan.jsonfields`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from ftscan.jsonfields import Fields
from ftscan.reconcile.model import (
    Category,
    Eligibility,
    ProviderCheck,
    Reconciliation,
    Remote,
    RemoteState,
    category_counts,
)

Choice = TypeVar("Choice", RemoteState, Category)


def remote_from(item: Fields) -> Remote | None:
    """A row's ``remote`` (absent or null: not reconciled)."""
    if item.value.get("remote") is None:
        return None
    remote = item.object("remote")
    return Remote(
        state=_choice(remote, "state", RemoteState), category=_choice(remote, "category", Category),
        owner=remote.text("ownedBy"), created=remote.date("created"), job_id=remote.text("jobId"),
        last_used=remote.date("lastUsed"), usage_known=remote.flag("usageKnown"),
        retires=remote.date("retires"), note=remote.text("note"))


def reconciliation_from(document: Fields) -> Reconciliation | None:
    """The top-level ``reconciliation`` (absent or null: not reconciled)."""
    if document.value.get("reconciliation") is None:
        return None
    found = document.object("reconciliation")
    providers = tuple(ProviderCheck(
        provider=check.text("provider", required=True), endpoint=check.text("endpoint") or "",
        models=check.number("models", 0), jobs=check.number("jobs", 0),
        usage_days=check.number("usageDays", 0), usage_note=check.text("usageNote"),
        errors=tuple(sorted(check.texts("errors"))),
        deleted=check.number("deletedUnreferenced", 0)) for check in found.objects("providers"))
    eligibility = tuple(Eligibility(
        provider=answer.text("provider", required=True),
        answer=answer.text("canCreateJobs") or "unknown", until=answer.date("until"),
        reason=answer.text("reason") or "") for answer in found.objects("eligibility"))
    return Reconciliation(found.date("checkedAt", required=True), providers, eligibility)


def combined(reconciliations: Iterable[Reconciliation | None],
             remotes: Iterable[Remote | None]) -> Reconciliation | None:
    """One reconciliation for a merged inventory: every provider check, the latest answer on
    eligibility per provider, the counts of the merged rows' ``remotes``; ``None`` when no
    inventory merged was reconciled."""
    found = sorted((r for r in reconciliations if r is not None), key=lambda r: r.checked_at)
    if not found:
        return None
    eligibility = {answer.provider: answer for r in found for answer in r.eligibility}
    return Reconciliation(found[-1].checked_at,
                          tuple(dict.fromkeys(c for r in found for c in r.providers)),
                          tuple(eligibility.values()), category_counts(remotes))


def _choice(fields: Fields, key: str, kind: type[Choice]) -> Choice:
    value = fields.text(key, required=True)
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"{fields.where}.{key} is not one of "
                         f"{', '.join(member.value for member in kind)}") from None
