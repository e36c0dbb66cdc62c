"""Deployment files whose keys are environment variables: ``vercel.json``'s ``env``,
``wrangler.toml``'s ``[vars]``, ``fly.toml``'s ``[env]``, ``netlify.toml``'s
``[build.environment]``, Heroku's ``app.json``.

Their parsers see a config key path (``env.OPENAI_MODEL``); the platform sets that key as an
environment variable of the deployed code, so the definition binds the variable, and code that
reads it is followed (:mod:`ftscan.flow.deploy`).
"""

from __future__ import annotations

import posixpath
import re

from ftscan.bindings import Binding, ConfigKey, EnvVar

_SECTIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "vercel.json": (("env",), ("build", "env")),
    "app.json": (("env",),),
    "wrangler.toml": (("vars",), ("env", "*", "vars")),
    "wrangler.json": (("vars",), ("env", "*", "vars")),
    "wrangler.jsonc": (("vars",), ("env", "*", "vars")),
    "fly.toml": (("env",),),
    "netlify.toml": (("build", "environment"), ("context", "*", "environment")),
}
"""File name → the key paths (``*``: any one key) whose children are environment variables."""
_TOKEN = re.compile(r"\[(\d+|\*)\]|\.?([^.\[\]]+)")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


def binds_env(relpath: str) -> bool:
    """Is this a deployment file whose keys are environment variables?"""
    return posixpath.basename(relpath) in _SECTIONS


def env_binding(relpath: str, binding: Binding | None) -> Binding | None:
    """The environment variable a config key of such a file sets, else the binding as is
    (Heroku's ``"env": {"X": {"value": "..."}}`` form included)."""
    if not isinstance(binding, ConfigKey):
        return binding
    sections = _SECTIONS.get(posixpath.basename(relpath))
    if not sections:
        return binding
    tokens = [m.group(2) if m.group(1) is None else None for m in _TOKEN.finditer(binding.path)]
    for section in sections:
        size = len(section)
        if len(tokens) not in (size + 1, size + 2):
            continue
        if not all(want in ("*", got)
                   for want, got in zip(section, tokens[:size], strict=True)):
            continue
        name = tokens[size]
        if len(tokens) == size + 2 and tokens[-1] != "value":
            continue
        if name is not None and _ENV_NAME.fullmatch(name):
            return EnvVar(name)
    return binding
