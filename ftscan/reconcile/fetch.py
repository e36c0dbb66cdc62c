"""Read each provider asked for, with the keys in the environment: the only network use of
``ftscan reconcile``. A provider that fails part-way keeps what it read and says what failed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence

from ftscan.http import Deadline
from ftscan.providers import Progress, ProviderError, ProviderState, azure, mistral, openai
from ftscan.providers.credentials import access_for, configured

CLIENT_OPTIONS: dict[str, object] = {}
"""Extra :class:`~ftscan.http.Client` options (tests shorten the backoff and the deadlines)."""
RECONCILE_SECONDS = 1800.0
"""The time ``ftscan reconcile`` gives its requests, all providers together."""


def client_options(seconds: float) -> dict[str, object]:
    """The options of every client of one command: the :class:`~ftscan.http.Deadline` of
    ``seconds`` they share, then :data:`CLIENT_OPTIONS`."""
    return {"deadline": Deadline(seconds), **CLIENT_OPTIONS}


def providers_to_ask(asked: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """The providers named, or every provider whose key is set; a :class:`ProviderError` when
    there is none to ask."""
    chosen = list(asked) or configured(environ)
    if not chosen:
        raise ProviderError("no provider key is set: set OPENAI_API_KEY, AZURE_OPENAI_API_KEY "
                            "or MISTRAL_API_KEY (see ftscan reconcile --help)")
    for provider in chosen:
        access_for(provider, environ)  # a missing key is told before any request
    return chosen


def read_providers(providers: Sequence[str], environ: Mapping[str, str], today: dt.date,
                   checkpoint_ids: Collection[str] = (),
                   progress: Progress | None = None) -> list[ProviderState]:
    states = []
    options = client_options(RECONCILE_SECONDS)
    for provider in providers:
        access = access_for(provider, environ)
        if progress:
            progress(f"{provider}: asking {access.base_url}")
        client = access.client(**options)
        if provider == "openai":
            api = openai.OpenAIApi(client, access.admin_client(**options), progress)
            states.append(openai.read_state(api, today, checkpoint_ids))
        elif provider == "azure-openai":
            states.append(azure.read_state(client))
        elif provider == "mistral":
            states.append(mistral.read_state(client))
        else:  # pragma: no cover - access_for refuses unknown providers
            raise ProviderError(f"unknown provider {provider!r}")
    return states
