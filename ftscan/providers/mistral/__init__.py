"""Mistral: the organisation's fine-tuned models, from ``GET /v1/models``.

Fine-tunes have ``type: "fine-tuned"``, their base in ``root``, the job in ``job`` and
``archived`` once archived. Mistral has no usage API for ftscan to read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftscan.providers.base import Access, Provider, RemoteModel, Variable, epoch_date, text_or_none
from ftscan.providers.credentials import required, url
from ftscan.providers.model_list import ModelListProvider

NAME = "mistral"
DEFAULT_URL = "https://api.mistral.ai/v1"


class Mistral(ModelListProvider):
    name = NAME
    key_variable = "MISTRAL_API_KEY"
    environment: tuple[Variable, ...] = (
        Variable("MISTRAL_API_KEY", "the key for the models list"),
        Variable("MISTRAL_BASE_URL", f"optional, default {DEFAULT_URL}"),
    )
    usage_note = "last use unknown: Mistral has no usage API ftscan reads"

    def access(self, environ: Mapping[str, str]) -> Access:
        key = required(environ, self, "MISTRAL_API_KEY")
        return Access(self.name, url(environ, "MISTRAL_BASE_URL", DEFAULT_URL),
                      {"Authorization": f"Bearer {key}"}, "MISTRAL_API_KEY")

    def model_from(self, raw: Any) -> RemoteModel | None:
        if not isinstance(raw, dict) or raw.get("type") != "fine-tuned":
            return None
        model_id = text_or_none(raw.get("id"))
        if model_id is None:
            return None
        return RemoteModel(NAME, model_id, text_or_none(raw.get("root")),
                           text_or_none(raw.get("owned_by")), epoch_date(raw.get("created")),
                           archived=raw.get("archived") is True,
                           job_id=text_or_none(raw.get("job")))


PROVIDER: Provider = Mistral()
