"""Typed names a model id can be bound to, as parsers find them.

A definition in a ``.env`` binds an environment variable; a Helm ``values.yaml`` a config key
that templates read as ``.Values.a.b``; a Terraform variable default ``var.x``. The alias phase
follows these names to the code that reads them, so each is a typed value here (never a display
string parsed back); :meth:`display` gives the words reports show (a finding's ``context``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EnvVar:
    """An environment variable: ``.env``, compose, Kubernetes, Dockerfile, workflow ``env:``."""

    name: str

    def display(self) -> str:
        return f"env {self.name}"


@dataclass(frozen=True)
class ConfigKey:
    """A key path in a config file (YAML, JSON, TOML): ``llm.rankerModel``."""

    path: str

    def display(self) -> str:
        return self.path


@dataclass(frozen=True)
class TfVar:
    """A Terraform input variable (its ``default``, or a ``.tfvars`` assignment)."""

    name: str
    in_tfvars: bool = False

    def display(self) -> str:
        return self.name if self.in_tfvars else f"var.{self.name}.default"


@dataclass(frozen=True)
class TfLocal:
    """A Terraform local value."""

    name: str

    def display(self) -> str:
        return f"local.{self.name}"


@dataclass(frozen=True)
class Symbol:
    """A name in code (a constant, a dict entry, a keyword argument): shown as written."""

    text: str

    def display(self) -> str:
        return self.text


Binding = EnvVar | ConfigKey | TfVar | TfLocal | Symbol
