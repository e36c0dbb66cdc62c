"""Resolving Python names across modules to the definitions they hold.

Names are looked up the way Python would: a function's locals and parameter defaults, then the
module's globals, classes, functions and imports (absolute, relative, ``import a.b as m``).
Attributes walk into modules, classes and instances (``settings = Settings()``,
``get_settings().field``, ``self.model``); subscripts with literal keys into dict literals.
Pydantic settings fields also read their environment variable. Every binding passed through
becomes a hop. Cycles and star imports end a search quietly; the caller counts them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ftscan.aliases.facts import (
    AnyOf,
    Binding,
    CallRef,
    ClassFacts,
    DictRef,
    EnvRead,
    Expr,
    Import,
    Literal,
    ModuleFacts,
    NameRef,
    Span,
)
from ftscan.aliases.graph import EnvBindings, Hop, Origin, union
from ftscan.models import Finding, Location

MAX_DEPTH = 40


@dataclass(frozen=True)
class _Value:
    expr: Expr
    path: str
    scope: str | None
    hops: tuple[Hop, ...] = ()


@dataclass(frozen=True)
class _Module:
    path: str


@dataclass(frozen=True)
class _Class:
    path: str
    name: str
    instance: bool


@dataclass(frozen=True)
class _Function:
    path: str
    name: str


@dataclass(frozen=True)
class _Env:
    var: str
    reader: str
    hops: tuple[Hop, ...] = ()


_Target = _Value | _Module | _Class | _Function | _Env


class PythonResolver:
    """Answers: which definitions can this expression in this module evaluate to?"""

    def __init__(
        self,
        modules: dict[str, ModuleFacts],
        definitions_in: Callable[[str, Span], list[Finding]],
        locate: Callable[[str, Span], Location],
        env: EnvBindings,
    ) -> None:
        self.modules = modules
        self.definitions_in = definitions_in
        self.locate = locate
        self.env = env
        self._index: dict[str, list[str]] = {}
        for path in modules:
            for name in _module_names(path):
                self._index.setdefault(name, []).append(path)
        self._active: set[tuple[object, ...]] = set()
        self.cycles = 0
        self._unresolved_stars: set[tuple[str, str, int]] = set()

    # ------------------------------------------------------------------ origins

    def origins(self, expr: Expr, path: str, scope: str | None, depth: int = 0) -> list[Origin]:
        """The definitions ``expr`` may evaluate to."""
        if depth > MAX_DEPTH:
            return []
        if isinstance(expr, Literal):
            return [Origin(d) for d in self.definitions_in(path, expr.span)]
        if isinstance(expr, EnvRead):
            hop = Hop(self.locate(path, expr.span), f"reads env {expr.var}: {expr.code}")
            found = [o.through(hop) for o in self.env.origins(expr.var, path)]
            if expr.default is not None:
                found += self.origins(expr.default, path, scope, depth + 1)
            return union([found])
        if isinstance(expr, AnyOf):
            return union(self.origins(o, path, scope, depth + 1) for o in expr.options)
        if isinstance(expr, (NameRef, CallRef)):
            return union(self._target_origins(t, depth + 1)
                         for t in self.targets(expr, path, scope, depth + 1))
        return []

    def _target_origins(self, target: _Target, depth: int) -> list[Origin]:
        if isinstance(target, _Value):
            key = ("value", target.path, target.scope, id(target.expr))
            if key in self._active:
                self.cycles += 1
                return []
            self._active.add(key)
            try:
                found = self.origins(target.expr, target.path, target.scope, depth)
            finally:
                self._active.discard(key)
            return [_through(o, target.hops) for o in found]
        if isinstance(target, _Env):
            return [_through(o, target.hops)
                    for o in self.env.origins(target.var, target.reader)]
        return []

    # ------------------------------------------------------------------ names

    def targets(self, expr: NameRef | CallRef, path: str, scope: str | None,
                depth: int) -> list[_Target]:
        """What a dotted name (or the result of a call) refers to."""
        if depth > MAX_DEPTH:
            return []
        parts = expr.parts if isinstance(expr, NameRef) else (*expr.callee[:-1],
                                                              expr.callee[-1] + "()")
        first, rest = parts[0], parts[1:]
        called = first.endswith("()")
        found = self.lookup(path, first.removesuffix("()"), scope, depth)
        if called:
            found = [r for t in found for r in self._call(t, depth)]
        for part in rest:
            found = [r for t in found for r in self.attribute(t, part, depth)]
        return found

    def lookup(self, path: str, name: str, scope: str | None, depth: int) -> list[_Target]:
        """A bare name, seen from ``scope`` (a function) in the module at ``path``."""
        facts = self.modules.get(path)
        if facts is None:
            return []
        if scope is not None:
            local = facts.locals.get(scope, {}).get(name)
            if local:
                return [self._value(b, path, scope) for b in local]
            if name == "self" and "." in scope:
                return [_Class(path, scope.split(".")[0], instance=True)]
        if name in facts.bindings:
            return [self._value(b, path, None) for b in facts.bindings[name]]
        if name in facts.classes:
            return [_Class(path, name, instance=False)]
        if name in facts.functions:
            return [_Function(path, name)]
        if name in facts.imports:
            return self._imported(path, facts.imports[name], depth)
        for star in facts.star_imports:
            modules = self._resolve_module(path, star.module, star.level)
            if not modules:
                self._unresolved_stars.add((path, star.module, star.level))
            for module in modules:
                found = self.lookup(module, name, None, depth + 1)
                if found:
                    return found
        return []

    @property
    def unresolved_star_imports(self) -> int:
        """Star imports of modules that were not read (their names cannot be followed)."""
        return len(self._unresolved_stars)

    def attribute(self, target: _Target, name: str, depth: int) -> list[_Target]:
        """``target.name`` (or ``target[key]`` when ``name`` is ``[key]``)."""
        called = name.endswith("()")
        plain = name.removesuffix("()")
        found: list[_Target] = []
        if isinstance(target, _Module):
            found = self.lookup(target.path, plain, None, depth + 1)
            if not found:
                found = [_Module(m) for m in self._submodule(target.path, plain)]
        elif isinstance(target, _Class):
            found = self._class_attribute(target.path, target.name, plain, depth)
        elif isinstance(target, _Value):
            expr = target.expr
            if isinstance(expr, DictRef) and plain.startswith("["):
                key = plain[1:-1]
                found = [
                    _Value(value, target.path, target.scope,
                           (Hop(self.locate(target.path, span), f'entry "{key}"'), *target.hops))
                    for k, value, span in expr.entries if k == key
                ]
            elif isinstance(expr, (NameRef, CallRef)):
                found = [r for t in self.targets(expr, target.path, target.scope, depth + 1)
                         for r in self.attribute(t, name, depth + 1)]
                return found
        if called:
            found = [r for t in found for r in self._call(t, depth)]
        return found

    def _call(self, target: _Target, depth: int) -> list[_Target]:
        if isinstance(target, _Class):
            return [_Class(target.path, target.name, instance=True)]
        if isinstance(target, _Function):
            facts = self.modules[target.path]
            return [_Value(e, target.path, target.name)
                    for e in facts.functions.get(target.name, [])]
        if isinstance(target, _Value) and isinstance(target.expr, (NameRef, CallRef)):
            return [r for t in self.targets(target.expr, target.path, target.scope, depth + 1)
                    for r in self._call(t, depth + 1)]
        return []

    def _class_attribute(self, path: str, name: str, attr: str, depth: int) -> list[_Target]:
        cls = self.modules[path].classes.get(name)
        if cls is None:
            return []
        found: list[_Target] = [self._value(b, path, None) for b in cls.attributes.get(attr, [])]
        if self.is_settings(path, cls, depth) and attr in cls.field_spans:
            var = self.field_env_name(path, cls, attr, depth)
            hop = Hop(self.locate(path, cls.field_spans[attr]),
                      f"settings field {cls.name}.{attr} reads env {var}")
            found.append(_Env(var, path, (hop,)))
        if not found:
            for base in cls.bases:
                for t in self.lookup(path, base.split(".")[-1], None, depth + 1):
                    if isinstance(t, _Class):
                        found += self._class_attribute(t.path, t.name, attr, depth + 1)
        return found

    def is_settings(self, path: str, cls: ClassFacts, depth: int = 0) -> bool:
        """Is ``cls`` a pydantic ``BaseSettings`` (directly or through a local base class)?"""
        if depth > MAX_DEPTH:
            return False
        for base in cls.bases:
            if base.split(".")[-1] == "BaseSettings":
                return True
            for t in self.lookup(path, base.split(".")[-1], None, depth + 1):
                if isinstance(t, _Class):
                    other = self.modules[t.path].classes.get(t.name)
                    if other is not None and other is not cls and self.is_settings(
                        t.path, other, depth + 1
                    ):
                        return True
        return False

    def field_env_name(self, path: str, cls: ClassFacts, attr: str, depth: int = 0) -> str:
        """The env var a settings field reads: its alias, else prefix + name, upper-cased."""
        if attr in cls.field_env:
            return cls.field_env[attr]
        prefix = cls.env_prefix
        if not prefix:
            for base in cls.bases:
                for t in self.lookup(path, base.split(".")[-1], None, depth + 1):
                    if isinstance(t, _Class):
                        other = self.modules[t.path].classes.get(t.name)
                        if other is not None and other.env_prefix:
                            prefix = other.env_prefix
        return (prefix + attr).upper()

    def _value(self, binding: Binding, path: str, scope: str | None) -> _Value:
        return _Value(binding.expr, path, scope,
                      (Hop(self.locate(path, binding.span), binding.code),))

    # ------------------------------------------------------------------ modules

    def _imported(self, path: str, imp: Import, depth: int) -> list[_Target]:
        hop = Hop(self.locate(path, imp.span), imp.code)
        if imp.name is None:  # import a.b as m
            return [_Module(m) for m in self._resolve_module(path, imp.module, imp.level)]
        found: list[_Target] = []
        for module in self._resolve_module(path, imp.module, imp.level):
            found.extend(_with_hop(t, hop) for t in self.lookup(module, imp.name, None, depth + 1))
            if not found:
                found += [_Module(m) for m in self._submodule(module, imp.name)]
        if not found and imp.level and not imp.module:  # from . import config
            base = self._package_dir(path, imp.level)
            found += [_Module(m) for m in self._files_for(posixpath.join(base, imp.name))]
        return found

    def _resolve_module(self, path: str, module: str, level: int) -> list[str]:
        if level:
            base = self._package_dir(path, level)
            target = posixpath.join(base, *module.split(".")) if module else base
            return self._files_for(target)
        candidates = self._index.get(module, [])
        if len(candidates) <= 1:
            return candidates
        return [_nearest(path, candidates)]

    def _submodule(self, package_path: str, name: str) -> list[str]:
        if not package_path.endswith("__init__.py"):
            return []
        return self._files_for(posixpath.join(posixpath.dirname(package_path), name))

    def _package_dir(self, path: str, level: int) -> str:
        folder = posixpath.dirname(path)
        for _ in range(level - 1):
            folder = posixpath.dirname(folder)
        return folder

    def _files_for(self, stem: str) -> list[str]:
        stem = stem.lstrip("/")
        return [p for p in (f"{stem}.py", f"{stem}/__init__.py") if p in self.modules]


def _with_hop(target: _Target, hop: Hop) -> _Target:
    """``target`` reached through one more hop (an import) on the way to the use."""
    if isinstance(target, _Value):
        return _Value(target.expr, target.path, target.scope, (*target.hops, hop))
    if isinstance(target, _Env):
        return _Env(target.var, target.reader, (*target.hops, hop))
    return target


def _through(origin: Origin, hops: tuple[Hop, ...]) -> Origin:
    for hop in hops:
        origin = origin.through(hop)
    return origin


def _module_names(path: str) -> Iterable[str]:
    """Every dotted name a file could be imported as: ``svc/app/config.py`` gives ``config``,
    ``app.config`` and ``svc.app.config`` (so namespace packages and src layouts resolve)."""
    stem = path[:-3] if path.endswith(".py") else path.rsplit(".", 1)[0]
    parts = stem.split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    for i in range(len(parts)):
        if parts[i:]:
            yield ".".join(parts[i:])


def _nearest(path: str, candidates: list[str]) -> str:
    """The candidate sharing the longest folder prefix with ``path``."""

    def shared(other: str) -> int:
        a, b = path.split("/"), other.split("/")
        n = 0
        while n < min(len(a), len(b)) - 1 and a[n] == b[n]:
            n += 1
        return n

    return max(candidates, key=lambda c: (shared(c), -len(c)))
