"""Providers as plug-ins: what the providers say exists (fine-tuned models, fine-tuning jobs,
usage), read from their APIs by ``ftscan reconcile`` and ``ftscan recipes export``, and only
when one of those commands is run.

Each provider lives in its own folder behind :class:`~ftscan.providers.base.Provider`: its name
as the rules spell it, the environment variables it reads, how it builds its access (base URL,
key headers) from them, how it reads its state into the plain records of
:mod:`ftscan.providers.base`, which job-creation rule applies, and whether ``recipes export``
can save its recipes. Nothing else in ftscan knows a provider's name, variables or API.

Adding a provider: a folder ``ftscan/providers/<name>/`` whose ``__init__.py`` defines
``PROVIDER`` (a provider that only lists models extends
:class:`~ftscan.providers.model_list.ModelListProvider`), and one line in :data:`_FOLDERS`
(plus the package in ``pyproject.toml``). Its tests: a stand-in route in ``tests/standin.py``
and its entry in ``tests/test_provider_contract.py``, which every provider passes.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from ftscan.providers.base import Provider, ProviderError

_FOLDERS = (
    "openai",
    "azure_openai",
    "mistral",
)
"""The registry: each provider's folder, in the order ``--help`` and reports list them."""

PROVIDERS: tuple[Provider, ...] = tuple(
    importlib.import_module(f"{__name__}.{folder}").PROVIDER for folder in _FOLDERS)

NAMES = tuple(provider.name for provider in PROVIDERS)


def provider_named(name: str) -> Provider:
    """The provider the rules call ``name``; a :class:`ProviderError` for an unknown one."""
    for provider in PROVIDERS:
        if provider.name == name:
            return provider
    raise ProviderError(f"unknown provider {name!r} (known: {', '.join(NAMES)})")


def configured(environ: Mapping[str, str]) -> list[Provider]:
    """The providers whose key is set."""
    return [p for p in PROVIDERS if environ.get(p.key_variable, "").strip()]


def exporting_recipes() -> tuple[Provider, ...]:
    """The providers ``recipes export`` can save recipes from."""
    return tuple(p for p in PROVIDERS if p.recipes is not None)
