"""Deployment platforms' files whose keys are environment variables: ``vercel.json``'s ``env``,
``wrangler.toml``'s ``[vars]``, ``fly.toml``'s ``[env]``, ``netlify.toml``'s
``[build.environment]``, Heroku's ``app.json``.

Their format's reader names each value by its key path (``env.OPENAI_MODEL``); the platform sets
that key as an environment variable of the deployed code, so the definition binds the variable
instead, and code that reads it is followed.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re

from ftscan.bindings import Binding, ConfigKey, EnvVar
from ftscan.carriers import CarrierBase
from ftscan.parsers import ParsedFile, Parser

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


class DeployEnv(CarrierBase):
    name = "deployenv"

    def recognises(self, relpath: str) -> bool:
        return relpath.rpartition("/")[2] in _SECTIONS

    def parse(self, relpath: str, text: str, read: Parser) -> ParsedFile:
        """The format's facts, with the keys of the platform's sections as variables."""
        sections = _SECTIONS[posixpath.basename(relpath)]
        parsed = read(text)
        residual = parsed.residual_binding
        return dataclasses.replace(
            parsed,
            strings=[dataclasses.replace(s, binding=env_binding(sections, s.binding))
                     for s in parsed.strings],
            residual_binding=None if residual is None else (
                lambda offset: env_binding(sections, residual(offset))))


def env_binding(sections: tuple[tuple[str, ...], ...], binding: Binding | None,
                ) -> Binding | None:
    """The environment variable a config key in one of ``sections`` sets, else the binding as
    is (Heroku's ``"env": {"X": {"value": "..."}}`` form included)."""
    if not isinstance(binding, ConfigKey):
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


CARRIER = DeployEnv()
