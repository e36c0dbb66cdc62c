"""Azure OpenAI: a resource's fine-tuned models, from ``GET {endpoint}/openai/models``.

Fine-tunes are the entries that carry ``model`` (their base) or ``fine_tune`` (the job that made
them); ``deprecation.inference`` (Unix seconds) is when Azure stops serving one, on Azure's own
calendar. Azure has no usage API for ftscan to read: last use stays unknown.
"""

from __future__ import annotations

from typing import Any

from ftscan.http import Client
from ftscan.providers import (
    ProviderState,
    RemoteModel,
    epoch_date,
    read_model_list,
    text_or_none,
)

PROVIDER = "azure-openai"


def read_state(client: Client) -> ProviderState:
    state = ProviderState(PROVIDER, client.base_url,
                          usage_note="last use unknown: Azure has no usage API ftscan reads")
    return read_model_list(state, client, _model_from)


def _model_from(raw: Any) -> RemoteModel | None:
    if not isinstance(raw, dict):
        return None
    model_id = text_or_none(raw.get("id"))
    base = text_or_none(raw.get("model"))
    job = text_or_none(raw.get("fine_tune"))
    if model_id is None or (base is None and job is None):
        return None  # a base model
    deprecation = raw.get("deprecation")
    retires = epoch_date(deprecation.get("inference")) if isinstance(deprecation, dict) else None
    return RemoteModel(PROVIDER, model_id, base, owner=None,
                       created=epoch_date(raw.get("created_at")), job_id=job, retires=retires)
