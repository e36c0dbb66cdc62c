"""One libcst pass over a Python module: what it binds, imports, reads from the environment and
passes to model sinks, as :class:`~ftscan.aliases.facts.ModuleFacts`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState

from ftscan.aliases.facts import (
    AnyOf,
    Binding,
    CallArg,
    CallRef,
    CallSite,
    ClassFacts,
    DictRef,
    EnvRead,
    Expr,
    Import,
    Literal,
    ModuleFacts,
    NameRef,
    Opaque,
    Span,
)
from ftscan.textpos import LineIndex

_ENV_CALLS = ("getenv", "environ.get", "environ.setdefault", "environ.pop")
_SETTINGS_BASES = ("BaseSettings",)


# ----------------------------------------------------------------------------- the visitor


def _dotted(node: cst.BaseExpression) -> tuple[str, ...] | None:
    """``a.b.c`` → ("a", "b", "c"); ``a["k"]`` → ("a", "[k]"); anything else → None."""
    if isinstance(node, cst.Name):
        return (node.value,)
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return (*base, node.attr.value) if base else None
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            key = index.value.evaluated_value
            base = _dotted(node.value)
            if base and isinstance(key, str):
                return (*base, f"[{key}]")
    if isinstance(node, cst.Call):  # get_settings().field: the call's result
        callee = _dotted(node.func)
        return (*callee[:-1], callee[-1] + "()") if callee else None
    return None


def _string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class _OffsetCodegenState(CodegenState):
    """libcst's code generation, counting characters instead of keeping the code.

    libcst's ``PositionProvider`` tracks (line, column) through the same pass by splitting every
    token on newlines and building two position objects per node; a running character count
    gives the same places (the generated code is the source, character for character) at a
    fraction of the cost. Spans are syntactic, as ``PositionProvider``'s are: a node's own
    leading whitespace and comments are not part of it."""

    def __init__(self, module: cst.Module, spans: dict[cst.CSTNode, tuple[int, int]]) -> None:
        super().__init__(default_indent=module.default_indent,
                         default_newline=module.default_newline)
        self.offset = 0
        self.spans = spans
        self.starts: list[int] = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        pass  # only at the very end of the module: no node starts after it

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.spans:  # a syntactic position recorded inside wins
            self.spans[node] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *,
                                  start_node: cst.CSTNode | None = None,
                                  end_node: cst.CSTNode | None = None) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)


def node_offsets(module: cst.Module) -> dict[cst.CSTNode, tuple[int, int]]:
    """Each node's (start, end) character offsets in the module's code."""
    spans: dict[cst.CSTNode, tuple[int, int]] = {}
    module._codegen(_OffsetCodegenState(module, spans))
    return spans


# Fields that hold only whitespace, comments and punctuation: never anything a visitor here
# looks at, and a good half of every tree.
_LAYOUT_FIELDS = frozenset({
    "lpar", "rpar", "leading_lines", "lines_after_decorators", "header", "footer", "comma",
    "semicolon", "trailing_whitespace", "newline", "equal", "colon", "dot", "lbracket",
    "rbracket", "lbrace", "rbrace", "star", "operator", "asynchronous", "first_colon",
    "second_colon", "relative", "leading_whitespace",
})
# Nodes whose fields are not declared in the order their parts are written: visited in source
# order all the same, so that what visitors record comes out in the order of the text.
_SOURCE_ORDER = {
    "Arg": ("keyword", "value"),
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "ExceptHandler": ("type", "name", "body"),
    "ExceptStarHandler": ("type", "name", "body"),
    "IfExp": ("body", "test", "orelse"),
    "MatchCase": ("pattern", "guard", "body"),
    "TypeAlias": ("name", "type_parameters", "value"),
    "Parameters": ("posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params",
                   "star_kwarg"),
}
_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        names = [f.name for f in dataclasses.fields(kind)
                 if f.name not in _LAYOUT_FIELDS and not f.name.startswith("whitespace")]
        first = [n for n in _SOURCE_ORDER.get(kind.__name__, ()) if n in names]
        fields = _CHILD_FIELDS[kind] = (*first, *(n for n in names if n not in first))
    return fields


def traverse(module: cst.Module, visitors: Sequence[OffsetVisitor]) -> None:
    """Call each visitor's ``visit_<Node>`` on every node, parents before children, and its
    ``leave_<Node>`` after them, in one pass for all visitors.

    libcst's own traversal rebuilds every node it passes (a visitor could be a transformer) and
    calls a hook per attribute; reading the dataclass fields is several times faster. Fields
    of layout only (whitespace, brackets, commas) are not entered."""
    visits: dict[type[cst.CSTNode], tuple[Callable[[Any], None], ...]] = {}
    leaves: dict[type[cst.CSTNode], tuple[Callable[[Any], None], ...]] = {}

    def methods(table: dict[type[cst.CSTNode], tuple[Callable[[Any], None], ...]],
                prefix: str, kind: type[cst.CSTNode]) -> tuple[Callable[[Any], None], ...]:
        found = table.get(kind)
        if found is None:
            name = prefix + kind.__name__
            found = table[kind] = tuple(
                method for visitor in visitors
                if (method := getattr(visitor, name, None)) is not None)
        return found

    node_type = cst.CSTNode

    def walk(node: cst.CSTNode) -> None:
        kind = type(node)
        for method in visits.get(kind) or methods(visits, "visit_", kind):
            method(node)
        for name in _CHILD_FIELDS.get(kind) or _child_fields(kind):
            value = getattr(node, name)
            if isinstance(value, node_type):
                walk(value)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, node_type):
                        walk(item)
        for method in leaves.get(kind) or methods(leaves, "leave_", kind):
            method(node)

    walk(module)


class OffsetVisitor:
    """A visitor (see :func:`traverse`) that knows each node's character offsets in the
    module's text. The Python parser runs its string collector and the facts collector in one
    traversal of the tree."""

    def __init__(self, module: cst.Module, index: LineIndex,
                 offsets: dict[cst.CSTNode, tuple[int, int]]) -> None:
        self.module = module
        self.index = index
        self._offsets = offsets

    def _span(self, node: cst.CSTNode) -> Span:
        start, end = self._offsets[node]
        return Span(start, end)


class FactsCollector(OffsetVisitor):
    """The names of a module, for the alias phase: bindings, imports, classes, env reads, calls."""

    def __init__(self, module: cst.Module, index: LineIndex,
                 offsets: dict[cst.CSTNode, tuple[int, int]]) -> None:
        super().__init__(module, index, offsets)
        self.facts = ModuleFacts()
        self._classes: list[ClassFacts] = []
        self._functions: list[str] = []
        self._write_targets: set[int] = set()

    # ------------------------------------------------------------------ helpers

    def _code(self, node: cst.CSTNode) -> str:
        """The node's first line of code, as written (sliced from the text: libcst would
        generate it again)."""
        span = self._span(node)
        code = self.index.text[span.start:span.end].strip()
        first = code.splitlines()[0] if code else ""
        return first if len(first) <= 120 else first[:117] + "..."

    def _scope(self) -> str | None:
        if not self._functions:
            return None
        if self._classes:
            return f"{self._classes[-1].name}.{self._functions[-1]}"
        return self._functions[-1]

    def expr(self, node: cst.BaseExpression | None) -> Expr:
        """Reduce an expression to the shapes an alias can take."""
        if node is None:
            return Opaque()
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            return Literal(self._span(node))
        if isinstance(node, (cst.FormattedString, cst.BinaryOperation)):
            return Literal(self._span(node))  # a dynamic finding may sit here
        env = self._env_read(node)
        if env is not None:
            return env
        if isinstance(node, cst.BooleanOperation):
            return AnyOf((self.expr(node.left), self.expr(node.right)))
        if isinstance(node, cst.IfExp):
            return AnyOf((self.expr(node.body), self.expr(node.orelse)))
        if isinstance(node, cst.Dict):
            entries = []
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    key = _string(element.key)
                    if key is not None:
                        entries.append((key, self.expr(element.value), self._span(element)))
            return DictRef(tuple(entries))
        if isinstance(node, cst.Call):
            settings_field = self._field_call(node)
            if settings_field is not None:
                return settings_field
            callee = _dotted(node.func)
            return CallRef(callee, self._span(node)) if callee else Opaque()
        parts = _dotted(node)
        if parts is not None:
            return NameRef(parts, self._span(node))
        return Opaque()

    def _field_call(self, node: cst.Call) -> Expr | None:
        """``Field("default", alias=...)``: the default is the value."""
        callee = _dotted(node.func)
        if not callee or callee[-1] != "Field":
            return None
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value == "default":
                return self.expr(arg.value)
        return Opaque()

    def _env_read(self, node: cst.BaseExpression) -> EnvRead | None:
        if isinstance(node, cst.Call):
            callee = _dotted(node.func)
            if not callee or not node.args:
                return None
            name = ".".join(callee)
            if not any(name == c or name.endswith("." + c) for c in _ENV_CALLS):
                return None
            var = _string(node.args[0].value)
            if var is None:
                return None
            default = None
            for arg in node.args[1:]:
                if arg.keyword is None or arg.keyword.value in ("default", "value"):
                    default = self.expr(arg.value)
                    break
            return EnvRead(var, default, self._span(node), self._code(node))
        if isinstance(node, cst.Subscript):
            base = _dotted(node.value)
            if base and base[-1] == "environ" and len(node.slice) == 1:
                index = node.slice[0].slice
                if isinstance(index, cst.Index):
                    var = _string(index.value)
                    if var is not None:
                        return EnvRead(var, None, self._span(node), self._code(node))
        return None

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression | None,
              statement: cst.CSTNode) -> None:
        if value is None:
            return
        binding = Binding(self.expr(value), self._span(statement), self._code(statement))
        scope = self._scope()
        if isinstance(target, cst.Name):
            name = target.value
            if scope is not None:
                self.facts.locals.setdefault(scope, {}).setdefault(name, []).append(binding)
            elif self._classes:
                cls = self._classes[-1]
                cls.attributes.setdefault(name, []).append(binding)
                cls.field_spans.setdefault(name, self._span(statement))
                self._settings_field_env(cls, name, value)
            else:
                self.facts.bindings.setdefault(name, []).append(binding)
        elif (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
              and target.value.value == "self" and self._classes):
            self._classes[-1].attributes.setdefault(target.attr.value, []).append(binding)

    def _settings_field_env(self, cls: ClassFacts, name: str, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.Call) and (_dotted(value.func) or ("",))[-1] == "Field":
            for arg in value.args:
                if arg.keyword is not None and arg.keyword.value in (
                    "alias", "validation_alias", "env"
                ):
                    env = _string(arg.value)
                    if env:
                        cls.field_env[name] = env

    # ------------------------------------------------------------------ statements

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            written = self._env_read(target.target)
            if written is not None:  # os.environ["X"] = value
                self._write_targets.add(id(target.target))
                binding = Binding(self.expr(node.value), self._span(node), self._code(node))
                self.facts.env_writes.setdefault(written.var, []).append(binding)
            else:
                self._bind(target.target, node.value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target, node.value, node)

    def visit_Import(self, node: cst.Import) -> None:
        if self._functions:
            return
        for alias in node.names:
            dotted = _dotted(alias.name)
            if not dotted:
                continue
            module = ".".join(dotted)
            local = (alias.asname.name.value if alias.asname and
                     isinstance(alias.asname.name, cst.Name) else dotted[0])
            target = module if alias.asname else dotted[0]
            self.facts.imports[local] = Import(target, 0, None, self._span(node),
                                               self._code(node))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self._functions:
            return
        module = ".".join(_dotted(node.module) or ()) if node.module else ""
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            self.facts.star_imports.append(
                Import(module, level, "*", self._span(node), self._code(node)))
            return
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            name = alias.name.value
            local = (alias.asname.name.value if alias.asname and
                     isinstance(alias.asname.name, cst.Name) else name)
            self.facts.imports[local] = Import(module, level, name, self._span(node),
                                               self._code(node))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = tuple(".".join(_dotted(b.value) or ("?",)) for b in node.bases)
        cls = ClassFacts(node.name.value, bases)
        for kw in node.keywords:  # class S(BaseSettings, env_prefix="ACME_") (pydantic v1)
            if kw.keyword is not None and kw.keyword.value == "env_prefix":
                cls.env_prefix = _string(kw.value) or ""
        if not self._functions:
            self.facts.classes.setdefault(cls.name, cls)
        self._classes.append(self.facts.classes.get(cls.name, cls))
        self._find_env_prefix(node, self._classes[-1])

    def _find_env_prefix(self, node: cst.ClassDef, cls: ClassFacts) -> None:
        for statement in getattr(node.body, "body", ()):
            # model_config = SettingsConfigDict(env_prefix="ACME_")
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, (cst.Assign, cst.AnnAssign)) and isinstance(
                        small.value, cst.Call
                    ):
                        for arg in small.value.args:
                            if arg.keyword is not None and arg.keyword.value == "env_prefix":
                                cls.env_prefix = _string(arg.value) or cls.env_prefix
            # class Config: env_prefix = "ACME_"
            if isinstance(statement, cst.ClassDef) and statement.name.value == "Config":
                for inner in getattr(statement.body, "body", ()):
                    if isinstance(inner, cst.SimpleStatementLine):
                        for small in inner.body:
                            if (isinstance(small, cst.Assign) and len(small.targets) == 1
                                    and isinstance(small.targets[0].target, cst.Name)
                                    and small.targets[0].target.value == "env_prefix"):
                                cls.env_prefix = _string(small.value) or cls.env_prefix

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node.name.value)
        scope = self._scope() or node.name.value
        for param in [*node.params.params, *node.params.kwonly_params]:
            if param.default is not None:
                binding = Binding(self.expr(param.default), self._span(param),
                                  self._code(param))
                self.facts.locals.setdefault(scope, {}).setdefault(
                    param.name.value, []).append(binding)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        name = self._functions.pop()
        if len(self._functions) == 0 and not self._classes:
            self.facts.functions.setdefault(name, [])

    def visit_Return(self, node: cst.Return) -> None:
        if self._functions and not self._classes and len(self._functions) == 1:
            self.facts.functions.setdefault(self._functions[0], []).append(self.expr(node.value))

    # ------------------------------------------------------------------ reads and sinks

    def visit_Call(self, node: cst.Call) -> None:
        env = self._env_read(node)
        if env is not None:
            self.facts.env_reads.append((env, self._scope()))
            return
        callee = _dotted(node.func)
        if not callee:
            return
        dotted = ".".join(callee)
        if node.args and any(dotted == c or dotted.endswith("." + c) for c in _ENV_CALLS):
            self.facts.dynamic_env_reads += 1  # os.getenv(name): a name we cannot know
            return
        args = []
        for position, arg in enumerate(node.args):
            if arg.star:
                continue
            value = self.expr(arg.value)
            if isinstance(value, (NameRef, CallRef, EnvRead, AnyOf)):
                keyword = arg.keyword.value if arg.keyword is not None else None
                args.append(CallArg(keyword, position, value, self._span(arg.value)))
        if args:
            self.facts.calls.append(CallSite(callee, tuple(args), self._scope()))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) in self._write_targets:
            return
        env = self._env_read(node)
        if env is not None:
            self.facts.env_reads.append((env, self._scope()))
