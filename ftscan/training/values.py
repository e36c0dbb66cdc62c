"""What an argument of a call holds, as far as its own module spells it out.

A training script names its files and base model in a few lines: a literal, a constant, the
result of ``client.files.create(file=open("data/train.jsonl", "rb"))`` read as ``.id``, a path
joined from literals, an options dict. These are followed inside the module, over its neutral
facts (:mod:`ftscan.flow.facts`), in any language; anything else is unknown.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ftscan.flow.facts import (
    AnyOf,
    Attr,
    Call,
    DictX,
    EnvRead,
    Expr,
    Item,
    Lit,
    ModuleFacts,
    NameT,
    Ref,
)

MAX_DEPTH = 8
MAX_TEMPLATE = 2000
"""Characters of a string's source read as its template (a URL is far shorter)."""
_OPENERS = ("open", "Path", "pathlib.Path", "fs.createReadStream", "createReadStream",
            "fs.readFileSync", "readFileSync", "Path.open", "io.open", "codecs.open")
_UPLOADS = ("files.create", "files.upload", "upload_file", "files.retrieve")
_JOINS = ("os.path.join", "path.join", "path.resolve", "posixpath.join", "join", "resolve")


@dataclass(frozen=True)
class Known:
    """A value known in part: a string, an options object, or where it comes from."""

    text: str | None = None
    mapping: DictX | None = None
    origin: str | None = None
    """``env FILE_ID`` for a value read from the environment."""


class LocalValues:
    """Resolves expressions of one module to the strings they hold."""

    def __init__(self, module: ModuleFacts, source: str) -> None:
        self.source = source
        self._assigns: dict[tuple[str, str], list[Expr]] = {}
        for assign in module.assigns:
            if assign.iterate:
                continue
            for target in assign.targets:
                if isinstance(target, NameT):
                    self._assigns.setdefault((assign.scope, target.name), []).append(
                        assign.value)
        self._parents = {name: scope.parent for name, scope in module.scopes.items()}

    def resolve(self, expr: Expr | None, scope: str, depth: int = 0) -> Known:
        if expr is None or depth > MAX_DEPTH:
            return Known()
        if isinstance(expr, Lit):
            return Known(text=self._literal(expr))
        if isinstance(expr, Ref):
            value = self._binding(expr.name, scope)
            return self.resolve(value, scope, depth + 1) if value is not None else Known()
        if isinstance(expr, EnvRead):
            return Known(origin=f"env {expr.var}")
        if isinstance(expr, DictX):
            return Known(mapping=expr)
        if isinstance(expr, AnyOf):
            for option in expr.options:
                found = self.resolve(option, scope, depth + 1)
                if found.text is not None or found.mapping is not None:
                    return found
            return Known()
        if isinstance(expr, Attr) and expr.name in ("id", "name"):
            return self._uploaded(expr.obj, scope, depth)
        if isinstance(expr, Item) and expr.key in ("id", "name"):
            return self._uploaded(expr.obj, scope, depth)
        if isinstance(expr, Call):
            return self._call(expr, scope, depth)
        return Known()

    def text(self, expr: Expr | None, scope: str) -> str | None:
        """The string ``expr`` holds, or where it comes from (``env X``), or ``None``."""
        found = self.resolve(expr, scope)
        return found.text if found.text is not None else found.origin

    def built_by(self, call: Call, scope: str) -> Call | None:
        """The call that built the object a method is called on: ``engine.finetune()`` after
        ``engine = Engine(...)``, or ``Engine(...).finetune()``."""
        if not isinstance(call.callee, Attr):
            return None
        target: Expr | None = call.callee.obj
        for _ in range(MAX_DEPTH):
            if not isinstance(target, Ref):
                break
            target = self._binding(target.name, scope)
        return target if isinstance(target, Call) else None

    def template(self, expr: Expr | None, scope: str, depth: int = 0) -> str | None:
        """The string ``expr`` holds as its source spells it, placeholders and all
        (``f"{base}/fine_tuning/jobs"``, ``BASE + "/jobs"``, ``"{}/jobs".format(base)``):
        enough to match the path of a URL whose base is set elsewhere."""
        if expr is None or depth > MAX_DEPTH:
            return None
        if isinstance(expr, Lit):
            if expr.value is not None:
                return expr.value
            return self.source[expr.span.start:min(expr.span.end,
                                                   expr.span.start + MAX_TEMPLATE)]
        if isinstance(expr, Ref):
            return self.template(self._binding(expr.name, scope), scope, depth + 1)
        if isinstance(expr, AnyOf):
            return next((t for t in (self.template(o, scope, depth + 1) for o in expr.options)
                         if t is not None), None)
        if isinstance(expr, Call) and isinstance(expr.callee, Attr) and (
                expr.callee.name == "format"):
            return self.template(expr.callee.obj, scope, depth + 1)
        return None

    def entry(self, mapping: DictX, key: str, scope: str) -> Expr | None:
        """The value of ``key`` in an options object (following ``**``/``...`` spreads of
        objects the module spells out)."""
        for name, value, _ in mapping.entries:
            if name == key:
                return value
        for spread in mapping.spreads:
            inner = self.resolve(spread, scope)
            if inner.mapping is not None:
                found = self.entry(inner.mapping, key, scope)
                if found is not None:
                    return found
        return None

    # ------------------------------------------------------------------ helpers

    def _literal(self, lit: Lit) -> str | None:
        if lit.value is not None:
            return lit.value
        raw = self.source[lit.span.start:lit.span.end].strip()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"`" and len(raw) < 300:
            return raw[1:-1]
        return None

    def _binding(self, name: str, scope: str) -> Expr | None:
        current: str | None = scope
        while current is not None:
            values = self._assigns.get((current, name))
            if values:
                return values[-1]
            current = self._parents.get(current)
        return None

    def _uploaded(self, obj: Expr, scope: str, depth: int) -> Known:
        """``upload.id`` where ``upload = client.files.create(file=open("data/x.jsonl"))``:
        the uploaded file's path."""
        target = obj
        if isinstance(obj, Ref):
            bound = self._binding(obj.name, scope)
            target = bound if bound is not None else obj
        if isinstance(target, Call) and target.text.endswith(_UPLOADS):
            for arg in target.args:
                if arg.keyword in ("file", None) and arg.position in (0, -1):
                    found = self.resolve(arg.value, scope, depth + 1)
                    if found.mapping is not None:  # JS: files.create({ file: ... })
                        inner = self.entry(found.mapping, "file", scope)
                        found = self.resolve(inner, scope, depth + 1)
                    if found.text is not None or found.origin is not None:
                        return found
        return Known()

    def _call(self, call: Call, scope: str, depth: int) -> Known:
        text = call.text
        plain = [a for a in call.args if a.keyword is None and not a.spread]
        if text.endswith(_OPENERS) and plain:
            return self.resolve(plain[0].value, scope, depth + 1)
        if isinstance(call.callee, Attr) and call.callee.name == "open":  # Path("x").open()
            return self.resolve(call.callee.obj, scope, depth + 1)
        if text.endswith(_UPLOADS):
            return self._uploaded(call, scope, depth)
        if text and text.rpartition(".")[2] in _JOINS and plain:
            parts = [self.resolve(a.value, scope, depth + 1).text for a in plain]
            if all(p is not None for p in parts):
                return Known(text=posixpath.join(*[p for p in parts if p is not None]))
            return Known()
        if text in ("dict", "Object.assign") or text.endswith(".model_dump"):
            return Known()
        return Known()
