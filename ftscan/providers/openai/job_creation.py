"""Can the organisation still create fine-tuning jobs at OpenAI?

``../shared/reference/model-ids.md`` §2.1: since 2026-05-07 an organisation that never
fine-tuned cannot; since 2026-07-02 one without inference on a fine-tuned model in the last 60
days cannot; from 2027-01-06 (the end of job creation in the lifecycle data) nobody can. The
last inference date comes from the usage API (an admin key); without it the answer is
"unknown", never a guess.
"""

from __future__ import annotations

import datetime as dt

from ftscan.lifecycle import LifecycleTable
from ftscan.providers.base import ProviderState
from ftscan.reconcile.model import Eligibility

INFERENCE_WINDOW_DAYS = 60
"""OpenAI's rule since 2026-07-02: fine-tuned inference in the last 60 days."""
INFERENCE_RULE_FROM = dt.date(2026, 7, 2)


def eligibility(state: ProviderState, table: LifecycleTable, as_of: dt.date) -> Eligibility:
    provider = state.provider
    cutoff = table.job_creation_ends(provider)
    if cutoff is not None and as_of >= cutoff:
        return Eligibility(provider, "no", None,
                           f"job creation ended for everyone on {cutoff.isoformat()}")
    last_day = cutoff - dt.timedelta(days=1) if cutoff else None
    if any("fine-tuning jobs" in e for e in state.errors):
        return Eligibility(provider, "unknown", None,
                           "the fine-tuning jobs could not all be read")
    if not state.jobs:
        return Eligibility(provider, "no", None,
                           "no fine-tuning job is visible to this key: an organisation that "
                           "never fine-tuned cannot create jobs since 2026-05-07 (a project "
                           "key sees only its project's jobs)")
    if as_of < INFERENCE_RULE_FROM:
        return Eligibility(provider, "yes", last_day, "the organisation has fine-tuned")
    if state.last_used is None:
        return Eligibility(provider, "unknown", None,
                           "needs the last fine-tuned inference date (60-day rule): "
                           + (state.usage_note or "usage was not read"))
    served = [day for model, day in state.last_used.items() if model.startswith("ft:")]
    if not served:
        return Eligibility(provider, "unknown", None, state.usage_note or
                           "no fine-tuned model served requests in the usage window")
    last = max(served)
    lapses = last + dt.timedelta(days=INFERENCE_WINDOW_DAYS)
    if as_of > lapses:
        return Eligibility(provider, "no", None,
                           f"the last fine-tuned inference was on {last.isoformat()}, more "
                           f"than {INFERENCE_WINDOW_DAYS} days ago")
    until = min(lapses, last_day) if last_day else lapses
    return Eligibility(provider, "yes", until,
                       f"the last fine-tuned inference was on {last.isoformat()}; eligibility "
                       f"lapses {INFERENCE_WINDOW_DAYS} days after the last one"
                       + (f" and ends for everyone on {cutoff.isoformat()}" if cutoff else ""))
