"""Keys and endpoints, from the environment variables the providers' own SDKs read.

A key only ever travels in a request header to the endpoint it belongs to: never in a URL, a
message, a report or a log line, and never over plain HTTP except to this machine (a stand-in
server in tests, a local proxy).
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ftscan.providers import ProviderError

if TYPE_CHECKING:
    from ftscan.http import Client

OPENAI_DEFAULT_URL = "https://api.openai.com/v1"
MISTRAL_DEFAULT_URL = "https://api.mistral.ai/v1"
AZURE_DEFAULT_API_VERSION = "2024-10-21"

ENVIRONMENT = {
    "openai": (
        ("OPENAI_API_KEY", "the key for fine-tuning jobs, files and models (a project key "
                           "works; Reader access is enough)"),
        ("OPENAI_ADMIN_KEY", "optional: an organisation admin key, for the usage API that "
                             "gives each fine-tune's last inference date"),
        ("OPENAI_BASE_URL", f"optional, default {OPENAI_DEFAULT_URL}"),
        ("OPENAI_ORG_ID", "optional: sent as OpenAI-Organization"),
        ("OPENAI_PROJECT_ID", "optional: sent as OpenAI-Project"),
    ),
    "azure-openai": (
        ("AZURE_OPENAI_ENDPOINT", "the resource, https://NAME.openai.azure.com"),
        ("AZURE_OPENAI_API_KEY", "its key"),
        ("OPENAI_API_VERSION", f"optional, default {AZURE_DEFAULT_API_VERSION}"),
    ),
    "mistral": (
        ("MISTRAL_API_KEY", "the key for the models list"),
        ("MISTRAL_BASE_URL", f"optional, default {MISTRAL_DEFAULT_URL}"),
    ),
}
"""Every variable read, per provider, with what it is for (``--help`` prints this)."""

PROVIDERS = tuple(ENVIRONMENT)


@dataclass(frozen=True)
class Access:
    """How to reach one provider: its base URL and the headers that carry the key."""

    provider: str
    base_url: str
    headers: Mapping[str, str] = field(repr=False)
    key_name: str
    """The variable the key came from, for messages (``OPENAI_API_KEY``)."""
    admin_headers: Mapping[str, str] | None = field(default=None, repr=False)
    params: Mapping[str, str] = field(default_factory=dict)
    """Query parameters every request takes (Azure's ``api-version``)."""

    def client(self, **options: object) -> Client:
        from ftscan.http import Client

        return Client(self.base_url, headers=dict(self.headers), params=dict(self.params),
                      credential_hint=self.key_name, **options)  # type: ignore[arg-type]

    def admin_client(self, **options: object) -> Client | None:
        if self.admin_headers is None:
            return None
        from ftscan.http import Client

        return Client(self.base_url, headers=dict(self.admin_headers),
                      credential_hint="OPENAI_ADMIN_KEY (an organisation admin key)",
                      **options)  # type: ignore[arg-type]


def configured(environ: Mapping[str, str]) -> list[str]:
    """The providers whose key is set."""
    keys = {"openai": "OPENAI_API_KEY", "azure-openai": "AZURE_OPENAI_API_KEY",
            "mistral": "MISTRAL_API_KEY"}
    return [p for p in PROVIDERS if environ.get(keys[p], "").strip()]


def access_for(provider: str, environ: Mapping[str, str]) -> Access:
    """How to reach ``provider`` with the keys in ``environ``; a :class:`ProviderError` names
    the variable to set when one is missing."""
    if provider == "openai":
        key = _required(environ, "OPENAI_API_KEY", provider)
        headers = {"Authorization": f"Bearer {key}"}
        for variable, header in (("OPENAI_ORG_ID", "OpenAI-Organization"),
                                 ("OPENAI_PROJECT_ID", "OpenAI-Project")):
            if environ.get(variable, "").strip():
                headers[header] = environ[variable].strip()
        admin = environ.get("OPENAI_ADMIN_KEY", "").strip()
        return Access(provider, _url(environ, "OPENAI_BASE_URL", OPENAI_DEFAULT_URL), headers,
                      "OPENAI_API_KEY",
                      admin_headers={"Authorization": f"Bearer {admin}"} if admin else None)
    if provider == "azure-openai":
        endpoint = _required(environ, "AZURE_OPENAI_ENDPOINT", provider)
        key = _required(environ, "AZURE_OPENAI_API_KEY", provider)
        version = environ.get("OPENAI_API_VERSION", "").strip() or AZURE_DEFAULT_API_VERSION
        return Access(provider, _checked_url(endpoint.rstrip("/") + "/openai",
                                             "AZURE_OPENAI_ENDPOINT"),
                      {"api-key": key}, "AZURE_OPENAI_API_KEY",
                      params={"api-version": version})
    if provider == "mistral":
        key = _required(environ, "MISTRAL_API_KEY", provider)
        return Access(provider, _url(environ, "MISTRAL_BASE_URL", MISTRAL_DEFAULT_URL),
                      {"Authorization": f"Bearer {key}"}, "MISTRAL_API_KEY")
    raise ProviderError(f"unknown provider {provider!r} (known: {', '.join(PROVIDERS)})")


def _required(environ: Mapping[str, str], name: str, provider: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ProviderError(f"{provider}: set {name} ({dict(ENVIRONMENT[provider])[name]})")
    return value


def _url(environ: Mapping[str, str], name: str, default: str) -> str:
    value = environ.get(name, "").strip()
    return _checked_url(value, name) if value else default


def _checked_url(value: str, name: str) -> str:
    """An endpoint a key may be sent to: HTTPS, or plain HTTP to this machine only, and without
    a user name or password in it (the URL is shown in progress lines and reports; the key
    goes in its header). The messages never repeat the URL."""
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:  # a bracketed host that is not an IPv6 address
        raise ProviderError(f"{name} is not a URL") from None
    if "@" in parts.netloc:
        raise ProviderError(f"{name} must not hold a user name or password (user:pass@): "
                            "the key goes in its own variable, and the URL is shown")
    if parts.scheme == "https" or (parts.scheme == "http" and _loopback(parts.hostname)):
        return value.rstrip("/")
    raise ProviderError(f"{name} must be an https:// URL (plain http only to this machine): "
                        "a key is not sent in clear text")


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False
