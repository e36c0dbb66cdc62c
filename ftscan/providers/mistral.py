"""Mistral: the organisation's fine-tuned models, from ``GET /v1/models``.

Fine-tunes have ``type: "fine-tuned"``, their base in ``root``, the job in ``job`` and
``archived`` once archived. Mistral has no usage API for ftscan to read.
"""

from __future__ import annotations

from typing import Any

from ftscan.http import Client, HttpError
from ftscan.providers import ProviderState, RemoteModel, epoch_date, text_or_none

PROVIDER = "mistral"


def read_state(client: Client) -> ProviderState:
    state = ProviderState(PROVIDER, client.base_url,
                          usage_note="last use unknown: Mistral has no usage API ftscan reads")
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
        model = _model_from(raw)
        if model is not None:
            state.models[model.model_id] = model
    return state


def _model_from(raw: Any) -> RemoteModel | None:
    if not isinstance(raw, dict) or raw.get("type") != "fine-tuned":
        return None
    model_id = text_or_none(raw.get("id"))
    if model_id is None:
        return None
    return RemoteModel(PROVIDER, model_id, text_or_none(raw.get("root")),
                       text_or_none(raw.get("owned_by")), epoch_date(raw.get("created")),
                       archived=raw.get("archived") is True, job_id=text_or_none(raw.get("job")))
