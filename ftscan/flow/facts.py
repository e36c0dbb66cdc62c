"""What a module of code binds, imports, reads and calls: facts in one vocabulary for every
language, with character offsets and no parser nodes.

A language plug-in (:mod:`ftscan.languages`) turns its syntax tree into these; the resolver
(:mod:`ftscan.flow`) knows nothing else about the language. Expressions are reduced to the few
shapes a value can flow through (:data:`Expr`): names, attributes, subscripts, calls,
dict/list literals and comprehensions, env reads; anything else is :class:`Opaque`.

Scopes are named by qualified names: ``""`` is the module, ``"f"`` a function, ``"C"`` a class
body, ``"C.m"`` a method, ``"f.<lambda>"`` and so on. Facts are small frozen records so that
thousands of modules can be held at once and kept in the scan cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Span:
    """Character offsets of a piece of source, in the file's own text."""

    start: int
    end: int


# ----------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Lit:
    """A string literal (or a template or concatenation that is one): definitions found inside
    its span are its values."""

    span: Span
    value: str | None = None
    """The literal's text, for a short plain string (a dict key, an attribute name)."""
    parts: tuple[Expr, ...] = ()
    """What a template or concatenation puts in (``f"openai/{model}"``, ``"openai/" + m``):
    where no id is written in it, it holds what they hold (a wrapper's prefix keeps the
    model it wraps); one that spells out an id itself is that id."""


@dataclass(frozen=True)
class Ref:
    """A name, looked up in the scope the expression appears in."""

    name: str
    span: Span


@dataclass(frozen=True)
class Attr:
    """``obj.name`` (JavaScript's ``obj?.name`` too)."""

    obj: Expr
    name: str
    span: Span


@dataclass(frozen=True)
class Item:
    """``obj[key]``: a literal string key, or ``None`` for any element (``xs[0]``, ``d[k]``)."""

    obj: Expr
    key: str | None
    span: Span


@dataclass(frozen=True)
class Arg:
    """One argument of a call. ``spread`` is 1 for ``*xs`` / ``...xs``, 2 for ``**kw``."""

    keyword: str | None
    position: int
    value: Expr
    span: Span
    spread: int = 0


@dataclass(frozen=True)
class Call:
    """A call (``new C(...)`` too). Its result is a value of its own; every call of a module is
    also listed in :attr:`ModuleFacts.calls` with its scope."""

    callee: Expr
    args: tuple[Arg, ...]
    span: Span
    text: str = ""
    """The callee as written, dotted (``client.chat.completions.create``), for sink matching."""


@dataclass(frozen=True)
class DictX:
    """A dict or object literal: entries with literal keys (``None`` for a computed key), and
    spreads (``**other`` / ``...other``)."""

    entries: tuple[tuple[str | None, Expr, Span], ...]
    spreads: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class ListX:
    """A list, tuple, set or array literal."""

    elements: tuple[Expr, ...]
    spreads: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class CompX:
    """A comprehension or generator: ``element`` for every binding of ``loops`` (each a pattern
    of names and what it iterates over), in the comprehension's own scope ``scope``."""

    element: Expr
    loops: tuple[tuple[Target, Expr], ...]
    scope: str
    span: Span


@dataclass(frozen=True)
class AnyOf:
    """``a or b``, ``a ?? b``, ``a if c else b``: any option may be the value."""

    options: tuple[Expr, ...]


@dataclass(frozen=True)
class EnvRead:
    """A read of an environment variable with a literal name (``os.getenv("X", default)``,
    ``process.env.X``)."""

    var: str
    default: Expr | None
    span: Span
    code: str


@dataclass(frozen=True)
class Outside:
    """A value that comes from outside the repository by its nature: the ``fine_tuned_model``
    of a fine-tuning job fetched at run time."""

    reason: str
    span: Span
    code: str


@dataclass(frozen=True)
class EnvObject:
    """The environment as an object: ``process.env`` passed whole, or what a schema
    validated from it (``envSchema.parse(process.env)``); each field read of it reads the
    variable of that name."""

    span: Span


@dataclass(frozen=True)
class Opaque:
    """Something a value cannot be traced through."""


Expr = (Lit | Ref | Attr | Item | Call | DictX | ListX | CompX | AnyOf | EnvRead | Outside
        | EnvObject | Opaque)


# ----------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class NameT:
    """Assignment to a name of the current scope."""

    name: str


@dataclass(frozen=True)
class AttrT:
    """Assignment to ``obj.name`` (``self.model = ...``, ``module.exports.x = ...``)."""

    obj: Expr
    name: str


@dataclass(frozen=True)
class ItemT:
    """Assignment to ``obj[key]``."""

    obj: Expr
    key: str | None


@dataclass(frozen=True)
class UnpackT:
    """``a, b = value`` (any element of the value may go to any name) or, with keys, JavaScript
    destructuring ``{a, b: c} = value`` (each name gets the field of its key)."""

    targets: tuple[Target, ...]
    keys: tuple[str | None, ...] = ()
    rest: Target | None = None
    """``*rest`` / ``...rest``: the remaining elements (or fields)."""


Target = NameT | AttrT | ItemT | UnpackT


# ----------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class Assign:
    """``targets = value`` in ``scope`` (also augmented, annotated and ``for`` targets, where
    the value is the loop's element: see :attr:`iterate`)."""

    scope: str
    targets: tuple[Target, ...]
    value: Expr
    span: Span
    code: str
    iterate: bool = False
    """The targets take the *elements* of the value (a ``for`` loop)."""


@dataclass(frozen=True)
class Import:
    """``import a.b as m`` / ``from a.b import name as local`` / ``import x from "./m"``:
    ``local`` in ``scope`` is bound to the module (``name is None``) or to one of its names
    (``"default"`` for JavaScript's default export, ``"*"`` for a star import)."""

    scope: str
    local: str
    module: str
    level: int
    """Leading dots of a relative Python import."""
    name: str | None
    span: Span
    code: str


@dataclass(frozen=True)
class Export:
    """JavaScript: ``exported`` is visible to importers as the value of ``value``; ``from_module``
    for a re-export (``export {a as b} from "./m"``, ``export * from "./m"`` with name "*")."""

    exported: str
    value: Expr | None
    span: Span
    code: str
    from_module: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Param:
    """A parameter: its name, position (``-1`` for keyword-only), default, and whether it
    collects the rest (``*args`` is 1, ``**kwargs`` is 2)."""

    name: str
    position: int
    default: Expr | None
    span: Span
    code: str
    collects: int = 0
    target: Target | None = None
    """A destructuring pattern (JavaScript ``function f({model})``) instead of a name."""


@dataclass(frozen=True)
class Function:
    """A function or method: ``qualname`` is its own scope."""

    qualname: str
    name: str
    scope: str
    """The scope it is defined in (where its name is bound)."""
    params: tuple[Param, ...]
    span: Span
    decorators: tuple[Expr, ...] = ()
    is_method: bool = False
    """Defined in a class body: its first parameter is the instance (Python's ``self``)."""
    static: bool = False
    classmethod: bool = False
    """Its first parameter is the class (Python's ``cls``)."""
    getter: bool = False
    """Read as an attribute, not called (Python's ``@property``): reading it returns what
    the method returns."""
    env_parameter: str | None = None
    """The parameter naming an environment variable the function reads (a wrapper:
    ``getRequired(name)`` returns ``process.env[name]``): a call passing a literal name
    reads that variable."""


@dataclass(frozen=True)
class Class:
    """A class: ``qualname`` is its body's scope; ``bases`` as written."""

    qualname: str
    name: str
    scope: str
    bases: tuple[Expr, ...]
    span: Span
    base_names: tuple[str, ...] = ()
    """The bases' dotted names as written (``BaseSettings``), for language rules."""
    env_prefix: str | None = None
    """Pydantic settings: the prefix of the env vars its fields read."""
    field_env: tuple[tuple[str, str], ...] = ()
    """Pydantic settings: fields with an explicit env name (``Field(alias="X")``)."""
    fields: tuple[tuple[str, Span], ...] = ()
    """Pydantic settings: declared fields and where."""


@dataclass(frozen=True)
class Return:
    """``return value`` in the function ``scope``."""

    scope: str
    value: Expr


@dataclass(frozen=True)
class EnvWrite:
    """``os.environ["X"] = value``: the code sets env X itself."""

    var: str
    value: Expr
    span: Span
    code: str


@dataclass(frozen=True)
class Scope:
    """A scope's kind and the names it binds itself (everything else is looked up outside)."""

    kind: str
    """``module``, ``function``, ``class`` or ``comprehension``."""
    parent: str | None
    names: frozenset[str] = frozenset()
    globals: frozenset[str] = frozenset()
    """Names declared ``global`` here (they live in the module scope)."""


@dataclass
class ModuleFacts:
    """Everything the resolver needs to know about one module of code."""

    language: str = ""
    scopes: dict[str, Scope] = field(default_factory=dict)
    assigns: list[Assign] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    classes: list[Class] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    calls: list[tuple[str, Call]] = field(default_factory=list)
    """Every call, with the scope it is made in."""
    env_reads: list[tuple[str, EnvRead]] = field(default_factory=list)
    env_writes: list[EnvWrite] = field(default_factory=list)
    outside: list[tuple[str, Outside]] = field(default_factory=list)
    dynamic_env_reads: int = 0
    """Env reads whose variable name is computed (``os.getenv(name)``): not followed."""

    def merge(self, other: ModuleFacts) -> None:
        """Add ``other``'s facts (the cells of one notebook form one module)."""
        for name, scope in other.scopes.items():
            known = self.scopes.get(name)
            self.scopes[name] = scope if known is None else replace(
                known, names=known.names | scope.names, globals=known.globals | scope.globals)
        self.assigns += other.assigns
        self.imports += other.imports
        self.exports += other.exports
        self.functions += other.functions
        self.classes += other.classes
        self.returns += other.returns
        self.calls += other.calls
        self.env_reads += other.env_reads
        self.env_writes += other.env_writes
        self.outside += other.outside
        self.dynamic_env_reads += other.dynamic_env_reads


# ----------------------------------------------------------------------------- offsets


def shifted(facts: ModuleFacts, remap: Callable[[int], int]) -> ModuleFacts:
    """A copy with every offset passed through ``remap`` (notebook cells → the raw file, a
    byte order mark)."""

    def span(s: Span) -> Span:
        return Span(remap(s.start), remap(s.end))

    def expr(e: Expr | None) -> Expr | None:
        if e is None:
            return None
        return _remap_expr(e, span)

    def target(t: Target | None) -> Target | None:
        if t is None:
            return None
        if isinstance(t, AttrT):
            return AttrT(_must(expr(t.obj)), t.name)
        if isinstance(t, ItemT):
            return ItemT(_must(expr(t.obj)), t.key)
        if isinstance(t, UnpackT):
            return UnpackT(tuple(_must_t(target(x)) for x in t.targets), t.keys,
                           target(t.rest))
        return t

    out = ModuleFacts(language=facts.language, scopes=dict(facts.scopes),
                      dynamic_env_reads=facts.dynamic_env_reads)
    out.assigns = [replace(a, targets=tuple(_must_t(target(t)) for t in a.targets),
                           value=_must(expr(a.value)), span=span(a.span)) for a in facts.assigns]
    out.imports = [replace(i, span=span(i.span)) for i in facts.imports]
    out.exports = [replace(e, value=expr(e.value), span=span(e.span)) for e in facts.exports]
    out.functions = [replace(f, span=span(f.span), decorators=tuple(
        _must(expr(d)) for d in f.decorators), params=tuple(
        replace(p, default=expr(p.default), span=span(p.span), target=target(p.target))
        for p in f.params)) for f in facts.functions]
    out.classes = [replace(c, span=span(c.span), bases=tuple(_must(expr(b)) for b in c.bases),
                           fields=tuple((n, span(s)) for n, s in c.fields))
                   for c in facts.classes]
    out.returns = [replace(r, value=_must(expr(r.value))) for r in facts.returns]
    out.calls = [(scope, _must_call(expr(call))) for scope, call in facts.calls]
    out.env_reads = [(scope, _must_env(expr(read))) for scope, read in facts.env_reads]
    out.env_writes = [replace(w, value=_must(expr(w.value)), span=span(w.span))
                      for w in facts.env_writes]
    out.outside = [(scope, replace(o, span=span(o.span))) for scope, o in facts.outside]
    return out


def _remap_expr(e: Expr, span: Callable[[Span], Span]) -> Expr:
    def go(x: Expr) -> Expr:
        return _remap_expr(x, span)

    if isinstance(e, Lit):
        return Lit(span(e.span), e.value, tuple(go(p) for p in e.parts))
    if isinstance(e, Ref):
        return Ref(e.name, span(e.span))
    if isinstance(e, Attr):
        return Attr(go(e.obj), e.name, span(e.span))
    if isinstance(e, Item):
        return Item(go(e.obj), e.key, span(e.span))
    if isinstance(e, Call):
        return Call(go(e.callee), tuple(replace(a, value=go(a.value), span=span(a.span))
                                        for a in e.args), span(e.span), e.text)
    if isinstance(e, DictX):
        return DictX(tuple((k, go(v), span(s)) for k, v, s in e.entries),
                     tuple(go(s) for s in e.spreads), span(e.span))
    if isinstance(e, ListX):
        return ListX(tuple(go(x) for x in e.elements), tuple(go(s) for s in e.spreads),
                     span(e.span))
    if isinstance(e, CompX):
        return CompX(go(e.element), tuple((t, go(i)) for t, i in e.loops), e.scope,
                     span(e.span))
    if isinstance(e, AnyOf):
        return AnyOf(tuple(go(o) for o in e.options))
    if isinstance(e, EnvRead):
        return EnvRead(e.var, go(e.default) if e.default is not None else None, span(e.span),
                       e.code)
    if isinstance(e, Outside):
        return Outside(e.reason, span(e.span), e.code)
    if isinstance(e, EnvObject):
        return EnvObject(span(e.span))
    return e


def _must(e: Expr | None) -> Expr:
    assert e is not None
    return e


def _must_t(t: Target | None) -> Target:
    assert t is not None
    return t


def _must_call(e: Expr | None) -> Call:
    assert isinstance(e, Call)
    return e


def _must_env(e: Expr | None) -> EnvRead:
    assert isinstance(e, EnvRead)
    return e
