"""One libcst pass over a Python module: what it binds, imports, reads and calls, as neutral
:class:`~ftscan.flow.facts.ModuleFacts`.

Every scope (module, function, lambda, class body, comprehension) is named by its qualified
name and lists the names it binds itself, so the resolver can look names up the way Python
does. Expressions become the few shapes values flow through; ``getattr(x, "name")`` is an
attribute read, ``os.getenv("X")`` and its kin are env reads, pydantic ``BaseSettings`` classes
note their fields, ``env_prefix`` and aliases.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import libcst as cst

from ftscan.flow.facts import (
    AnyOf,
    Arg,
    Assign,
    Attr,
    AttrT,
    Call,
    Class,
    CompX,
    DictX,
    EnvRead,
    EnvWrite,
    Expr,
    Function,
    Import,
    Item,
    ItemT,
    ListX,
    Lit,
    ModuleFacts,
    NameT,
    Opaque,
    Param,
    Ref,
    Return,
    Scope,
    Span,
    Target,
    UnpackT,
)
from ftscan.languages.python.cst import OffsetVisitor
from ftscan.textpos import LineIndex

_FORWARDERS = {"to_thread": 0, "run_sync": 0, "submit": 0, "run_in_executor": 1}
"""Methods that call the function they are given with the arguments after it, by the
position of the function (``asyncio.to_thread(f, *args)``, ``loop.run_in_executor(None, f,
*args)``, ``executor.submit(f, *args)``, anyio's ``to_thread.run_sync(f, *args)``)."""
_GETTERS = frozenset({"property", "cached_property"})
_LEAVING = (cst.Return, cst.Raise, cst.Continue, cst.Break)
_ENV_CALLS = ("getenv", "environ.get", "environ.setdefault", "environ.pop")
_CONSTANTS = frozenset({"True", "False", "None"})
_LITERAL_VALUE_LIMIT = 200


def dotted(node: cst.BaseExpression) -> tuple[str, ...] | None:
    """``a.b.c`` → ("a", "b", "c"); anything else → None."""
    if isinstance(node, cst.Name):
        return (node.value,)
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return (*base, node.attr.value) if base else None
    return None


def string_value(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class _ScopeState:
    def __init__(self, name: str, kind: str, parent: str | None) -> None:
        self.name = name
        self.kind = kind
        self.parent = parent
        self.names: set[str] = set()
        self.globals: set[str] = set()


class FactsCollector(OffsetVisitor):
    """The names of a module, for the alias phase."""

    def __init__(self, module: cst.Module, index: LineIndex,
                 offsets: dict[cst.CSTNode, tuple[int, int]]) -> None:
        super().__init__(module, index, offsets)
        self.facts = ModuleFacts(language="python")
        self._scopes: list[_ScopeState] = [_ScopeState("", "module", None)]
        self._all: list[_ScopeState] = [self._scopes[0]]
        self._classes: list[str] = []
        self._class_stack: list[tuple[Class, list[tuple[str, Span]], list[tuple[str, str]]]] = []
        self._write_targets: set[int] = set()
        self._exprs: dict[int, Expr] = {}
        self._dead: list[tuple[int, int]] = []
        self._narrowed_blocks: dict[int, tuple[str, cst.BaseExpression]] = {}
        """The bodies of ``if x in C:`` (by id) → what they narrow: ``x`` is one of ``C``."""
        self._narrowing: list[tuple[str, cst.BaseExpression]] = []
        """Spans of statements that never run: after a ``return``, ``raise``, ``continue``
        or ``break`` in the same block."""

    def finish(self) -> ModuleFacts:
        """The facts, with every scope's names, without what code that never runs does."""
        self.facts.scopes = {
            s.name: Scope(s.kind, s.parent, frozenset(s.names), frozenset(s.globals))
            for s in self._all
        }
        if self._dead:
            _drop_dead(self.facts, self._dead)
        return self.facts

    # ------------------------------------------------------------------ helpers

    @property
    def scope(self) -> str:
        return self._scopes[-1].name

    def _bind_name(self, name: str) -> None:
        self._scopes[-1].names.add(name)

    def _code(self, node: cst.CSTNode) -> str:
        """The node's first line of code, as written (sliced from the text: libcst would
        generate it again)."""
        span = self._span(node)
        code = self.index.text[span.start:span.end].strip()
        first = code.splitlines()[0] if code else ""
        return first if len(first) <= 120 else first[:117] + "..."

    def _push(self, suffix: str, kind: str) -> None:
        parent = self.scope
        name = f"{parent}.{suffix}" if parent else suffix
        if any(s.name == name for s in self._all):  # a redefinition: the same scope again
            state = next(s for s in self._all if s.name == name)
        else:
            state = _ScopeState(name, kind, parent)
            self._all.append(state)
        self._scopes.append(state)

    def _anonymous(self, what: str, node: cst.CSTNode) -> str:
        return f"<{what}@{self._span(node).start}>"

    # ------------------------------------------------------------------ expressions

    def expr(self, node: cst.BaseExpression | None) -> Expr:
        """Reduce an expression to the shapes a value can flow through (memoised per node:
        a long chain of calls is converted once, not once per call in it)."""
        if node is None:
            return Opaque()
        known = self._exprs.get(id(node))
        if known is None:
            known = self._exprs[id(node)] = self._narrowed(node, self._convert(node))
        return known

    def _narrowed(self, node: cst.BaseExpression, converted: Expr) -> Expr:
        """A name or attribute read where an ``if x in C:`` around it says it is one of ``C``:
        what it holds, or any element of ``C``."""
        if not self._narrowing or not isinstance(node, (cst.Name, cst.Attribute)):
            return converted
        name = dotted(node)
        for key, container in reversed(self._narrowing):
            if name is not None and ".".join(name) == key:
                return AnyOf((converted, Item(self.expr(container), None, self._span(node))))
        return converted

    def _convert(self, node: cst.BaseExpression) -> Expr:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = string_value(node)
            short = value if value is not None and len(value) <= _LITERAL_VALUE_LIMIT else None
            return Lit(self._span(node), short)
        if isinstance(node, cst.FormattedString):  # a dynamic finding may sit here
            return Lit(self._span(node), None, tuple(
                self.expr(part.expression) for part in node.parts
                if isinstance(part, cst.FormattedStringExpression)))
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Add):  # strings, or lists put together
                return Lit(self._span(node), None, (self.expr(node.left),
                                                    self.expr(node.right)))
            if isinstance(node.operator, cst.Divide) and string_value(node.right):
                # Path(__file__).parent / "data" / "config.json": a path ending so, as if
                # written Path("data/config.json")
                self.expr(node.left)
                span = self._span(node)
                path = Call(Opaque(), (Arg(None, 0, Lit(span, _path_tail(node)), span),), span,
                            "pathlib.Path")
                self.facts.calls.append((self.scope, path))
                return path
            if isinstance(node.operator, cst.Modulo):  # "openai/%s" % model
                right = node.right
                values = [e.value for e in right.elements] if isinstance(right, cst.Tuple) \
                    else [right]
                return Lit(self._span(node), None, tuple(self.expr(v) for v in values))
            return Opaque()
        if isinstance(node, cst.Name):
            return Opaque() if node.value in _CONSTANTS else Ref(node.value, self._span(node))
        env = self._env_read(node)
        if env is not None:
            return env
        if isinstance(node, cst.Attribute):
            return Attr(self.expr(node.value), node.attr.value, self._span(node))
        if isinstance(node, cst.Subscript):
            key = None
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                key = string_value(node.slice[0].slice.value)
            return Item(self.expr(node.value), key, self._span(node))
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.Dict):
            entries: list[tuple[str | None, Expr, Span]] = []
            spreads: list[Expr] = []
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    entries.append((string_value(element.key), self.expr(element.value),
                                    self._span(element)))
                elif isinstance(element, cst.StarredDictElement):
                    spreads.append(self.expr(element.value))
            return DictX(tuple(entries), tuple(spreads), self._span(node))
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            elements, starred = [], []
            for item in node.elements:
                if isinstance(item, cst.StarredElement):
                    starred.append(self.expr(item.value))
                else:
                    elements.append(self.expr(item.value))
            return ListX(tuple(elements), tuple(starred), self._span(node))
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self._comprehension(node)
        if isinstance(node, cst.BooleanOperation):
            return AnyOf((self.expr(node.left), self.expr(node.right)))
        if isinstance(node, cst.IfExp):
            return AnyOf((self.expr(node.body), self.expr(node.orelse)))
        if isinstance(node, cst.Await):
            return self.expr(node.expression)
        if isinstance(node, cst.NamedExpr):
            return self.expr(node.value)
        return Opaque()

    def _call(self, node: cst.Call) -> Expr:
        callee = dotted(node.func)
        text = ".".join(callee) if callee else ""
        if text == "getattr" and len(node.args) >= 2:  # getattr(obj, "name"): an attribute read
            name = string_value(node.args[1].value)
            if name is not None:
                return Attr(self.expr(node.args[0].value), name, self._span(node))
        runs = _FORWARDERS.get(node.func.attr.value) if isinstance(
            node.func, cst.Attribute) else None
        if runs is not None and len(node.args) > runs and all(
                a.keyword is None and not a.star for a in node.args[:runs + 1]):
            # asyncio.to_thread(f, a, b): a call of f(a, b)
            function = node.args[runs].value
            return self._call_of(node, function, node.args[runs + 1:])
        return self._call_of(node, node.func, node.args)

    def _call_of(self, node: cst.Call, function: cst.BaseExpression,
                 arguments: Sequence[cst.Arg]) -> Call:
        """The call ``node`` as a call of ``function`` with ``arguments``."""
        callee = dotted(function)
        text = ".".join(callee) if callee else ""
        args = []
        position = 0
        for arg in arguments:
            keyword = arg.keyword.value if arg.keyword is not None else None
            spread = len(arg.star) if isinstance(arg.star, str) else 0
            value = arg.value
            if isinstance(value, cst.Lambda) and not value.params.params and \
                    text.rpartition(".")[2] == "defaultdict":
                value = value.body  # defaultdict(lambda: X): what the factory makes
            args.append(Arg(keyword, position if keyword is None and not spread else -1,
                            self.expr(value), self._span(arg), spread))
            if keyword is None and not spread:
                position += 1
        return Call(self.expr(function), tuple(args), self._span(node), text)

    def _comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp,
                       ) -> Expr:
        """``[e for x in xs if c]``: a scope of its own binding ``x``; the first iterable is
        evaluated outside it."""
        clause: cst.CompFor | None = node.for_in
        first = self.expr(node.for_in.iter)
        self._push(self._anonymous("comp", node), "comprehension")
        try:
            loops: list[tuple[Target, Expr]] = []
            while clause is not None:
                iterable = first if clause is node.for_in else self.expr(clause.iter)
                target = self.target(clause.target)
                if target is not None:
                    loops.append((target, iterable))
                clause = clause.inner_for_in
            element = self.expr(node.value if isinstance(node, cst.DictComp) else node.elt)
            scope = self.scope
        finally:
            self._scopes.pop()
        return CompX(element, tuple(loops), scope, self._span(node))

    def _env_read(self, node: cst.BaseExpression) -> EnvRead | None:
        if isinstance(node, cst.Call):
            callee = dotted(node.func)
            if not callee or not node.args:
                return None
            name = ".".join(callee)
            if not any(name == c or name.endswith("." + c) for c in _ENV_CALLS):
                return None
            var = string_value(node.args[0].value)
            if var is None:
                return None
            default = None
            for arg in node.args[1:]:
                if arg.keyword is None or arg.keyword.value in ("default", "value"):
                    default = self.expr(arg.value)
                    break
            return EnvRead(var, default, self._span(node), self._code(node))
        if isinstance(node, cst.Subscript):
            base = dotted(node.value)
            if base and base[-1] == "environ" and len(node.slice) == 1:
                index = node.slice[0].slice
                if isinstance(index, cst.Index):
                    var = string_value(index.value)
                    if var is not None:
                        return EnvRead(var, None, self._span(node), self._code(node))
        return None

    # ------------------------------------------------------------------ targets

    def target(self, node: cst.BaseExpression) -> Target | None:
        if isinstance(node, cst.Name):
            self._bind_name(node.value)
            return NameT(node.value)
        if isinstance(node, cst.Attribute):
            return AttrT(self.expr(node.value), node.attr.value)
        if isinstance(node, cst.Subscript):
            key = None
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                key = string_value(node.slice[0].slice.value)
            return ItemT(self.expr(node.value), key)
        if isinstance(node, (cst.Tuple, cst.List)):
            targets: list[Target] = []
            rest = None
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    rest = self.target(element.value)
                else:
                    sub = self.target(element.value)
                    if sub is not None:
                        targets.append(sub)
            return UnpackT(tuple(targets), (), rest)
        if isinstance(node, cst.StarredElement):
            return self.target(node.value)
        return None

    def _assign(self, targets: Sequence[Target | None], value: Expr, statement: cst.CSTNode,
                iterate: bool = False) -> None:
        kept = tuple(t for t in targets if t is not None)
        if kept:
            self.facts.assigns.append(Assign(self.scope, kept, value, self._span(statement),
                                             self._code(statement), iterate))

    # ------------------------------------------------------------------ statements

    def visit_Module(self, node: cst.Module) -> None:
        self._note_dead(node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._note_dead(node.body)
        narrowed = self._narrowed_blocks.get(id(node))
        if narrowed is not None:
            self._narrowing.append(narrowed)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        if id(original_node) in self._narrowed_blocks:
            self._narrowing.pop()

    def visit_If(self, node: cst.If) -> None:
        """``if model in ALLOWED:``: in the body, ``model`` is one of ``ALLOWED`` (a value
        from a request checked against an allow-list of models). One test alone: ``a in X
        and a in Y`` would narrow to both lists' common values, which is not followed."""
        test = node.test
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(
                test.comparisons[0].operator, cst.In) and isinstance(node.body, cst.IndentedBlock):
            name = dotted(test.left)
            if name is not None:
                self._narrowed_blocks[id(node.body)] = (".".join(name),
                                                        test.comparisons[0].comparator)

    def _note_dead(self, body: Sequence[cst.BaseStatement]) -> None:
        """The statements of a block after one that leaves it never run (code kept after an
        early ``return`` while debugging): what they do is no flow of values."""
        for position, statement in enumerate(body[:-1]):
            if isinstance(statement, cst.SimpleStatementLine) and any(
                    isinstance(small, _LEAVING) for small in statement.body):
                self._dead.append((self._span(body[position + 1]).start,
                                   self._span(body[-1]).end))
                return

    def visit_Assign(self, node: cst.Assign) -> None:
        targets: list[Target | None] = []
        for target in node.targets:
            written = self._env_read(target.target)
            if written is not None:  # os.environ["X"] = value
                self._write_targets.add(id(target.target))
                self.facts.env_writes.append(EnvWrite(written.var, self.expr(node.value),
                                                      self._span(node), self._code(node)))
            else:
                targets.append(self.target(target.target))
        self._assign(targets, self.expr(node.value), node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self._classes and self.scope == self._classes[-1] and isinstance(
                node.target, cst.Name):
            self._class_field(node.target.value, node.value, node)
        if node.value is not None:
            self._assign([self.target(node.target)], self._field_default(node.value), node)
        elif isinstance(node.target, cst.Name):
            self._bind_name(node.target.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._assign([self.target(node.target)], self.expr(node.value), node)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._assign([self.target(node.target)], self.expr(node.value), node)

    def visit_For(self, node: cst.For) -> None:
        self._assign([self.target(node.target)], self.expr(node.iter), node.target,
                     iterate=True)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._assign([self.target(node.asname.name)], self.expr(node.item), node)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind_name(node.name.name.value)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._scopes[-1].globals.add(item.name.value)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            parts = dotted(alias.name)
            if not parts:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local, module = alias.asname.name.value, ".".join(parts)
            else:
                local, module = parts[0], parts[0]
            self._bind_name(local)
            self.facts.imports.append(Import(self.scope, local, module, 0, None,
                                             self._span(node), self._code(node)))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = ".".join(dotted(node.module) or ()) if node.module else ""
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            self.facts.imports.append(Import(self.scope, "*", module, level, "*",
                                             self._span(node), self._code(node)))
            return
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            name = alias.name.value
            local = (alias.asname.name.value if alias.asname and
                     isinstance(alias.asname.name, cst.Name) else name)
            self._bind_name(local)
            self.facts.imports.append(Import(self.scope, local, module, level, name,
                                             self._span(node), self._code(node)))

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and self._scopes[-1].kind == "function":
            self.facts.returns.append(Return(self.scope, self.expr(node.value)))

    def visit_Yield(self, node: cst.Yield) -> None:
        """A generator returns what it yields, as the elements of a collection (``yield
        from xs``: the elements of ``xs``)."""
        if node.value is None or self._scopes[-1].kind != "function":
            return
        if isinstance(node.value, cst.From):
            elements: tuple[Expr, ...] = ()
            spreads: tuple[Expr, ...] = (self.expr(node.value.item),)
        else:
            elements, spreads = (self.expr(node.value),), ()
        self.facts.returns.append(Return(self.scope, ListX(elements, spreads,
                                                           self._span(node))))

    # ------------------------------------------------------------------ scopes

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        owner = self._scopes[-1]
        name = node.name.value
        self._bind_name(name)
        is_method = owner.kind == "class"
        decorators = tuple(self.expr(d.decorator) for d in node.decorators)
        static = any(dotted(d.decorator) == ("staticmethod",) for d in node.decorators)
        classmethod = any(dotted(d.decorator) == ("classmethod",) for d in node.decorators)
        getter = is_method and any((dotted(d.decorator) or ("",))[-1] in _GETTERS
                                   for d in node.decorators)
        self._push(name, "function")
        params: list[Param] = []
        plain = [*node.params.posonly_params, *node.params.params]
        for position, param in enumerate(plain):
            params.append(self._param(param, position))
        if isinstance(node.params.star_arg, cst.Param):
            params.append(self._param(node.params.star_arg, -1, collects=1))
        params.extend(self._param(param, -1) for param in node.params.kwonly_params)
        if node.params.star_kwarg is not None:
            params.append(self._param(node.params.star_kwarg, -1, collects=2))
        self.facts.functions.append(Function(
            self.scope, name, owner.name, tuple(params), self._span(node), decorators,
            is_method, static, classmethod, getter))

    def _param(self, param: cst.Param, position: int, collects: int = 0) -> Param:
        self._bind_name(param.name.value)
        default = self.expr(param.default) if param.default is not None else None
        return Param(param.name.value, position, default, self._span(param), self._code(param),
                     collects)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._push(self._anonymous("lambda", node), "function")
        for param in node.params.params:
            self._bind_name(param.name.value)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        owner = self._scopes[-1]
        name = node.name.value
        self._bind_name(name)
        bases = tuple(self.expr(b.value) for b in node.bases)
        base_names = tuple(".".join(dotted(b.value) or ("?",)) for b in node.bases)
        prefix = None
        for keyword in node.keywords:  # class S(BaseSettings, env_prefix="ACME_") (pydantic v1)
            if keyword.keyword is not None and keyword.keyword.value == "env_prefix":
                prefix = string_value(keyword.value)
        prefix = _find_env_prefix(node) or prefix
        self._push(name, "class")
        self._classes.append(self.scope)
        self._class_stack.append((Class(self.scope, name, owner.name, bases, self._span(node),
                                        base_names, prefix), [], []))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        cls, fields, env = self._class_stack.pop()
        self.facts.classes.append(Class(cls.qualname, cls.name, cls.scope, cls.bases, cls.span,
                                        cls.base_names, cls.env_prefix, tuple(env),
                                        tuple(fields)))
        self._classes.pop()
        self._scopes.pop()

    def _class_field(self, name: str, value: cst.BaseExpression | None,
                     statement: cst.CSTNode) -> None:
        """An annotated class attribute: a pydantic field (the class decides later whether
        it is settings); ``Field(alias=...)`` names its env var."""
        _, fields, env = self._class_stack[-1]
        fields.append((name, self._span(statement)))
        if isinstance(value, cst.Call) and (dotted(value.func) or ("",))[-1] == "Field":
            for arg in value.args:
                if arg.keyword is not None and arg.keyword.value in (
                        "alias", "validation_alias", "env"):
                    alias = string_value(arg.value)
                    if alias:
                        env.append((name, alias))

    def _field_default(self, value: cst.BaseExpression) -> Expr:
        """``Field("default", alias=...)``: the default is the value."""
        if isinstance(value, cst.Call) and (dotted(value.func) or ("",))[-1] == "Field":
            for arg in value.args:
                if arg.keyword is None or arg.keyword.value == "default":
                    return self.expr(arg.value)
            return Opaque()
        return self.expr(value)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._enter_comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._enter_comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._enter_comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._enter_comprehension(node)

    def _enter_comprehension(self, node: cst.BaseExpression) -> None:
        """Calls inside a comprehension are made in its scope (built when the expression is
        first converted)."""
        self.expr(node)
        self._push(self._anonymous("comp", node), "comprehension")

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._scopes.pop()

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._scopes.pop()

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._scopes.pop()

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._scopes.pop()

    # ------------------------------------------------------------------ reads and calls

    def visit_Call(self, node: cst.Call) -> None:
        env = self._env_read(node)
        if env is not None:
            self.facts.env_reads.append((self.scope, env))
            return
        callee = dotted(node.func)
        dotted_name = ".".join(callee) if callee else ""
        if node.args and any(dotted_name == c or dotted_name.endswith("." + c)
                             for c in _ENV_CALLS):
            self.facts.dynamic_env_reads += 1  # os.getenv(name): a name we cannot know
            return
        call = self.expr(node)
        if isinstance(call, Call):
            self.facts.calls.append((self.scope, call))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) in self._write_targets:
            return
        env = self._env_read(node)
        if env is not None:
            self.facts.env_reads.append((self.scope, env))


def _find_env_prefix(node: cst.ClassDef) -> str | None:
    """``model_config = SettingsConfigDict(env_prefix="ACME_")`` or ``class Config:
    env_prefix = "ACME_"`` in a class body."""
    prefix = None
    for statement in getattr(node.body, "body", ()):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Assign, cst.AnnAssign)) and isinstance(
                        small.value, cst.Call):
                    for arg in small.value.args:
                        if arg.keyword is not None and arg.keyword.value == "env_prefix":
                            prefix = string_value(arg.value) or prefix
        if isinstance(statement, cst.ClassDef) and statement.name.value == "Config":
            for inner in getattr(statement.body, "body", ()):
                if isinstance(inner, cst.SimpleStatementLine):
                    for small in inner.body:
                        if (isinstance(small, cst.Assign) and len(small.targets) == 1
                                and isinstance(small.targets[0].target, cst.Name)
                                and small.targets[0].target.value == "env_prefix"):
                            prefix = string_value(small.value) or prefix
    return prefix


def _drop_dead(facts: ModuleFacts, dead: list[tuple[int, int]]) -> None:
    """Remove the facts of code in the ``dead`` spans (nested or apart, never crossing)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(dead):
        if merged and start < merged[-1][1]:
            continue  # inside the one before
        merged.append((start, end))
    starts = [start for start, _ in merged]

    def alive(span: Span | None) -> bool:
        if span is None:
            return True
        at = bisect.bisect_right(starts, span.start) - 1
        return at < 0 or span.start >= merged[at][1]

    facts.assigns = [a for a in facts.assigns if alive(a.span)]
    facts.imports = [i for i in facts.imports if alive(i.span)]
    facts.functions = [f for f in facts.functions if alive(f.span)]
    facts.classes = [c for c in facts.classes if alive(c.span)]
    facts.returns = [r for r in facts.returns if alive(getattr(r.value, "span", None))]
    facts.calls = [(scope, c) for scope, c in facts.calls if alive(c.span)]
    facts.env_reads = [(scope, r) for scope, r in facts.env_reads if alive(r.span)]
    facts.env_writes = [w for w in facts.env_writes if alive(w.span)]
    facts.outside = [(scope, o) for scope, o in facts.outside if alive(o.span)]


def _path_tail(node: cst.BaseExpression) -> str | None:
    """The end of a path built with ``/`` as far as it is written out (``base / "data" /
    "x.json"`` → ``data/x.json``)."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        right = string_value(node.right)
        if right is None:
            return None
        left = _path_tail(node.left)
        return f"{left}/{right}" if left else right
    if isinstance(node, cst.Call) and dotted(node.func) in (("Path",), ("pathlib", "Path")) \
            and len(node.args) == 1:
        return string_value(node.args[0].value)
    return string_value(node)
