"""Mistral: the organisation's fine-tuned models, from ``GET /v1/models``.

Fine-tunes have ``type: "fine-tuned"``, their base in ``root``, the job in ``job`` and
``archived`` once archived. Mistral has no usage API for ftscan to read.
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

PROVIDER = "mistral"


def read_state(client: Client) -> ProviderState:
    state = ProviderState(PROVIDER, client.base_url,
                          usage_note="last use unknown: Mistral has no usage API ftscan reads")
    return read_model_list(state, client, _model_from)


def _model_from(raw: Any) -> RemoteModel | None:
    if not isinstance(raw, dict) or raw.get("type") != "fine-tuned":
        return None
    model_id = text_or_none(raw.get("id"))
    if model_id is None:
        return None
    return RemoteModel(PROVIDER, model_id, text_or_none(raw.get("root")),
                       text_or_none(raw.get("owned_by")), epoch_date(raw.get("created")),
                       archived=raw.get("archived") is True, job_id=text_or_none(raw.get("job")))
