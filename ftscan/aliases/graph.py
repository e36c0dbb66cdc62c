"""The names that lead to a model id, and the hops along the way.

An :class:`Origin` is one definition (a finding with the literal id) plus the hops that carried
it to where it is read: an env var set in a manifest, a constant, an import, a settings field.
:class:`EnvBindings` answers "which definitions does env var X hold, seen from this file?" with
the monorepo scoping rule: bindings in the reader's own service and repository-level bindings
win; bindings found only in another service still resolve, at low confidence.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field

from ftscan.models import Finding, FlowStep

SERVICE_MARKERS = frozenset({
    "pyproject.toml", "setup.py", "setup.cfg", "package.json", "go.mod", "Cargo.toml",
    "pom.xml", "build.gradle", "build.gradle.kts", "catalog-info.yaml",
})
"""Files that make their folder a service (a component of a monorepo)."""


Hop = FlowStep
"""One step between a definition and a use."""


@dataclass(frozen=True)
class Origin:
    """A definition that reaches a use, and how."""

    definition: Finding
    hops: tuple[Hop, ...] = ()
    """From the definition's side to the use's side."""
    low_confidence: str | None = None
    """Why the link is uncertain (a binding in another service), or ``None``."""

    def through(self, hop: Hop | None) -> Origin:
        """This origin carried one hop further (a second hop on the same line adds nothing:
        ``X = os.getenv("X")`` is one step, not two)."""
        if hop is None or hop in self.hops:
            return self
        if self.hops:
            last = self.hops[-1].location
            if (last.path, last.start_line) == (hop.location.path, hop.location.start_line):
                return self
        return Origin(self.definition, (*self.hops, hop), self.low_confidence)


@dataclass
class ServiceMap:
    """Which service folder a path belongs to."""

    roots: set[str] = field(default_factory=set)

    def add_file(self, relpath: str) -> None:
        """Note a file; a service marker makes its folder a service (the repo root never is)."""
        folder, _, name = relpath.rpartition("/")
        if name in SERVICE_MARKERS and folder:
            self.roots.add(folder)

    def service_of(self, relpath: str) -> str | None:
        """The innermost service folder holding ``relpath``."""
        folder = posixpath.dirname(relpath)
        while folder:
            if folder in self.roots:
                return folder
            folder = posixpath.dirname(folder)
        return None


@dataclass
class EnvBindings:
    """Environment variable → the origins that set it, from every kind of file."""

    services: ServiceMap
    bindings: dict[str, list[Origin]] = field(default_factory=dict)

    def add(self, var: str, origin: Origin) -> None:
        """Record that ``origin`` sets ``var``."""
        items = self.bindings.setdefault(var, [])
        if origin not in items:
            items.append(origin)

    def names(self) -> set[str]:
        """Every variable bound to a model id."""
        return set(self.bindings)

    def origins(self, var: str, reader: str) -> list[Origin]:
        """The origins of ``var`` as seen from the file ``reader`` (scoped, see module doc)."""
        items = self.bindings.get(var, [])
        if not items:
            return []
        mine = self.services.service_of(reader)
        near: list[Origin] = []
        far: list[Origin] = []
        for origin in items:
            theirs = self.services.service_of(_source_path(origin))
            (near if theirs is None or theirs == mine else far).append(origin)
        if near:
            return near
        return [
            Origin(o.definition, o.hops,
                   f"env {var} is set only in {self.services.service_of(_source_path(o))}, "
                   "another service")
            for o in far
        ]


def _source_path(origin: Origin) -> str:
    """Where the binding that sets the variable lives: the last hop, else the definition."""
    return origin.hops[-1].location.path if origin.hops else origin.definition.location.path


def union(groups: Iterable[list[Origin]], limit: int = 64) -> list[Origin]:
    """Origins from several branches, without repeats, at most ``limit``."""
    out: list[Origin] = []
    seen: set[tuple[str, str, tuple[Hop, ...]]] = set()
    for group in groups:
        for origin in group:
            key = (origin.definition.fingerprint, origin.definition.location.path, origin.hops)
            if key not in seen:
                seen.add(key)
                out.append(origin)
                if len(out) >= limit:
                    return out
    return out
