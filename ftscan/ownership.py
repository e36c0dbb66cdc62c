"""Who owns a file, and which service it belongs to.

Owners come from CODEOWNERS, read the way GitHub reads it: the first of ``.github/CODEOWNERS``,
``CODEOWNERS`` and ``docs/CODEOWNERS``; each pattern turned into a regular expression by the
``codeowners`` library (a port of hmarr/codeowners, which follows GitHub's documented rules:
``docs/*`` matches the files in ``docs`` but not deeper ones, ``**`` crosses folders, an escaped
space is a space), run with RE2 so that no pattern a repository writes can take more than linear
time; the last matching line wins; a line with a pattern and no owner makes its paths
explicitly unowned. A malformed line is a warning naming the line.

A service is the nearest enclosing component that names itself: a Backstage
``catalog-info.yaml`` (``metadata.name``; its ``spec.owner`` owns the files when CODEOWNERS does
not), ``pyproject.toml`` ``[project].name``, ``package.json`` ``name``, ``go.mod`` ``module``,
``Chart.yaml`` ``name``. A definition in a deployment file names its own unit (the Kubernetes
workload, the compose service, the Terraform resource), found by the parser. The repository's
folder name is the fallback.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import codeowners
import yaml

from ftscan import yamlfast
from ftscan.models import Detection, Diagnostic, Severity
from ftscan.regex import RegexError, compile_re2, re2_available
from ftscan.safefile import UnsafeFile, read_text_limited

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
_OWNER = re.compile(
    r"^(?:@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9._-]+)?"  # @user, @org/team
    r"|[^@\s]+@[^@\s]+\.[^@\s]+)$"  # an email address
)
# Files that make their folder a named component, in the order they are consulted.
COMPONENT_FILES = ("catalog-info.yaml", "pyproject.toml", "package.json", "go.mod", "Chart.yaml")


class _Matcher(Protocol):
    def search(self, text: str) -> object | None: ...


@dataclass(frozen=True)
class OwnerRule:
    """One CODEOWNERS line."""

    pattern: str
    owners: tuple[str, ...]
    line: int
    regex: _Matcher

    def matches(self, relpath: str) -> bool:
        """Does the pattern cover the file at ``relpath``?"""
        return self.regex.search(relpath.replace(" ", codeowners.MASK)) is not None


@dataclass
class CodeOwners:
    """The rules of a CODEOWNERS file (empty when the repository has none)."""

    path: str | None = None
    rules: list[OwnerRule] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    def owners_of(self, relpath: str) -> tuple[str, ...] | None:
        """The owners of a file: the last matching rule's (possibly none), or ``None`` when no
        rule matches."""
        for rule in reversed(self.rules):
            if rule.matches(relpath):
                return rule.owners
        return None


def load_codeowners(root: Path) -> CodeOwners:
    """Find and parse the repository's CODEOWNERS file."""
    for location in CODEOWNERS_LOCATIONS:
        candidate = root / location
        if candidate.is_file() or candidate.is_symlink():
            try:
                text = read_text_limited(candidate, root=root)
            except (OSError, UnsafeFile) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else str(exc)
                return CodeOwners(location, [], [Diagnostic(
                    location, f"cannot read CODEOWNERS: {reason or exc}")])
            return parse_codeowners(text, location)
    return CodeOwners()


def parse_codeowners(text: str, location: str = "CODEOWNERS") -> CodeOwners:
    """Parse CODEOWNERS text; malformed lines become warnings and are skipped."""
    owners = CodeOwners(location)
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = re.split(r"\s+#", line, maxsplit=1)[0]  # a trailing comment
        pattern, *names = line.replace("\\ ", codeowners.MASK).split()
        problem = _problem(pattern, names)
        regex = None
        if not problem:
            try:
                regex = _compile(pattern)
            except (ValueError, RegexError) as exc:
                problem = f"pattern {pattern!r} cannot be used: {exc}"
        if problem or regex is None:
            owners.problems.append(Diagnostic(location, f"CODEOWNERS line ignored: {problem}",
                                              Severity.WARNING, number))
            continue
        owners.rules.append(OwnerRule(pattern.replace(codeowners.MASK, " "), tuple(names),
                                      number, regex))
    return owners


def _compile(pattern: str) -> _Matcher:
    """GitHub's meaning of a CODEOWNERS pattern (the ``codeowners`` library's translation),
    compiled with RE2 (``\\Z``, end of text, is RE2's ``\\z``)."""
    translated = codeowners.path_to_regex(pattern).pattern
    if not re2_available():  # pragma: no cover - google-re2 is a dependency
        return re.compile(translated)
    return compile_re2(translated.replace(r"\Z", r"\z"))


def _problem(pattern: str, names: list[str]) -> str | None:
    if pattern.startswith("!"):
        return f"negated pattern {pattern!r} is not supported by CODEOWNERS"
    if "[" in pattern and "]" in pattern:
        return f"character ranges in {pattern!r} are not supported by CODEOWNERS"
    bad = [n for n in names if not _OWNER.match(n)]
    if bad:
        return f"{bad[0]!r} is not an @user, @org/team or email address"
    return None


# --------------------------------------------------------------------------- services


@dataclass(frozen=True)
class Component:
    """A folder that names itself."""

    name: str
    owner: str | None = None
    """A Backstage ``spec.owner``, used when CODEOWNERS names nobody."""


class ComponentIndex:
    """Folder → the component it declares, read on demand and cached."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, Component | None] = {}

    def component_of(self, relpath: str) -> Component | None:
        """The nearest component enclosing a file (the root folder's included)."""
        folder = posixpath.dirname(relpath)
        while True:
            found = self._declared(folder)
            if found is not None:
                return found
            if not folder:
                return None
            folder = posixpath.dirname(folder)

    def _declared(self, folder: str) -> Component | None:
        if folder not in self._cache:
            self._cache[folder] = self._read(folder)
        return self._cache[folder]

    def _read(self, folder: str) -> Component | None:
        base = self.root / folder if folder else self.root
        for name in COMPONENT_FILES:
            path = base / name
            if not path.is_file():
                continue
            try:
                text = read_text_limited(path, root=self.root)
                component = _component(name, text)
            except (OSError, UnsafeFile, ValueError, yaml.YAMLError, tomllib.TOMLDecodeError):
                component = None
            if component is not None:
                return component
        return None


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data[key]`` when it is a mapping, else an empty one."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _component(kind: str, text: str) -> Component | None:
    if kind == "catalog-info.yaml":
        for document in yamlfast.safe_load_all(text):
            if isinstance(document, dict) and isinstance(document.get("metadata"), dict):
                name = document["metadata"].get("name")
                spec = _table(document, "spec")
                owner = spec.get("owner") if isinstance(spec.get("owner"), str) else None
                if isinstance(name, str):
                    return Component(name, owner)
        return None
    if kind == "pyproject.toml":
        data = tomllib.loads(text)
        name = _table(data, "project").get("name") or _table(_table(data, "tool"),
                                                              "poetry").get("name")
        return Component(name) if isinstance(name, str) else None
    if kind == "package.json":
        data = json.loads(text)
        name = data.get("name") if isinstance(data, dict) else None
        return Component(name) if isinstance(name, str) else None
    if kind == "go.mod":
        match = re.search(r"^module\s+(\S+)", text, re.MULTILINE)
        return Component(match.group(1)) if match else None
    if kind == "Chart.yaml":
        data = yamlfast.safe_load(text)
        name = data.get("name") if isinstance(data, dict) else None
        return Component(name) if isinstance(name, str) else None
    return None


def annotate(findings: list[Detection], root: Path) -> tuple[list[Detection], list[Diagnostic]]:
    """Every finding with its owners, service and repository (the root's folder name) filled
    in, and CODEOWNERS problems."""
    codeowners = load_codeowners(root)
    components = ComponentIndex(root)
    repository = root.name
    out = []
    for finding in findings:
        path = finding.location.path
        component = components.component_of(path)
        owners = codeowners.owners_of(path)
        if owners is None:
            owners = (component.owner,) if component is not None and component.owner else ()
        service = finding.component or (component.name if component else repository)
        out.append(replace(finding, owners=owners, service=service, repository=repository))
    return out, codeowners.problems
