"""What a Python module binds, imports, reads from the environment and passes to model sinks:
the data, without the parser (:mod:`ftscan.aliases.pyfacts` collects it with libcst).

:class:`ModuleFacts` are small frozen records with character offsets, no libcst nodes, so
thousands of modules can be held for the resolver (and kept in the scan cache). Expressions are
reduced to the handful of shapes an alias can take (:data:`Expr`); anything else is
:class:`Opaque` and resolves to nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

# Keyword arguments that take a model (model-ids.md §4): the OpenAI and Azure SDKs old and new,
# LangChain, LlamaIndex, litellm, DSPy, instructor, boto3 Bedrock.
SINK_KEYWORDS = frozenset({
    "model", "model_name", "model_id", "modelId", "engine", "deployment_id", "deployment_name",
    "azure_deployment", "modelArn", "model_arn", "fine_tuned_model", "base_model",
})
# Callables whose first positional argument is the model, matched on the callee's last names.
POSITIONAL_SINKS: dict[str, int] = {
    "LM": 0,  # dspy.LM("openai/ft:...")
    "from_provider": 0,  # instructor.from_provider("openai/ft:...")
    "GenerativeModel": 0,  # Vertex / google.generativeai
    "models.retrieve": 0,
    "models.delete": 0,
    "completion": 0,  # litellm.completion(model, messages)
    "acompletion": 0,
    "text_completion": 0,
}


# ----------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Span:
    """Character offsets of a piece of source, in the file's own text."""

    start: int
    end: int


@dataclass(frozen=True)
class Literal:
    """A string literal (or a concatenation that is one): definitions found inside it count."""

    span: Span


@dataclass(frozen=True)
class EnvRead:
    """``os.getenv("X", default)``, ``os.environ["X"]`` and their kin."""

    var: str
    default: Expr | None
    span: Span
    code: str


@dataclass(frozen=True)
class NameRef:
    """A dotted name: ``RANKER_MODEL``, ``cfg.RANKER_MODEL``, ``settings.ranker``,
    ``MODELS["tagger"]`` (a subscript segment is written ``[tagger]``)."""

    parts: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class CallRef:
    """A call, kept for what it may return: ``Settings()``, ``get_settings()``."""

    callee: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class DictRef:
    """A dict literal with string keys."""

    entries: tuple[tuple[str, Expr, Span], ...]


@dataclass(frozen=True)
class AnyOf:
    """``a or b``, ``a if c else b``: any branch may be the value."""

    options: tuple[Expr, ...]


@dataclass(frozen=True)
class Opaque:
    """Something an alias cannot be traced through."""


Expr = Literal | EnvRead | NameRef | CallRef | DictRef | AnyOf | Opaque


# ----------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Binding:
    """``name = expr`` at some scope; ``span`` is the statement, shown as a hop."""

    expr: Expr
    span: Span
    code: str


@dataclass(frozen=True)
class Import:
    """``import a.b as m`` (``name=None``) or ``from a.b import name as alias``."""

    module: str
    level: int
    """Leading dots of a relative import."""
    name: str | None
    span: Span
    code: str


@dataclass
class ClassFacts:
    """A class: its attribute bindings and, for pydantic settings, the env var of each field."""

    name: str
    bases: tuple[str, ...]
    attributes: dict[str, list[Binding]] = field(default_factory=dict)
    field_env: dict[str, str] = field(default_factory=dict)
    """Explicit env names: ``Field(alias="X")``, ``validation_alias=``, ``env=``."""
    env_prefix: str = ""
    field_spans: dict[str, Span] = field(default_factory=dict)


@dataclass(frozen=True)
class CallArg:
    """A non-literal argument of a call: a name, an attribute, an env read."""

    keyword: str | None
    position: int
    expr: Expr
    span: Span


@dataclass(frozen=True)
class CallSite:
    """A call with at least one argument that might carry a model id by name. Which calls are
    model sinks is decided later, against the built-in list and the user's config."""

    callee: tuple[str, ...]
    args: tuple[CallArg, ...]
    scope: str | None
    """The enclosing function (``Class.method`` or ``func``), for its local names."""

    def sink_args(self, user_sinks: Sequence[tuple[str, str | int]] = ()
                  ) -> list[tuple[CallArg, str]]:
        """The arguments that go where a model goes, each with a description
        (``model= of client.chat.completions.create``)."""
        dotted = ".".join(self.callee)
        found = []
        for arg in self.args:
            how = _sink(dotted, arg.keyword, arg.position, user_sinks)
            if how is not None:
                found.append((arg, f"{how} of {dotted}"))
        return found


def _sink(dotted: str, keyword: str | None, position: int,
          user_sinks: Sequence[tuple[str, str | int]]) -> str | None:
    for name, param in user_sinks:
        if dotted == name or dotted.endswith("." + name):
            if isinstance(param, int) and keyword is None and position == param:
                return f"argument {position + 1}"
            if isinstance(param, str) and keyword == param:
                return f"{keyword}="
    if keyword is not None:
        return f"{keyword}=" if keyword in SINK_KEYWORDS else None
    for suffix, index in POSITIONAL_SINKS.items():
        if (dotted == suffix or dotted.endswith("." + suffix)) and position == index:
            return f"argument {position + 1}"
    return None


@dataclass
class ModuleFacts:
    """Everything the resolver needs to know about one Python module."""

    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    imports: dict[str, Import] = field(default_factory=dict)
    star_imports: list[Import] = field(default_factory=list)
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    functions: dict[str, list[Expr]] = field(default_factory=dict)
    """Function name → the expressions it returns."""
    locals: dict[str, dict[str, list[Binding]]] = field(default_factory=dict)
    """Function (``Class.method`` or ``func``) → its local names and parameter defaults."""
    env_reads: list[tuple[EnvRead, str | None]] = field(default_factory=list)
    env_writes: dict[str, list[Binding]] = field(default_factory=dict)
    """``os.environ["X"] = value``: the module sets env X itself."""
    calls: list[CallSite] = field(default_factory=list)
    dynamic_env_reads: int = 0
    """Env reads whose variable name is computed (``os.getenv(name)``): not followed."""


def shifted(facts: ModuleFacts, remap: Callable[[int], int]) -> ModuleFacts:
    """A copy with every offset passed through ``remap`` (notebook cells → the raw file)."""

    def span(s: Span) -> Span:
        return Span(remap(s.start), remap(s.end))

    def expr(e: Expr) -> Expr:
        if isinstance(e, Literal):
            return Literal(span(e.span))
        if isinstance(e, EnvRead):
            return replace(e, default=expr(e.default) if e.default else None, span=span(e.span))
        if isinstance(e, (NameRef, CallRef)):
            return replace(e, span=span(e.span))
        if isinstance(e, DictRef):
            return DictRef(tuple((k, expr(v), span(s)) for k, v, s in e.entries))
        if isinstance(e, AnyOf):
            return AnyOf(tuple(expr(o) for o in e.options))
        return e

    def bindings(items: dict[str, list[Binding]]) -> dict[str, list[Binding]]:
        return {k: [replace(b, expr=expr(b.expr), span=span(b.span)) for b in v]
                for k, v in items.items()}

    out = ModuleFacts()
    out.bindings = bindings(facts.bindings)
    out.imports = {k: replace(i, span=span(i.span)) for k, i in facts.imports.items()}
    out.star_imports = [replace(i, span=span(i.span)) for i in facts.star_imports]
    for name, cls in facts.classes.items():
        copy = ClassFacts(cls.name, cls.bases, bindings(cls.attributes), dict(cls.field_env),
                          cls.env_prefix, {k: span(s) for k, s in cls.field_spans.items()})
        out.classes[name] = copy
    out.functions = {k: [expr(e) for e in v] for k, v in facts.functions.items()}
    out.locals = {k: bindings(v) for k, v in facts.locals.items()}
    out.env_writes = bindings(facts.env_writes)
    out.dynamic_env_reads = facts.dynamic_env_reads
    out.env_reads = [(replace(r, default=expr(r.default) if r.default else None,
                              span=span(r.span)), scope) for r, scope in facts.env_reads]
    out.calls = [
        replace(c, args=tuple(replace(a, expr=expr(a.expr), span=span(a.span)) for a in c.args))
        for c in facts.calls
    ]
    return out


def merge(target: ModuleFacts, other: ModuleFacts) -> None:
    """Add ``other``'s facts to ``target`` (the cells of one notebook form one module)."""
    for name, items in other.bindings.items():
        target.bindings.setdefault(name, []).extend(items)
    target.imports.update(other.imports)
    target.star_imports.extend(other.star_imports)
    target.classes.update(other.classes)
    target.functions.update(other.functions)
    for scope, names in other.locals.items():
        for name, items in names.items():
            target.locals.setdefault(scope, {}).setdefault(name, []).extend(items)
    target.env_reads.extend(other.env_reads)
    target.dynamic_env_reads += other.dynamic_env_reads
    for var, items in other.env_writes.items():
        target.env_writes.setdefault(var, []).extend(items)
    target.calls.extend(other.calls)
