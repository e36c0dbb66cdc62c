"""Keys and endpoints, from the environment variables the providers' own SDKs read.

A key only ever travels in a request header to the endpoint it belongs to: never in a URL, a
message, a report or a log line, and never over plain HTTP except to this machine (a stand-in
server in tests, a local proxy). Each provider says which variables it reads
(:attr:`~ftscan.providers.base.Provider.environment`) and reads them with the functions here.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Mapping

from ftscan.providers.base import Provider, ProviderError


def optional(environ: Mapping[str, str], name: str) -> str | None:
    """The variable's value, or ``None`` when it is unset or blank."""
    return environ.get(name, "").strip() or None


def required(environ: Mapping[str, str], provider: Provider, name: str) -> str:
    """The variable's value; a :class:`ProviderError` says what it is for when it is unset."""
    value = optional(environ, name)
    if value is None:
        raise ProviderError(f"{provider.name}: set {name} "
                            f"({dict(provider.environment)[name]})")
    return value


def url(environ: Mapping[str, str], name: str, default: str) -> str:
    """The endpoint the variable names (checked by :func:`checked_url`), or ``default``."""
    value = optional(environ, name)
    return checked_url(value, name) if value else default


def checked_url(value: str, name: str) -> str:
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
