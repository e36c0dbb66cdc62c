"""Code and provider side by side: each inventory row gets what the provider says about its
id, and every fine-tune the provider lists that no row names becomes a row of its own (an
orphan). Pure: the provider states are read before (:mod:`ftscan.reconcile.fetch`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from ftscan.inventory import Inventory, Row
from ftscan.lifecycle import LifecycleTable
from ftscan.providers import provider_named
from ftscan.providers.base import ProviderState, RemoteModel
from ftscan.reconcile.model import (
    Category,
    ProviderCheck,
    Reconciliation,
    Remote,
    RemoteState,
    category_counts,
)
from ftscan.ruleset import RuleSet
from ftscan.verdicts import dated


def reconcile(inventory: Inventory, states: Sequence[ProviderState], table: LifecycleTable,
              rules: RuleSet, as_of: dt.date) -> Inventory:
    """A copy of ``inventory`` with every row's provider side, orphan rows added, and the
    reconciliation (providers asked, eligibility) attached."""
    result = Inventory(inventory.as_of, inventory.window_days,
                       {key: row.copy() for key, row in inventory.rows.items()},
                       set(inventory.repositories),
                       job_creation_ends=inventory.job_creation_ends)
    by_provider = {s.provider: s for s in states}
    named: set[str] = set()
    for row in result.rows.values():
        state = by_provider.get(row.provider)
        if row.model_id:
            named.add(row.model_id)
        row.remote = _remote_for(row, state)
        if row.remote is not None and row.history_only:
            row.remote = _removed_from_code(row.remote, row)
        if state is not None and row.remote is not None and not row.recipe_sites:
            row.recipe_note = _recipe_note(row.remote.job_id, state) or row.recipe_note
    checks = []
    for state in states:
        for model in state.models.values():
            if model.model_id not in named:
                orphan = _orphan_row(model, state, table, rules, result)
                result.rows[orphan.key] = orphan
        made = {j.fine_tuned_model for j in state.jobs if j.fine_tuned_model}
        deleted = len(made - set(state.models) - named)
        checks.append(ProviderCheck(state.provider, state.endpoint, len(state.models),
                                    len(state.jobs), state.usage_days, state.usage_note,
                                    tuple(state.errors), deleted))
    counts = category_counts(row.remote for row in result.rows.values())
    eligibility = tuple(provider_named(s.provider).eligibility(s, table, as_of) for s in states)
    result.reconciliation = Reconciliation(as_of, tuple(checks), eligibility, counts)
    return result


def _remote_for(row: Row, state: ProviderState | None) -> Remote | None:
    if row.kind != "model" or not row.model_id:
        return None
    if state is None:
        return Remote(RemoteState.UNCHECKED, Category.UNCHECKED,
                      note=f"{row.provider} was not reconciled")
    if row.dynamic:
        return Remote(RemoteState.UNCHECKED, Category.UNCHECKED,
                      note="built at run time: the ids it makes are not known")
    if row.example_only:
        return Remote(RemoteState.UNCHECKED, Category.UNCHECKED,
                      note="an example or placeholder, not a live model")
    referenced = bool(row.definitions or row.uses)
    usage_known = state.last_used is not None
    last_used = state.last_used.get(row.model_id) if state.last_used is not None else None
    model = state.models.get(row.model_id)
    if model is not None:
        return Remote(RemoteState.ARCHIVED if model.archived else RemoteState.EXISTS,
                      _category(referenced, not model.archived), model.owner, model.created,
                      model.job_id, last_used, usage_known, model.retires)
    if row.model_id in state.checkpoints:
        return Remote(RemoteState.EXISTS, _category(referenced, True), last_used=last_used,
                      usage_known=usage_known, note="a checkpoint of a fine-tuning job")
    job = next((j for j in state.jobs if j.fine_tuned_model == row.model_id), None)
    if job is not None:
        return Remote(RemoteState.DELETED, _category(referenced, False), job.organization,
                      job.created.date() if job.created else None, job.job_id, last_used,
                      usage_known, note=f"made by {job.job_id}, no longer listed")
    if state.errors:
        return Remote(RemoteState.UNCHECKED, Category.UNCHECKED,
                      note="not found, but the provider's listing is incomplete")
    return Remote(RemoteState.MISSING, _category(referenced, False), last_used=last_used,
                  usage_known=usage_known,
                  note="not listed and made by no job this key can see: deleted, another "
                       "organisation's, or a typo")


def _removed_from_code(remote: Remote, row: Row) -> Remote:
    """What the provider says of an id only the repository's history holds, and when the
    code let go of it: an orphan that exists was "removed from code on DATE"."""
    past = row.past
    assert past is not None
    when = (f"removed from code on {past.removed.day.isoformat()}" if past.removed is not None
            else f"only on a branch, last committed on {past.last.day.isoformat()}")
    return dataclasses.replace(remote, note=f"{when}; {remote.note}" if remote.note else when)


def _category(referenced: bool, served: bool) -> Category:
    if served:
        return Category.REFERENCED if referenced else Category.ORPHAN
    return Category.DEAD_REFERENCE if referenced else Category.STALE_MENTION


def _orphan_row(model: RemoteModel, state: ProviderState, table: LifecycleTable,
                rules: RuleSet, inventory: Inventory) -> Row:
    """A row for a fine-tune the provider lists and no scanned code names."""
    match = next((m for m in rules.find(model.model_id) if m.model_id == model.model_id), None)
    parts = dict(match.parts) if match else {}
    base = (match.base_model if match else None) or model.base_model
    rule_id = match.rule.id if match else ""
    verdict = dated(table.entry_for(state.provider, rule_id, base, model.model_id),
                    inventory.as_of, inventory.window_days)
    status = verdict.status.value
    last_used = state.last_used.get(model.model_id) if state.last_used is not None else None
    row = Row(
        model_id=model.model_id, provider=state.provider, base_model=base,
        org=parts.get("org"), suffix=parts.get("suffix"), rule_id=rule_id, dynamic=False,
        shutdown_date=verdict.shutdown_date.isoformat() if verdict.shutdown_date else None,
        next_step=verdict.next_step,
        dateless_status=status if verdict.shutdown_date is None and status in (
            "deprecated", "retired") else None,
        recipe_note=_recipe_note(model.job_id, state))
    return dataclasses.replace(row, remote=Remote(
        RemoteState.ARCHIVED if model.archived else RemoteState.EXISTS, Category.ORPHAN,
        model.owner, model.created, model.job_id, last_used, state.last_used is not None,
        model.retires, note="no scanned code defines or uses it"))


def _recipe_note(job_id: str | None, state: ProviderState) -> str | None:
    """Where the provider says the fine-tune came from (its job and files)."""
    job = next((j for j in state.jobs if j.job_id == job_id), None) if job_id else None
    if job is None:
        return None
    files = ", ".join(f for f in (job.training_file, job.validation_file) if f)
    return (f"trained by {job.job_id}" + (f" from {files}" if files else "")
            + ": ftscan recipes export saves it")
