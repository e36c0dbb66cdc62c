"""Azure OpenAI: a resource's fine-tuned models, from ``GET {endpoint}/openai/models``.

Fine-tunes are the entries that carry ``model`` (their base) or ``fine_tune`` (the job that made
them); ``deprecation.inference`` (Unix seconds) is when Azure stops serving one, on Azure's own
calendar. Azure has no usage API for ftscan to read: last use stays unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ftscan.providers.base import Access, Provider, RemoteModel, Variable, epoch_date, text_or_none
from ftscan.providers.credentials import checked_url, optional, required
from ftscan.providers.model_list import ModelListProvider

NAME = "azure-openai"
DEFAULT_API_VERSION = "2024-10-21"


class AzureOpenAI(ModelListProvider):
    name = NAME
    key_variable = "AZURE_OPENAI_API_KEY"
    environment: tuple[Variable, ...] = (
        Variable("AZURE_OPENAI_ENDPOINT", "the resource, https://NAME.openai.azure.com"),
        Variable("AZURE_OPENAI_API_KEY", "its key"),
        Variable("OPENAI_API_VERSION", f"optional, default {DEFAULT_API_VERSION}"),
    )
    usage_note = "last use unknown: Azure has no usage API ftscan reads"

    def access(self, environ: Mapping[str, str]) -> Access:
        endpoint = required(environ, self, "AZURE_OPENAI_ENDPOINT")
        key = required(environ, self, "AZURE_OPENAI_API_KEY")
        version = optional(environ, "OPENAI_API_VERSION") or DEFAULT_API_VERSION
        return Access(self.name, checked_url(endpoint.rstrip("/") + "/openai",
                                             "AZURE_OPENAI_ENDPOINT"),
                      {"api-key": key}, "AZURE_OPENAI_API_KEY", params={"api-version": version})

    def model_from(self, raw: Any) -> RemoteModel | None:
        if not isinstance(raw, dict):
            return None
        model_id = text_or_none(raw.get("id"))
        base = text_or_none(raw.get("model"))
        job = text_or_none(raw.get("fine_tune"))
        if model_id is None or (base is None and job is None):
            return None  # a base model
        deprecation = raw.get("deprecation")
        retires = (epoch_date(deprecation.get("inference")) if isinstance(deprecation, dict)
                   else None)
        return RemoteModel(NAME, model_id, base, owner=None,
                           created=epoch_date(raw.get("created_at")), job_id=job,
                           retires=retires)


PROVIDER: Provider = AzureOpenAI()
