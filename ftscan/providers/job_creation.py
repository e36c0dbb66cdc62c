"""Can the organisation still create fine-tuning jobs with a provider that has no rule of its
own? The end of job creation in the ``training`` section of the lifecycle data says."""

from __future__ import annotations

import datetime as dt

from ftscan.lifecycle import LifecycleTable
from ftscan.providers.base import ProviderState
from ftscan.reconcile.model import Eligibility


def from_lifecycle_data(state: ProviderState, table: LifecycleTable,
                        as_of: dt.date) -> Eligibility:
    """The lifecycle data's end of job creation for the bases of the provider's fine-tunes
    (the earliest, when they differ)."""
    bases: list[str | None] = [*sorted({m.base_model for m in state.models.values()
                                        if m.base_model})] or [None]
    entries = [(base, entry) for base in bases
               if (entry := table.training_entry_for(state.provider, "", base)) is not None]
    ends = [(entry.shutdown, base) for base, entry in entries if entry.shutdown is not None]
    if ends:
        end, base = min(ends, key=lambda d: d[0])
        if as_of >= end:
            return Eligibility(state.provider, "no", None,
                               f"job creation ended on {end.isoformat()}"
                               + (f" for {base}" if base else ""))
        return Eligibility(state.provider, "yes", end - dt.timedelta(days=1),
                           f"job creation ends on {end.isoformat()}"
                           + (f" for {base}" if base else "") + " (lifecycle data)")
    statuses = {entry.status.value for _, entry in entries if entry.status is not None}
    if "retired" in statuses:
        return Eligibility(state.provider, "no", None, "fine-tuning is discontinued")
    if "deprecated" in statuses:
        return Eligibility(state.provider, "unknown", None,
                           "fine-tuning is deprecated, with no end date published")
    return Eligibility(state.provider, "unknown", None,
                       "no end of job creation is known for this provider")
