"""Read each provider asked for, with the keys in the environment: the only network use of
``ftscan reconcile``. A provider that fails part-way keeps what it read and says what failed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence

from ftscan.http import Deadline
from ftscan.providers import PROVIDERS, configured, provider_named
from ftscan.providers.base import (
    Progress,
    Provider,
    ProviderError,
    ProviderState,
    Session,
    silent,
)

CLIENT_OPTIONS: dict[str, object] = {}
"""Extra :class:`~ftscan.http.Client` options (tests shorten the backoff and the deadlines)."""
RECONCILE_SECONDS = 1800.0
"""The time ``ftscan reconcile`` gives its requests, all providers together."""


def client_options(seconds: float) -> dict[str, object]:
    """The options of every client of one command: the :class:`~ftscan.http.Deadline` of
    ``seconds`` they share, then :data:`CLIENT_OPTIONS`."""
    return {"deadline": Deadline(seconds), **CLIENT_OPTIONS}


def providers_to_ask(asked: Sequence[str], environ: Mapping[str, str]) -> list[Provider]:
    """The providers named, or every provider whose key is set; a :class:`ProviderError` when
    there is none to ask."""
    chosen = [provider_named(name) for name in asked] or configured(environ)
    if not chosen:
        keys = [p.key_variable for p in PROVIDERS]
        raise ProviderError(f"no provider key is set: set {', '.join(keys[:-1])} or {keys[-1]} "
                            "(see ftscan reconcile --help)")
    for provider in chosen:
        provider.access(environ)  # a missing key is told before any request
    return chosen


def read_providers(providers: Sequence[Provider], environ: Mapping[str, str], today: dt.date,
                   checkpoint_ids: Collection[str] = (),
                   progress: Progress = silent) -> list[ProviderState]:
    session = Session(client_options(RECONCILE_SECONDS), progress)
    states = []
    for provider in providers:
        access = provider.access(environ)
        session.progress(f"{provider.name}: asking {access.base_url}")
        states.append(provider.read_state(access, session, today, checkpoint_ids))
    return states
