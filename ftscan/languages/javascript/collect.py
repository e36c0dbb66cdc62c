"""One walk over a JavaScript or TypeScript syntax tree: every string with the name that binds
it (for the id rules), and what the module binds, imports, reads and calls, as neutral
:class:`~ftscan.flow.facts.ModuleFacts` (for following names).

Scopes are functions (``let`` and ``const`` blocks are folded into their function: a name is
rarely re-declared in a nested block of the same function), class bodies and the module. A
method gets a first parameter ``this`` (the instance), as Python's ``self``; arrow functions
do not, so ``this`` inside one is the enclosing method's. ``module.exports``, ``exports.x``,
``require`` and ES imports and exports become the same import and export facts; reads of
``process.env``, ``import.meta.env``, ``Bun.env``, ``Deno.env.get`` and env helpers
(``getEnv("X")``) are env reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from tree_sitter import Node

from ftscan.bindings import Binding, EnvVar, Symbol
from ftscan.flow.facts import (
    AnyOf,
    Arg,
    Assign,
    Attr,
    AttrT,
    Call,
    Class,
    DictX,
    EnvObject,
    EnvRead,
    EnvWrite,
    Export,
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
from ftscan.languages.javascript.grammar import (
    Offsets,
    node_text,
    string_value,
    template_parts,
)
from ftscan.models import Role
from ftscan.parsers.base import StringFact

MAX_DEPTH = 250
"""Syntax trees nested deeper are given up (the text pass reads the file)."""
ENV_HELPERS = frozenset({"getEnv", "env", "requireEnv", "getEnvVar", "mustGetEnv", "readEnv",
                         "getRequiredEnv", "Deno.env.get", "process.env.get", "Netlify.env.get"})
"""Calls whose first argument names an environment variable (``getEnv("OPENAI_MODEL")``)."""
_ENV_OBJECTS = ("process.env", "import.meta.env", "Bun.env")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_ENV_SECTIONS = re.compile(r"^(?:env|env_[a-z0-9_]+|environment|variables|vars)$")
_TRANSPARENT = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                          "non_null_expression", "type_assertion", "await_expression"})
_FUNCTIONS = frozenset({"function_declaration", "function_expression", "function",
                        "arrow_function", "generator_function_declaration",
                        "generator_function", "method_definition"})
_CLASSES = frozenset({"class_declaration", "class", "abstract_class_declaration"})
_CONSTANTS = frozenset({"undefined", "null", "true", "false", "NaN", "Infinity"})


_CONFIG_SERVICE_GETTERS = ("configservice.get", "configservice.getorthrow")
"""NestJS's ``ConfigService`` (``this.configService.get<string>("OPENAI_MODEL")``): its keys
are environment variables."""


def _is_env_helper(dotted: str | None) -> bool:
    """Does a call of ``dotted`` read the environment variable its first argument names?"""
    if dotted is None:
        return False
    lowered = dotted.lower()
    return dotted in ENV_HELPERS or any(lowered == getter or lowered.endswith("." + getter)
                                        for getter in _CONFIG_SERVICE_GETTERS)


class TooDeep(Exception):
    """The tree is nested deeper than :data:`MAX_DEPTH`."""


class _ScopeState:
    def __init__(self, name: str, kind: str, parent: str | None) -> None:
        self.name = name
        self.kind = kind
        self.parent = parent
        self.names: set[str] = set()


def _key(node: Node) -> tuple[int, int, str]:
    return node.start_byte, node.end_byte, node.type


class Collector:
    """Strings and facts of one block of code (a file, or a component's ``<script>``)."""

    def __init__(self, source: bytes, offsets: Offsets, grammar: str,
                 env_file: bool = False) -> None:
        self.src = source
        self.offsets = offsets
        self.grammar = grammar
        self.env_file = env_file
        """A deployment file written in JavaScript (PM2's ``ecosystem.config.js``): values
        under ``env`` keys bind environment variables."""
        self.facts = ModuleFacts(language="javascript")
        self.strings: list[StringFact] = []
        self._scopes: list[_ScopeState] = [_ScopeState("", "module", None)]
        self._all: dict[str, _ScopeState] = {"": self._scopes[0]}
        self._exprs: dict[tuple[int, int, str], Expr] = {}
        self._functions: dict[tuple[int, int, str], str] = {}
        self._handled: set[tuple[int, int, str]] = set()
        self._classes_done: set[tuple[int, int, str]] = set()
        self._depth = 0
        self._constants: dict[str, str] = {}
        """Module-level names bound to a string literal (``const KEY = "OPENAI_MODEL"``)."""
        self._parameters: dict[str, frozenset[str]] = {}
        """Function → the names of its parameters."""
        self._env_parameters: dict[str, str] = {}
        """Function → the parameter whose value names the env var it reads."""

    # ------------------------------------------------------------------ results

    def finish(self) -> ModuleFacts:
        self.facts.scopes = {
            s.name: Scope(s.kind, s.parent, frozenset(s.names)) for s in self._all.values()
        }
        if self._env_parameters:
            self.facts.functions = [
                replace(f, env_parameter=self._env_parameters[f.qualname])
                if f.qualname in self._env_parameters else f for f in self.facts.functions]
        return self.facts

    # ------------------------------------------------------------------ helpers

    @property
    def scope(self) -> str:
        return self._scopes[-1].name

    def span(self, node: Node) -> Span:
        return Span(self.offsets.char(node.start_byte), self.offsets.char(node.end_byte))

    def text(self, node: Node) -> str:
        return node_text(node, self.src)

    def code(self, node: Node) -> str:
        first = self.text(node).strip().split("\n", 1)[0]
        return first if len(first) <= 120 else first[:117] + "..."

    def bind(self, name: str) -> None:
        self._scopes[-1].names.add(name)

    def _function_scope(self) -> _ScopeState:
        """Where ``var``-like declarations land: the innermost function (or the module)."""
        for state in reversed(self._scopes):
            if state.kind in ("function", "module"):
                return state
        return self._scopes[0]

    def _push(self, name: str, kind: str) -> str:
        parent = self.scope
        qualname = f"{parent}.{name}" if parent else name
        state = self._all.get(qualname)
        if state is None:
            state = self._all[qualname] = _ScopeState(qualname, kind, parent)
        self._scopes.append(state)
        return qualname

    # ------------------------------------------------------------------ the walk

    def walk(self, root: Node) -> None:
        self._visit(root)

    def _visit(self, node: Node) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise TooDeep
        try:
            handler = _HANDLERS.get(node.type)
            if handler is not None and handler(self, node):
                return
            for child in node.named_children:
                self._visit(child)
        finally:
            self._depth -= 1

    def _children(self, node: Node) -> None:
        for child in node.named_children:
            self._visit(child)

    # ------------------------------------------------------------------ statements

    def _declarator(self, node: Node) -> bool:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if name is None:
            return False
        if value is not None and self._require_import(name, value, node):
            return True
        if value is not None and name.type == "object_pattern" and self._env_object(value):
            self._env_destructure(name, node)
            return True
        if value is not None and value.type == "string" and name.type == "identifier" and \
                self.scope == "":
            literal = string_value(value, self.src)
            if literal is not None:
                self._constants[self.text(name)] = literal
        target = self.target(name, declare=True)
        if value is not None and target is not None:
            self._assign([target], self.expr(value), node)
        if value is not None:
            self._visit(value)
        self._visit_pattern_defaults(name)
        return True

    def _assignment(self, node: Node) -> bool:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return False
        left_text = self._dotted(left)
        if left_text == "module.exports":
            self.facts.exports.append(Export("default", self.expr(right), self.span(node),
                                             self.code(node)))
        elif left_text is not None and (left_text.startswith("exports.") or
                                        left_text.startswith("module.exports.")):
            exported = left_text.rsplit(".", 1)[1]
            self.facts.exports.append(Export(exported, self.expr(right), self.span(node),
                                             self.code(node)))
        else:
            env = self._env_read(left)
            if env is not None:
                self.facts.env_writes.append(EnvWrite(env.var, self.expr(right),
                                                      self.span(node), self.code(node)))
            else:
                target = self.target(left, declare=False)
                if target is not None:
                    self._assign([target], self.expr(right), node)
        self._visit(right)
        if left.type not in ("identifier", "member_expression"):
            self._visit(left)
        return True

    def _for_in(self, node: Node) -> bool:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        body = node.child_by_field_name("body")
        operator = next((c.type for c in node.children if c.type in ("of", "in")), "of")
        if left is not None and right is not None:
            target = self.target(left, declare=True)
            if target is not None:
                value = self.expr(right)
                if operator == "in":
                    value = Opaque()  # the keys: strings of the program, not its values
                self.facts.assigns.append(Assign(self.scope, (target,), value,
                                                 self.span(left), self.code(node),
                                                 iterate=True))
            self._visit(right)
        if body is not None:
            self._visit(body)
        return True

    def _return(self, node: Node) -> bool:
        values = [c for c in node.named_children if c.type != "comment"]
        if values and self._function_scope().kind == "function":
            self.facts.returns.append(Return(self._function_scope().name,
                                             self.expr(values[0])))
        self._children(node)
        return True

    def _import(self, node: Node) -> bool:
        source = node.child_by_field_name("source")
        module = string_value(source, self.src) if source is not None else None
        if module is None:
            return True
        span, code = self.span(node), self.code(node)
        clause = next((c for c in node.named_children if c.type == "import_clause"), None)
        if clause is None:
            return True
        for part in clause.named_children:
            if part.type == "identifier":
                self._import_name(self.text(part), module, "default", span, code)
            elif part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
                if ident is not None:
                    self._import_name(self.text(ident), module, None, span, code)
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias")
                    if name is None:
                        continue
                    imported = self._name_text(name)
                    local = self.text(alias) if alias is not None else imported
                    self._import_name(local, module, imported, span, code)
        return True

    def _import_name(self, local: str, module: str, name: str | None, span: Span,
                     code: str) -> None:
        self.bind(local)
        self.facts.imports.append(Import(self.scope, local, module, 0, name, span, code))

    def _export(self, node: Node) -> bool:
        span, code = self.span(node), self.code(node)
        source = node.child_by_field_name("source")
        module = string_value(source, self.src) if source is not None else None
        declaration = node.child_by_field_name("declaration")
        value = node.child_by_field_name("value")
        is_default = any(c.type == "default" for c in node.children)
        if declaration is not None:
            self._visit(declaration)
            for declared in self._declared_names(declaration):
                exported = "default" if is_default else declared
                self.facts.exports.append(Export(exported, Ref(declared, span), span, code))
            return True
        if value is not None:
            self.facts.exports.append(Export("default", self.expr(value), span, code))
            self._visit(value)
            return True
        clause = next((c for c in node.named_children if c.type == "export_clause"), None)
        if clause is None:
            if module is not None:  # export * from "./m" / export * as ns from "./m"
                namespace = next((c for c in node.named_children
                                  if c.type == "namespace_export"), None)
                if namespace is not None:
                    ident = namespace.named_children[-1] if namespace.named_children else None
                    alias = self._name_text(ident) if ident is not None else ""
                    if alias:
                        self.facts.exports.append(Export(alias, None, span, code, module,
                                                         None))
                else:
                    self.facts.exports.append(Export("*", None, span, code, module, "*"))
            return True
        for spec in clause.named_children:
            if spec.type != "export_specifier":
                continue
            name = spec.child_by_field_name("name")
            renamed = spec.child_by_field_name("alias")
            if name is None:
                continue
            local = self._name_text(name)
            exported = self._name_text(renamed) if renamed is not None else local
            if module is not None:
                self.facts.exports.append(Export(exported, None, span, code, module, local))
            else:
                self.facts.exports.append(Export(exported, Ref(local, self.span(name)), span,
                                                 code))
        return True

    def _declared_names(self, declaration: Node) -> list[str]:
        if declaration.type in ("lexical_declaration", "variable_declaration"):
            names = []
            for declarator in declaration.named_children:
                name = declarator.child_by_field_name("name")
                if name is not None and name.type == "identifier":
                    names.append(self.text(name))
            return names
        name = declaration.child_by_field_name("name")
        return [self.text(name)] if name is not None else []

    # ------------------------------------------------------------------ functions and classes

    def _function_node(self, node: Node) -> bool:
        qualname = self.function(node)
        state = self._all[qualname]
        self._scopes.append(state)
        try:
            parameters = node.child_by_field_name("parameters") or \
                node.child_by_field_name("parameter")
            if parameters is not None:
                self._visit_defaults(parameters)
            body = node.child_by_field_name("body")
            if body is not None:
                if body.type == "statement_block":
                    self._visit(body)
                else:  # an arrow function's expression body is its return value
                    self.facts.returns.append(Return(qualname, self.expr(body)))
                    self._visit(body)
        finally:
            self._scopes.pop()
        return True

    def function(self, node: Node) -> str:
        """The qualified name of a function node, its facts recorded on first sight (the
        conversion of an expression may meet it before the walk does). A function without a
        name of its own is bound under ``name@offset`` in the scope it appears in."""
        key = _key(node)
        known = self._functions.get(key)
        if known is not None:
            return known
        name_node = node.child_by_field_name("name")
        name = self._name_text(name_node) if name_node is not None else None
        owner = self._scopes[-1]
        is_method = node.type == "method_definition" and owner.kind == "class"
        static = is_method and any(c.type == "static" for c in node.children)
        anonymous = name is None
        if name is None:
            name = self._given_name(node) or "<anonymous>"
        local = f"{name}@{self.offsets.char(node.start_byte)}" if anonymous else name
        if not anonymous and node.type in ("function_declaration",
                                           "generator_function_declaration"):
            holder = self._function_scope()  # hoisted to its function
        else:
            holder = owner
        holder.names.add(local)
        qualname = f"{holder.name}.{local}" if holder.name else local
        state = self._all.get(qualname)
        if state is None:
            state = self._all[qualname] = _ScopeState(qualname, "function", holder.name)
        self._functions[key] = qualname
        self._scopes.append(state)
        try:
            params: list[Param] = []
            if is_method and not static:
                state.names.add("this")
                params.append(Param("this", 0, None, self.span(node), "this"))
            parameters = node.child_by_field_name("parameters") or \
                node.child_by_field_name("parameter")
            if parameters is not None:
                params.extend(self._params(parameters, len(params),
                                           injected=is_method and name == "constructor"))
        finally:
            self._scopes.pop()
        self._parameters[qualname] = frozenset(p.name for p in params)
        self.facts.functions.append(Function(
            qualname, name, holder.name, tuple(params), self.span(node), (), is_method, static))
        return qualname

    def _given_name(self, node: Node) -> str | None:
        """The name an anonymous function is known by: the variable or key it is assigned to."""
        parent = node.parent
        if parent is None:
            return None
        if parent.type == "variable_declarator":
            name = parent.child_by_field_name("name")
            return self.text(name) if name is not None and name.type == "identifier" else None
        if parent.type == "pair":
            key = parent.child_by_field_name("key")
            return self._name_text(key) if key is not None else None
        if parent.type == "assignment_expression":
            left = parent.child_by_field_name("left")
            dotted = self._dotted(left) if left is not None else None
            return dotted.rsplit(".", 1)[-1] if dotted else None
        return None

    def _params(self, parameters: Node, first: int, injected: bool = False) -> list[Param]:
        """The parameters; with ``injected`` (a constructor's), a parameter typed with a class
        and no default gets an instance of the class, as a dependency injector (NestJS,
        Angular) passes one."""
        params = []
        position = first
        items = [parameters] if parameters.type == "identifier" else parameters.named_children
        for item in items:
            pattern, default = item, None
            if item.type in ("required_parameter", "optional_parameter"):
                pattern = item.child_by_field_name("pattern") or item
                value = item.child_by_field_name("value")
                default = self.expr(value) if value is not None else (
                    self._injected(item) if injected else None)
                modifiers = {c.type for c in item.children}
                if "accessibility_modifier" in modifiers or "readonly" in modifiers:
                    self._parameter_property(pattern)
            if pattern.type == "assignment_pattern":
                left = pattern.child_by_field_name("left")
                right = pattern.child_by_field_name("right")
                default = self.expr(right) if right is not None else default
                pattern = left if left is not None else pattern
            collects = 0
            if pattern.type == "rest_pattern":
                collects = 1
                inner = pattern.named_children[0] if pattern.named_children else None
                pattern = inner if inner is not None else pattern
            if pattern.type == "identifier":
                self.bind(self.text(pattern))
                params.append(Param(self.text(pattern), -1 if collects else position, default,
                                    self.span(item), self.code(item), collects))
            elif pattern.type in ("object_pattern", "array_pattern"):
                target = self.target(pattern, declare=True)
                synthetic = f"<param{position}>"
                self.bind(synthetic)
                params.append(Param(synthetic, -1 if collects else position, default,
                                    self.span(item), self.code(item), collects, target))
            elif pattern.type == "comment":
                continue
            position += 1
        return params

    def _injected(self, parameter: Node) -> Expr | None:
        """``new Service()`` for a parameter typed ``Service`` (a class name)."""
        annotation = parameter.child_by_field_name("type")
        named = annotation.named_children if annotation is not None else []
        if len(named) != 1 or named[0].type != "type_identifier":
            return None
        span = self.span(named[0])
        name = self.text(named[0])
        call = Call(Ref(name, span), (), span, name)
        self.facts.calls.append((self.scope, call))
        return call

    def _parameter_property(self, pattern: Node) -> None:
        """``constructor(private model: string)``: TypeScript sets ``this.model``."""
        if pattern.type != "identifier":
            return
        name = self.text(pattern)
        span = self.span(pattern)
        self.facts.assigns.append(Assign(self.scope, (AttrT(Ref("this", span), name),),
                                         Ref(name, span), span, self.code(pattern)))

    def _visit_defaults(self, parameters: Node) -> None:
        for child in parameters.named_children:
            self._visit_pattern_defaults(child)

    def _visit_pattern_defaults(self, pattern: Node) -> None:
        """Strings and functions in default values of a pattern (the names are bound)."""
        for child in pattern.named_children:
            if child.type in ("assignment_pattern", "required_parameter", "optional_parameter",
                              "object_assignment_pattern"):
                value = child.child_by_field_name("right") or child.child_by_field_name("value")
                if value is not None:
                    self._visit(value)
                left = child.child_by_field_name("left") or child.child_by_field_name("pattern")
                if left is not None:
                    self._visit_pattern_defaults(left)
            elif child.type in ("object_pattern", "array_pattern", "pair_pattern"):
                self._visit_pattern_defaults(child)

    def _class_node(self, node: Node) -> bool:
        if _key(node) in self._classes_done:
            return True
        self._classes_done.add(_key(node))
        name_node = node.child_by_field_name("name")
        name = self.text(name_node) if name_node is not None else \
            (self._given_name(node) or f"<class@{self.offsets.char(node.start_byte)}>")
        if node.type != "class":
            self._function_scope().names.add(name)
        else:
            self.bind(name)
        bases: list[Expr] = []
        base_names: list[str] = []
        for child in node.named_children:
            if child.type == "class_heritage":
                for clause in child.named_children:
                    value = clause.child_by_field_name("value") if clause.type == \
                        "extends_clause" else (clause if clause.type != "implements_clause"
                                               else None)
                    if value is not None:
                        bases.append(self.expr(value))
                        base_names.append(self._dotted(value) or "?")
        owner = self.scope
        qualname = self._push(name, "class")
        try:
            self.facts.classes.append(Class(qualname, name, owner, tuple(bases),
                                            self.span(node), tuple(base_names)))
            body = node.child_by_field_name("body")
            if body is not None:
                for member in body.named_children:
                    if member.type in ("public_field_definition", "field_definition"):
                        self._field(member)
                    else:
                        self._visit(member)
        finally:
            self._scopes.pop()
        self._exprs[_key(node)] = Ref(name, self.span(node))
        return True

    def _field(self, node: Node) -> None:
        name = node.child_by_field_name("name") or node.child_by_field_name("property")
        value = node.child_by_field_name("value")
        if name is None:
            return
        field_name = self._name_text(name)
        self.bind(field_name)
        if value is not None:
            self._assign([NameT(field_name)], self.expr(value), node)
            self._visit(value)

    # ------------------------------------------------------------------ targets

    def target(self, node: Node, declare: bool) -> Target | None:
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            name = self.text(node)
            if declare:
                self.bind(name)
            return NameT(name)
        if kind == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if obj is None or prop is None:
                return None
            return AttrT(self.expr(obj), self._name_text(prop))
        if kind == "subscript_expression":
            obj = node.child_by_field_name("object")
            index = node.child_by_field_name("index")
            if obj is None:
                return None
            key = string_value(index, self.src) if index is not None else None
            return ItemT(self.expr(obj), key)
        if kind == "object_pattern":
            targets: list[Target] = []
            keys: list[str | None] = []
            rest: Target | None = None
            for child in node.named_children:
                if child.type == "shorthand_property_identifier_pattern":
                    targets.append(self.target(child, declare) or NameT("_"))
                    keys.append(self.text(child))
                elif child.type == "pair_pattern":
                    key_node = child.child_by_field_name("key")
                    value = child.child_by_field_name("value")
                    if key_node is None or value is None:
                        continue
                    sub = self.target(value, declare)
                    if sub is not None:
                        targets.append(sub)
                        keys.append(self._name_text(key_node))
                elif child.type == "object_assignment_pattern":
                    left = child.child_by_field_name("left")
                    if left is not None:
                        sub = self.target(left, declare)
                        if sub is not None:
                            self._pattern_default(sub, child.child_by_field_name("right"),
                                                  child)
                            targets.append(sub)
                            keys.append(self.text(left))
                elif child.type == "rest_pattern":
                    inner = child.named_children[0] if child.named_children else None
                    rest = self.target(inner, declare) if inner is not None else None
            return UnpackT(tuple(targets), tuple(keys), rest)
        if kind == "array_pattern":
            elements: list[Target] = []
            array_rest: Target | None = None
            for child in node.named_children:
                if child.type == "rest_pattern":
                    inner = child.named_children[0] if child.named_children else None
                    array_rest = self.target(inner, declare) if inner is not None else None
                    continue
                sub = self.target(child, declare)
                if sub is not None:
                    elements.append(sub)
            return UnpackT(tuple(elements), (), array_rest)
        if kind == "assignment_pattern":  # a default inside a pattern: {model = "x"}
            left = node.child_by_field_name("left")
            sub = self.target(left, declare) if left is not None else None
            if sub is not None:
                self._pattern_default(sub, node.child_by_field_name("right"), node)
            return sub
        if kind in ("lexical_declaration", "variable_declaration"):  # for (const x of xs)
            declarator = node.named_children[0] if node.named_children else None
            name_node = declarator.child_by_field_name("name") if declarator is not None \
                else None
            return self.target(name_node, True) if name_node is not None else None
        if kind in _TRANSPARENT and node.named_children:
            return self.target(node.named_children[0], declare)
        return None

    def _pattern_default(self, target: Target, default: Node | None, node: Node) -> None:
        """``{ model = "ft:..." } = options``: the default is one of the values the name
        may take (the field may be missing)."""
        if default is not None:
            self._assign([target], self.expr(default), node)

    def _assign(self, targets: list[Target], value: Expr, node: Node) -> None:
        if targets:
            self.facts.assigns.append(Assign(self.scope, tuple(targets), value,
                                             self.span(node), self.code(node)))

    # ------------------------------------------------------------------ imports by require

    def _require_import(self, name: Node, value: Node, declarator: Node) -> bool:
        """``const m = require("./m")``, ``const { a, b: c } = require("./m")``."""
        module = self._required(value)
        if module is None:
            return False
        span, code = self.span(declarator), self.code(declarator)
        if name.type == "identifier":
            local = self.text(name)
            self._import_name(local, module, None, span, code)
            self.facts.imports.append(Import(self.scope, local, module, 0, "default", span,
                                             code))
            return True
        if name.type == "object_pattern":
            for child in name.named_children:
                if child.type == "shorthand_property_identifier_pattern":
                    self._import_name(self.text(child), module, self.text(child), span, code)
                elif child.type == "pair_pattern":
                    key = child.child_by_field_name("key")
                    local_node = child.child_by_field_name("value")
                    if key is not None and local_node is not None and \
                            local_node.type == "identifier":
                        self._import_name(self.text(local_node), module,
                                          self._name_text(key), span, code)
            return True
        return False

    def _required(self, node: Node) -> str | None:
        while node.type in _TRANSPARENT and node.named_children:
            node = node.named_children[0]
        if node.type != "call_expression":
            return None
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if function is None or self.text(function) != "require" or arguments is None:
            return None
        first = arguments.named_children[0] if arguments.named_children else None
        return string_value(first, self.src) if first is not None else None

    # ------------------------------------------------------------------ env reads

    def _env_object(self, node: Node) -> bool:
        while node.type in _TRANSPARENT and node.named_children:
            node = node.named_children[0]
        return self._dotted(node) in _ENV_OBJECTS

    def _env_read(self, node: Node) -> EnvRead | None:
        kind = node.type
        if kind == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if obj is not None and prop is not None and self._dotted(obj) in _ENV_OBJECTS:
                return EnvRead(self.text(prop), None, self.span(node), self.code(node))
        elif kind == "subscript_expression":
            obj = node.child_by_field_name("object")
            index = node.child_by_field_name("index")
            if obj is not None and index is not None and self._dotted(obj) in _ENV_OBJECTS:
                var = self._env_name(index)
                if var is not None:
                    return EnvRead(var, None, self.span(node), self.code(node))
        elif kind == "call_expression":
            function = node.child_by_field_name("function")
            arguments = node.child_by_field_name("arguments")
            if function is None or arguments is None or not _is_env_helper(
                    self._dotted(function)):
                return None
            args = [a for a in arguments.named_children if a.type != "comment"]
            var = self._env_name(args[0]) if args else None
            if var is None:
                return None
            default = self.expr(args[1]) if len(args) > 1 else None
            return EnvRead(var, default, self.span(node), self.code(node))
        return None

    def _env_name(self, node: Node) -> str | None:
        """The variable an env read names: a literal, or a module-level constant bound to
        one (``process.env[KEY]``). A parameter of the function instead makes the function a
        wrapper that reads the variable its caller names (:attr:`Function.env_parameter`)."""
        if node.type == "identifier":
            name = self.text(node)
            function = self._function_scope()
            if name in self._parameters.get(function.name, ()):
                self._env_parameters[function.name] = name
                return None
            var = self._constants.get(name)
        else:
            var = string_value(node, self.src)
        return var if var is not None and _ENV_NAME.fullmatch(var) else None

    def _env_destructure(self, pattern: Node, declarator: Node) -> None:
        """``const { OPENAI_MODEL, TUNED: model = "ft:..." } = process.env``."""
        for child in pattern.named_children:
            var = local = None
            default: Node | None = None
            if child.type == "shorthand_property_identifier_pattern":
                var = local = self.text(child)
            elif child.type == "object_assignment_pattern":
                left = child.child_by_field_name("left")
                default = child.child_by_field_name("right")
                if left is not None:
                    var = local = self.text(left)
            elif child.type == "pair_pattern":
                key = child.child_by_field_name("key")
                value = child.child_by_field_name("value")
                if key is None or value is None:
                    continue
                var = self._name_text(key)
                if value.type == "assignment_pattern":
                    default = value.child_by_field_name("right")
                    value = value.child_by_field_name("left") or value
                local = self.text(value) if value.type == "identifier" else None
            if var is None or local is None:
                continue
            read = EnvRead(var, self.expr(default) if default is not None else None,
                           self.span(child), self.code(declarator))
            self.facts.env_reads.append((self.scope, read))
            self.bind(local)
            self._assign([NameT(local)], read, child)
            if default is not None:
                self._visit(default)

    # ------------------------------------------------------------------ expressions

    def expr(self, node: Node | None) -> Expr:
        """Reduce an expression to the shapes a value flows through (once per node)."""
        if node is None:
            return Opaque()
        key = _key(node)
        known = self._exprs.get(key)
        if known is None:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise TooDeep
            try:
                known = self._exprs[key] = self._convert(node)
            finally:
                self._depth -= 1
        return known

    def _convert(self, node: Node) -> Expr:
        kind = node.type
        if kind in _TRANSPARENT:
            inner = [c for c in node.named_children if c.type != "comment"]
            return self.expr(inner[0]) if inner else Opaque()
        if kind == "string":
            value = string_value(node, self.src)
            return Lit(self.span(node), value if value is not None and len(value) <= 200
                       else None)
        if kind == "template_string":
            template, dynamic = template_parts(node, self.src)
            return Lit(self.span(node), None if dynamic or len(template) > 200 else template)
        if kind == "identifier":
            name = self.text(node)
            return Opaque() if name in _CONSTANTS else Ref(name, self.span(node))
        if kind == "this":
            return Ref("this", self.span(node))
        env = self._env_read(node)
        if env is not None:
            self.facts.env_reads.append((self.scope, env))
            return env
        if kind == "member_expression" and self._dotted(node) in _ENV_OBJECTS:
            return EnvObject(self.span(node))  # process.env passed whole
        if kind == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if obj is None or prop is None:
                return Opaque()
            return Attr(self.expr(obj), self._name_text(prop), self.span(node))
        if kind == "subscript_expression":
            obj = node.child_by_field_name("object")
            index = node.child_by_field_name("index")
            key = string_value(index, self.src) if index is not None else None
            return Item(self.expr(obj), key, self.span(node)) if obj is not None else Opaque()
        if kind in ("call_expression", "new_expression"):
            return self._call(node)
        if kind == "object":
            return self._object(node)
        if kind == "array":
            elements: list[Expr] = []
            spreads: list[Expr] = []
            for child in node.named_children:
                if child.type == "spread_element":
                    spread = child.named_children[0] if child.named_children else None
                    spreads.append(self.expr(spread))
                elif child.type != "comment":
                    elements.append(self.expr(child))
            return ListX(tuple(elements), tuple(spreads), self.span(node))
        if kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            op = self.text(operator) if operator is not None else ""
            if op in ("||", "??"):
                return AnyOf((self.expr(left), self.expr(right)))
            if op == "&&":
                return self.expr(right)
            if op == "+" and self._has_string(node):
                return Lit(self.span(node))
            return Opaque()
        if kind == "ternary_expression":
            return AnyOf((self.expr(node.child_by_field_name("consequence")),
                          self.expr(node.child_by_field_name("alternative"))))
        if kind == "assignment_expression":
            return self.expr(node.child_by_field_name("right"))
        if kind in _FUNCTIONS:
            return Ref(self.function(node).rpartition(".")[2], self.span(node))
        if kind in _CLASSES:
            self._class_node(node)
            return self._exprs.get(_key(node), Opaque())
        if kind == "sequence_expression":
            inner = [c for c in node.named_children if c.type != "comment"]
            return self.expr(inner[-1]) if inner else Opaque()
        return Opaque()

    def _call(self, node: Node) -> Expr:
        function = node.child_by_field_name("function") or \
            node.child_by_field_name("constructor")
        arguments = node.child_by_field_name("arguments")
        if function is None:
            return Opaque()
        module = self._required(node)
        if module is not None:  # require("./m") where it is not assigned: a module
            local = f"<require@{self.offsets.char(node.start_byte)}>"
            self._import_name(local, module, None, self.span(node), self.code(node))
            self.facts.imports.append(Import(self.scope, local, module, 0, "default",
                                             self.span(node), self.code(node)))
            return Ref(local, self.span(node))
        args: list[Arg] = []
        position = 0
        items = arguments.named_children if arguments is not None else []
        if arguments is not None and arguments.type == "template_string":
            items = []  # a tagged template: no arguments we follow
        for child in items:
            if child.type == "comment":
                continue
            if child.type == "spread_element":
                inner = child.named_children[0] if child.named_children else None
                args.append(Arg(None, -1, self.expr(inner), self.span(child), 1))
                continue
            args.append(Arg(None, position, self.expr(child), self.span(child)))
            position += 1
        call = Call(self.expr(function), tuple(args), self.span(node), self._call_text(function))
        self.facts.calls.append((self.scope, call))
        return call

    def _call_text(self, function: Node) -> str:
        dotted = self._dotted(function)
        if dotted is not None:
            return dotted
        inner = function
        while inner.type in _TRANSPARENT and inner.named_children:
            inner = inner.named_children[0]
        if inner.type in ("call_expression", "new_expression"):  # createOpenAI({...})("id")
            callee = inner.child_by_field_name("function") or \
                inner.child_by_field_name("constructor")
            text = self._dotted(callee) if callee is not None else None
            return f"{text}()" if text else ""
        return ""

    def _object(self, node: Node) -> Expr:
        entries: list[tuple[str | None, Expr, Span]] = []
        spreads: list[Expr] = []
        for child in node.named_children:
            if child.type == "pair":
                key = child.child_by_field_name("key")
                value = child.child_by_field_name("value")
                name = self._key_text(key) if key is not None else None
                entries.append((name, self.expr(value), self.span(child)))
            elif child.type == "shorthand_property_identifier":
                name = self.text(child)
                entries.append((name, Ref(name, self.span(child)), self.span(child)))
            elif child.type == "spread_element":
                inner = child.named_children[0] if child.named_children else None
                spreads.append(self.expr(inner))
            elif child.type == "method_definition":
                key = child.child_by_field_name("name")
                name = self._key_text(key) if key is not None else None
                entries.append((name, self.expr(child), self.span(child)))
        return DictX(tuple(entries), tuple(spreads), self.span(node))

    def _has_string(self, node: Node) -> bool:
        if node.type in ("string", "template_string"):
            return True
        if node.type == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is not None and self.text(operator) == "+":
                left = node.child_by_field_name("left")
                right = node.child_by_field_name("right")
                return (left is not None and self._has_string(left)) or (
                    right is not None and self._has_string(right))
        return False

    # ------------------------------------------------------------------ names

    def _dotted(self, node: Node) -> str | None:
        """``a.b.c`` (also ``this.a``, ``import.meta.env``, ``a?.b``); else ``None``."""
        kind = node.type
        if kind in ("identifier", "this", "property_identifier", "super"):
            return self.text(node)
        if kind == "meta_property":
            return self.text(node).replace(" ", "")
        if kind == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if obj is None or prop is None:
                return None
            base = self._dotted(obj)
            return f"{base}.{self._name_text(prop)}" if base else None
        if kind in _TRANSPARENT and node.named_children:
            return self._dotted(node.named_children[0])
        return None

    def _name_text(self, node: Node) -> str:
        if node.type == "string":
            return string_value(node, self.src) or ""
        return self.text(node).lstrip("#")

    def _key_text(self, node: Node) -> str | None:
        if node.type in ("property_identifier", "identifier", "private_property_identifier"):
            return self.text(node).lstrip("#")
        if node.type == "string":
            return string_value(node, self.src)
        if node.type == "number":
            return self.text(node)
        return None  # a computed key

    # ------------------------------------------------------------------ strings

    def _string(self, node: Node) -> bool:
        key = _key(node)
        if key in self._handled:
            return True
        if node.type == "string":
            value = string_value(node, self.src)
            if value is not None and not self._is_module_specifier(node):
                self._add_string(node, value, "JavaScript string literal")
            return True
        template, dynamic = template_parts(node, self.src)
        self._add_string(node, template, "template literal", template=dynamic)
        for child in node.named_children:  # strings inside ${...} are literals of their own
            if child.type == "template_substitution":
                self._children(child)
        return True

    def _binary(self, node: Node) -> bool:
        operator = node.child_by_field_name("operator")
        if operator is None or self.text(operator) != "+" or not self._has_string(node):
            return False
        if _key(node) in self._handled:
            return True
        operands = self._flatten_plus(node)
        parts = []
        for operand in operands:
            if operand.type == "string":
                parts.append(string_value(operand, self.src) or "")
                self._handled.add(_key(operand))
            elif operand.type == "template_string":
                parts.append(template_parts(operand, self.src)[0])
                self._handled.add(_key(operand))
            else:
                parts.append("{" + self.text(operand) + "}")
        template = "".join(parts)
        dynamic = any(o.type not in ("string",) for o in operands)
        self._add_string(node, template, "string concatenation", template=dynamic)
        for operand in operands:
            if operand.type not in ("string", "template_string"):
                self._visit(operand)
            elif operand.type == "template_string":
                for child in operand.named_children:
                    if child.type == "template_substitution":
                        self._children(child)
        return True

    def _flatten_plus(self, node: Node) -> list[Node]:
        if node.type == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is not None and self.text(operator) == "+":
                self._handled.add(_key(node))
                left = node.child_by_field_name("left")
                right = node.child_by_field_name("right")
                return [*(self._flatten_plus(left) if left is not None else []),
                        *(self._flatten_plus(right) if right is not None else [])]
        if node.type in ("parenthesized_expression",) and node.named_children:
            return self._flatten_plus(node.named_children[0])
        return [node]

    def _is_module_specifier(self, node: Node) -> bool:
        parent = node.parent
        return parent is not None and parent.type in ("import_statement", "export_statement")

    def _add_string(self, node: Node, value: str, kind: str, template: bool = False) -> None:
        span = self.span(node)
        self.strings.append(StringFact(value=value, start=span.start, end=span.end, kind=kind,
                                       role=Role.DEFINITION, binding=self._binding(node),
                                       template=template))

    def _binding(self, node: Node) -> Binding | None:
        """The name a string is bound to, as JavaScript writes it: ``MODELS.cloud.primary``,
        ``model:`` (a key of an object passed to a call), ``default of env X``."""
        keys: list[str] = []
        current = node
        parent = current.parent
        while parent is not None:
            kind = parent.type
            if kind in _TRANSPARENT:
                pass
            elif kind == "pair" and parent.child_by_field_name("value") == current:
                key = parent.child_by_field_name("key")
                name = self._key_text(key) if key is not None else None
                if name is None:
                    return None
                keys.append(name)
            elif kind == "object":
                pass
            elif kind == "array":
                index = [c for c in parent.named_children if c.type != "comment"]
                position = next((i for i, c in enumerate(index) if _key(c) == _key(current)),
                                None)
                keys.append(f"[{position}]" if position is not None else "[*]")
            elif kind == "binary_expression":
                operator = parent.child_by_field_name("operator")
                left = parent.child_by_field_name("left")
                if operator is not None and self.text(operator) in ("||", "??") and \
                        left is not None and _key(left) != _key(current):
                    env = self._env_read(left)
                    if env is not None:
                        return Symbol(f"default of env {env.var}")
                return None
            elif kind == "ternary_expression":
                pass
            elif kind == "variable_declarator":
                declared = parent.child_by_field_name("name")
                if declared is None or declared.type != "identifier":
                    return None
                return self._named(self.text(declared), keys)
            elif kind == "assignment_expression":
                left = parent.child_by_field_name("left")
                dotted = self._dotted(left) if left is not None else None
                return self._named(dotted, keys) if dotted else None
            elif kind in ("public_field_definition", "field_definition"):
                field_name = parent.child_by_field_name("name") or \
                    parent.child_by_field_name("property")
                return self._named(self._name_text(field_name), keys) \
                    if field_name is not None else None
            elif kind == "arguments":
                if len(keys) == 1:
                    return Symbol(f"{keys[0]}:")
                return self._named(None, keys) if keys else None
            elif kind == "jsx_attribute":
                attribute = parent.named_children[0] if parent.named_children else None
                return Symbol(f"{self.text(attribute)}=") if attribute is not None else None
            elif kind in ("export_statement",):
                return self._named("export default", keys)
            else:
                return None
            current, parent = parent, parent.parent
        return None

    def _named(self, owner: str | None, keys: list[str]) -> Binding | None:
        path = "".join(k if k.startswith("[") else f".{k}" for k in reversed(keys))
        if self.env_file and len(keys) >= 2 and _ENV_SECTIONS.match(keys[1]) and \
                _ENV_NAME.fullmatch(keys[0]):
            return EnvVar(keys[0])  # ecosystem.config.js: apps[0].env.OPENAI_MODEL
        if owner is None:
            return Symbol(path.lstrip(".")) if path else None
        return Symbol(f"{owner}{path}")


_HANDLERS: dict[str, Callable[[Collector, Node], bool]] = {
    "variable_declarator": Collector._declarator,
    "assignment_expression": Collector._assignment,
    "augmented_assignment_expression": Collector._assignment,
    "for_in_statement": Collector._for_in,
    "return_statement": Collector._return,
    "import_statement": Collector._import,
    "export_statement": Collector._export,
    "string": Collector._string,
    "template_string": Collector._string,
    "binary_expression": Collector._binary,
    **dict.fromkeys(_FUNCTIONS, Collector._function_node),
    **dict.fromkeys(_CLASSES, Collector._class_node),
}


def _record_expression(self: Collector, node: Node) -> bool:
    """An expression the walk meets outside a statement it models (a call in an ``if``, in
    JSX): converted, so its calls and env reads are recorded; the walk goes on inside."""
    self.expr(node)
    return False


for _kind in ("call_expression", "new_expression", "member_expression",
              "subscript_expression"):
    _HANDLERS[_kind] = _record_expression
