"""A provider whose API tells ftscan only the fine-tuned models it serves, in one ``GET models``
answer (``{data: [...]}``): no jobs, no usage, no recipes; job creation ends as the lifecycle
data says. A plug-in of this shape says only which entries are fine-tunes and what they hold
(:meth:`ModelListProvider.model_from`)."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Collection
from typing import Any

from ftscan.http import HttpError
from ftscan.lifecycle import LifecycleTable
from ftscan.providers.base import Access, ProviderState, RecipeOpener, RemoteModel, Session
from ftscan.providers.job_creation import from_lifecycle_data
from ftscan.reconcile.model import Eligibility


class ModelListProvider(abc.ABC):
    name: str
    usage_note: str
    """Why last use stays unknown (shown in the report)."""
    recipes: RecipeOpener | None = None

    @abc.abstractmethod
    def model_from(self, raw: Any) -> RemoteModel | None:
        """The fine-tune an entry of the list describes; ``None`` for a base model or
        anything that is not an entry."""

    def read_state(self, access: Access, session: Session, today: dt.date,
                   checkpoint_ids: Collection[str]) -> ProviderState:
        """The fine-tuned models; a failure is recorded in :attr:`ProviderState.errors`."""
        client = session.client(access)
        state = ProviderState(self.name, client.base_url, usage_note=self.usage_note)
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
            model = self.model_from(raw)
            if model is not None:
                state.models[model.model_id] = model
        return state

    def eligibility(self, state: ProviderState, table: LifecycleTable,
                    as_of: dt.date) -> Eligibility:
        return from_lifecycle_data(state, table, as_of)
