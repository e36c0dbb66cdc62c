"""Turn the facts of each module into the value-flow graph (:mod:`ftscan.flow.graph`).

:class:`Program` holds the graph and grows it a module at a time (the alias phase parses more
modules round by round, so building is incremental and the graph is solved again from where it
stopped). For each module it adds:

- a node per name of each scope, found the way the language finds names (a function's locals,
  then enclosing functions, then the module);
- an edge from each assignment's value to its targets, from each argument to the parameter it
  binds, from each ``return`` to the call's result, from each import to the imported name;
- a watch on each attribute read, subscript and call, which adds edges as objects reach it
  (``settings.model`` reads the field of every instance ``settings`` can hold; ``f(x)``
  binds ``x`` in every function ``f`` can be);
- an *observation* for each place a use is reported: an argument a model sink takes, an env
  read, a settings field.

What a language means by a name is asked of its plug-in (:class:`ftscan.languages.Language`):
how imports resolve to files, which calls are sinks, what built-in functions do with their
arguments. Nothing here knows Python or JavaScript.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ftscan.flow.facts import (
    AnyOf,
    Arg,
    Assign,
    Attr,
    AttrT,
    Call,
    CompX,
    DictX,
    EnvObject,
    EnvRead,
    Expr,
    Function,
    Item,
    ItemT,
    ListX,
    Lit,
    ModuleFacts,
    NameT,
    Opaque,
    Outside,
    Ref,
    Scope,
    Span,
    Target,
    UnpackT,
)
from ftscan.flow.graph import LEAVES_ONLY, Graph, Hop, Node, Value
from ftscan.flow.names import is_fine_tune_name
from ftscan.languages import Language, language_named

DATA_SUFFIXES = (".json",)
"""Data files code can import (JavaScript's ``import models from "./models.json"``)."""
ANY = "[*]"
"""The field holding every element of a list, every value of a dict."""
STORED_IN = "stored in "
"""How the hop into a database table begins (a table's name follows)."""
ENVIRONMENT: Value = ("obj", "env")
"""The environment as an object (:class:`~ftscan.flow.facts.EnvObject`)."""
_ENV_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
"""A name an environment variable can have."""
KEYS = "[keys]"
"""The field holding a dict's keys (what iterating over a dict yields)."""
DATA_FILES_NAMED = 8
"""Data files one path written in code may name at most (several share a name, far apart)."""
SOME = "[?]"
"""The field holding what a dict holds under keys known only at run time (``d[k] = v``, a
``defaultdict``'s default): reading any key may find it."""
JOB_RESULTS = frozenset({"fine_tuned_model", "fineTunedModel", "fine_tuned_model_checkpoint"})
"""Fields of a fine-tuning job (or checkpoint) that name the model it made: reading one, as
an attribute or a key, reads a model set outside the repository."""


def key_field(key: str) -> str:
    return f"[{key}]"


def stored_file(name: str) -> Node:
    """What code writes to files named ``name`` (by the last part of the path written: the
    folders differ as the code spells them)."""
    return ("stored", name.replace("\\", "/").rpartition("/")[2])


@dataclass(frozen=True)
class Observation:
    """A place a use is reported: its node holds the values that reach it."""

    path: str
    span: Span
    kind: str
    """What happens there: ``passed as model= of client.chat.completions.create``."""
    context: str
    """The name or code shown next to it."""
    sink: bool = False
    """A model sink (values from outside the repository count here)."""
    default: Expr | None = None
    """An env read's literal default (worth a note when it is not the fine-tune)."""
    env: str | None = None
    """The env var read, for notes."""
    callee: Node | None = None
    """For an argument of a call: the callee, and the parameter the argument binds (a keyword
    or a position). When the callee is a function of the repository whose parameter reaches
    a use of its own, that use is reported and this one is not (``ask(model=X)`` calls
    ``create(model=model)`` inside: one use, where the model is called)."""
    parameter: str | int | None = None
    call: Span | None = None
    """The call's span (a keyword the function collects in ``**kwargs`` lands in a dict made
    at the call)."""
    manages: bool = False
    """The callee manages the model (``client.models.delete``) rather than calls it."""
    key: str | None = None
    """For an entry of an options object (``create({ model })``): its key."""


@dataclass
class Binding:
    """An argument of a call to one of the repository's functions."""

    path: str
    span: Span
    node: Node
    """What the argument holds."""
    function: str
    """The function's name, for messages."""
    code: str
    """The argument as written (shortened)."""
    result: Node
    """The node of the call's result (where the function returns to)."""
    parameters: set[Node] = field(default_factory=set)
    """The parameter nodes it binds (several when the callee can be several functions)."""


@dataclass
class Program:
    """The graph of every module parsed so far, and what the use findings need from it."""

    graph: Graph
    definitions_in: Callable[[str, Span], list[int]]
    """Indices of the definitions whose id lies in ``span`` of ``path``."""
    service_of: Callable[[str], str | None]
    files: dict[str, set[str]]
    """Language name → every file of that language in the scan."""
    user_sinks: Sequence[tuple[str, str | int]] = ()
    observations: dict[Node, Observation] = field(default_factory=dict)
    modules: dict[str, ModuleFacts] = field(default_factory=dict)
    env_sources: dict[str, list[tuple[Node, str | None]]] = field(default_factory=dict)
    """Env var → the nodes that bind it and the service each lies in."""
    env_wired: dict[tuple[str, str | None], set[Node]] = field(default_factory=dict)
    outside_env: dict[str, str] = field(default_factory=dict)
    """Env var bound to a secret outside the repository (workflow ``secrets.X``) → its name."""
    wanted_modules: set[str] = field(default_factory=set)
    """Repository modules to read next round (a submodule reached as an attribute)."""
    calls_into: list[tuple[str, Node]] = field(default_factory=list)
    """Arguments of calls into repository modules not read yet: (module, argument node). A
    module is read next round when an argument holds a definition or an object through
    which one is reached (decided after each round's fixpoint, see :mod:`.phase`)."""
    unresolved_star_imports: set[tuple[str, str]] = field(default_factory=set)
    _stars: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    data_loader: Callable[[Program, str], None] | None = None
    """Makes a data file that code imports (``models.json``) a module of objects."""
    data_files: set[str] = field(default_factory=set)
    """Data files holding a definition under a key path (JSON, YAML, TOML): what code that
    loads one at run time (``json.load(open("config.json"))``) may read."""
    _data_modules: set[str] = field(default_factory=set)
    _dict_keys: dict[Value, set[str]] = field(default_factory=dict)
    _classes: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    _functions: dict[tuple[str, str], Function] = field(default_factory=dict)
    _subclasses: dict[Value, set[Value]] = field(default_factory=dict)
    _imported_files: dict[tuple[str, str], str] = field(default_factory=dict)
    """(module, local name) → the repository file it imports, where that file is not parsed."""
    entry_spans: dict[tuple[Value, str], tuple[str, Span]] = field(default_factory=dict)
    """Where a dict literal writes a model key (``"model": self.model``), by dict and key: the
    scope it is written in and the entry. A request of the same scope sending the dict uses
    the model there."""
    bindings: dict[tuple[str, int, int], Binding] = field(default_factory=dict)
    """Each argument of a call to a function (or class) of the repository, by its place: the
    parameters it binds. The argument is a use where one of them leads to a model call
    (:mod:`.phase`)."""

    def function(self, path: str, qualname: str) -> Function | None:
        return self._functions.get((path, qualname))

    def parameter_nodes(self, o: Value, parameter: str | int,
                        call: tuple[str, Span] | None = None) -> list[Node]:
        """The nodes of the parameter of the function (or class constructor) ``o`` that an
        argument of ``call`` (path, span) binds; a keyword the function collects in
        ``**kwargs`` is the entry of the dict made at the call."""
        kind = o[1]
        path, qualname = str(o[2]), str(o[3])
        if kind == "class":
            function = self.function(path, f"{qualname}.__init__") or \
                self.function(path, f"{qualname}.constructor")
            skip = 1
        elif kind == "func":
            function = self.function(path, qualname)
            skip = 1 if function is not None and function.is_method and not function.static \
                else 0
        else:
            return []
        if function is None:
            return []
        params = [p for p in function.params if not p.collects][skip:]
        if isinstance(parameter, str):
            chosen = [p for p in params if p.name == parameter]
            if not chosen and call is not None and any(p.collects == 2
                                                       for p in function.params):
                path_, span = call
                kwargs: Value = ("obj", "dict", path_, span.start, span.end)
                return [("field", kwargs, key_field(parameter))]
        else:
            chosen = [p for p in params if p.position >= 0][parameter:parameter + 1]
        return [("var", path, function.qualname, p.name) for p in chosen]

    # ------------------------------------------------------------------ env

    def bind_env(self, var: str, source: Node, path: str) -> None:
        """``source`` sets env ``var`` (from the file at ``path``); readers see it through
        :meth:`env_node`, scoped by service."""
        self.env_sources.setdefault(var, []).append((source, self.service_of(path)))
        for (wired_var, reader), nodes in self.env_wired.items():
            if wired_var == var:
                self._wire_env(var, reader, nodes)

    def env_node(self, var: str, reader_path: str) -> Node:
        """What env ``var`` holds as seen from the file ``reader_path``: bindings in the
        reader's own service and at the repository level win; bindings only in another
        service still reach it, at low confidence."""
        reader = self.service_of(reader_path)
        node = ("env", var, reader)
        key = (var, reader)
        if key not in self.env_wired:
            self.env_wired[key] = set()
            self._wire_env(var, reader, self.env_wired[key])
            if var not in self.env_sources and is_fine_tune_name(var):
                self.graph.seed(node, ("out", "env", var))
            secret = self.outside_env.get(var)
            if secret is not None:
                self.graph.seed(node, ("out", "secret", secret))
        return node

    def _wire_env(self, var: str, reader: str | None, wired: set[Node]) -> None:
        sources = self.env_sources.get(var, [])
        near = [(n, s) for n, s in sources if s is None or s == reader]
        chosen = near or sources
        for source, service in chosen:
            if source in wired:
                continue
            wired.add(source)
            low = None if near else f"env {var} is set only in {service}, another service"
            self.graph.edge(source, ("env", var, reader), relabel=low)

    # ------------------------------------------------------------------ modules

    def add_module(self, path: str, facts: ModuleFacts) -> None:
        """Add one module's facts to the graph (see the module docstring)."""
        language = language_named(facts.language)
        self.modules[path] = facts
        builder = _ModuleBuilder(self, path, facts, language)
        builder.build()
        for importer, to_exports in self._stars.pop(path, []):
            self._star_edges(path, importer, to_exports)

    def export_node(self, path: str, name: str) -> Node:
        return ("export", path, name)

    def star_import(self, module: str, importer: str, to_exports: bool = False) -> None:
        """``from module import *`` in ``importer`` (or, ``to_exports``, JavaScript's
        ``export * from "./module"``): every name ``module`` exports."""
        if module in self.modules:
            self._star_edges(module, importer, to_exports)
        else:
            self._stars.setdefault(module, []).append((importer, to_exports))

    def _star_edges(self, module: str, importer: str, to_exports: bool) -> None:
        facts = self.modules[module]
        importer_facts = self.modules.get(importer)
        own = importer_facts.scopes[""].names if importer_facts and "" in importer_facts.scopes \
            else frozenset()
        for name in sorted(exported_names(facts)):
            if name == "default":
                continue  # never part of a star
            if to_exports:
                self.graph.edge(self.export_node(module, name), self.export_node(importer, name))
            elif name not in own:
                self.graph.edge(self.export_node(module, name), ("var", importer, "", name))

    def data_module(self, path: str) -> None:
        """A data file imported by code (``import models from "./models.json"``): made a
        module of objects once."""
        if path not in self._data_modules and self.data_loader is not None:
            self._data_modules.add(path)
            self.data_loader(self, path)

    def data_files_named(self, name: str, reader: str) -> list[str]:
        """The data files a path written in the code of ``reader`` may name: the files whose
        path ends with it (``./data/state.json``, ``config.yaml``), those beside the reader or
        in the folders above it first (the working directory is not known)."""
        parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
        if not parts:
            return []
        tail = "/".join(parts)
        found = sorted(p for p in self.data_files if p == tail or p.endswith("/" + tail))
        folder = posixpath.dirname(reader)
        while True:
            near = posixpath.join(folder, tail) if folder else tail
            if near in found:
                return [near]
            if not folder:
                break
            folder = posixpath.dirname(folder)
        return found[:DATA_FILES_NAMED]

    def register_dict(self, obj: Value, keys: Iterable[str]) -> None:
        self._dict_keys.setdefault(obj, set()).update(keys)

    def dict_keys(self, obj: Value) -> set[str]:
        return self._dict_keys.get(obj, set())


class _ModuleBuilder:
    """The graph for one module."""

    def __init__(self, program: Program, path: str, facts: ModuleFacts,
                 language: Language) -> None:
        self.program = program
        self.graph = program.graph
        self.path = path
        self.facts = facts
        self.language = language
        self._expr_nodes: dict[tuple[int, int, str], Node] = {}
        self._imported_names = {i.local for i in facts.imports}
        self._sink_arg_spans: set[tuple[int, int]] = set()

    # ------------------------------------------------------------------ names

    def scope_node(self, scope: str, name: str) -> Node:
        """The node of ``name`` bound in ``scope`` itself."""
        info = self.facts.scopes.get(scope)
        if info is not None and info.kind == "class":
            return ("field", ("obj", "class", self.path, scope), name)
        return ("var", self.path, scope, name)

    def lookup(self, scope: str, name: str) -> Node:
        """The node ``name`` refers to when read in ``scope``."""
        current: str | None = scope
        first = True
        while current is not None:
            info = self.facts.scopes.get(current)
            if info is None:
                break
            if name in info.globals:
                return ("var", self.path, "", name)
            if name in info.names and (first or info.kind != "class"):
                return self.scope_node(current, name)
            first = False
            current = info.parent
        return ("var", self.path, "", name)

    def is_bound(self, scope: str, name: str) -> bool:
        """Is ``name`` bound anywhere on the way from ``scope`` to the module?"""
        current: str | None = scope
        while current is not None:
            info = self.facts.scopes.get(current)
            if info is None:
                return False
            if name in info.names:
                return True
            current = info.parent
        return False

    def hop(self, span: Span, message: str) -> Hop:
        return Hop(self.path, span, message)

    # ------------------------------------------------------------------ the module

    def build(self) -> None:
        facts = self.facts
        module_obj = ("obj", "module", self.path)
        if not self.language.explicit_exports:  # every module-level name is importable
            for name in sorted(facts.scopes.get("", _EMPTY).names):
                self.graph.edge(("var", self.path, "", name), self.program.export_node(
                    self.path, name))
        for export in facts.exports:
            self._export(export)
        for imp in facts.imports:
            self._import(imp)
        for cls in facts.classes:
            self._class(cls)
        for function in facts.functions:
            self._function(function)
        for assign in facts.assigns:
            self._assign(assign)
        for ret in facts.returns:
            self.graph.edge(self.expr(ret.scope, ret.value),
                            ("ret", self.path, ret.scope))
        for write in facts.env_writes:
            node = ("envwrite", self.path, write.span.start)
            self.graph.edge(self.expr("", write.value), node,
                            self.hop(write.span, write.code))
            self.program.bind_env(write.var, node, self.path)
        for scope, call in facts.calls:
            self._call(scope, call)
        for scope, read in facts.env_reads:
            self.expr(scope, read)
            self._observe_env_read(read)
        for scope, outside in facts.outside:
            self.expr(scope, outside)
        self.graph.seed(("module", self.path), module_obj)

    def _observe_env_read(self, read: EnvRead) -> None:
        """What the environment gives the read is observed there (its default is not a use
        of anything); not where the read is itself a model sink's argument."""
        if (read.span.start, read.span.end) in self._sink_arg_spans:
            return
        read_node = ("envobs", self.path, read.span.start, read.span.end)
        self.graph.edge(self.program.env_node(read.var, self.path), read_node)
        self.program.observations[read_node] = Observation(
            self.path, read.span, f"environment read {_short(read.code)}",
            f"env {read.var}", default=read.default, env=read.var)

    # ------------------------------------------------------------------ statements

    def _export(self, export: object) -> None:
        from ftscan.flow.facts import Export

        assert isinstance(export, Export)
        target = self.program.export_node(self.path, export.exported)
        hop = self.hop(export.span, export.code)
        if export.from_module is not None:
            for module in self.language.resolve(self.path, export.from_module, 0,
                                                self.program.files):
                if module.endswith(DATA_SUFFIXES):
                    self.program.data_module(module)
                if export.name == "*":
                    self.program.star_import(module, self.path, to_exports=True)
                elif export.name is None:  # export * as ns from "./m"
                    self.graph.seed(target, ("obj", "module", module))
                else:
                    self.graph.edge(self.program.export_node(module, export.name), target,
                                    hop)
            return
        if export.value is not None:
            self.graph.edge(self.expr("", export.value), target, hop)

    def _import(self, imp: object) -> None:
        from ftscan.flow.facts import Import

        assert isinstance(imp, Import)
        hop = self.hop(imp.span, imp.code)
        target = self.scope_node(imp.scope, imp.local) if imp.name != "*" else None
        modules = self.language.resolve(self.path, imp.module, imp.level, self.program.files)
        if not modules and imp.name == "*":
            self.program.unresolved_star_imports.add((self.path, imp.module))
        elif not modules and not imp.level and target is not None and getattr(
                self.language, "library_objects", False):
            self.graph.seed(target, ("obj", "ext", f"{imp.module}.{imp.name}"
                                     if imp.name is not None else imp.module))
        for module in modules:
            if module.endswith(DATA_SUFFIXES):
                self.program.data_module(module)
            if imp.name == "*":
                if module in self.program.modules or module in self.program.files.get(
                        self.language.name, set()):
                    self.program.star_import(module, self.path)
                continue
            assert target is not None
            if module not in self.program.modules and not module.endswith(DATA_SUFFIXES):
                self.program._imported_files[(self.path, imp.local)] = module
                if imp.name is not None:  # until the module is read, a stand-in for its names
                    self.graph.seed(target, ("obj", "stub", module))
            if imp.name is None:
                self.graph.seed(target, ("obj", "module", module))
                continue
            self.graph.edge(self.program.export_node(module, imp.name), target, hop)
            for sub in self.language.submodule(module, imp.name, self.program.files):
                self.graph.seed(target, ("obj", "module", sub))

    def _class(self, cls: object) -> None:
        from ftscan.flow.facts import Class

        assert isinstance(cls, Class)
        obj = ("obj", "class", self.path, cls.qualname)
        self.graph.seed(self.scope_node(cls.scope, cls.name), obj)
        self.program._classes[(self.path, cls.qualname)] = cls.base_names
        settings = self.language.settings_class(self.path, cls, self.program.modules,
                                                self.program.files)
        for base in cls.bases:  # inheritance: a subclass reads its bases' attributes
            base_node = self.expr(cls.scope, base)
            self.graph.watch(base_node, functools.partial(self._inherit, sub=obj))
        if settings is None:
            return
        prefix, explicit = settings
        for name, span in cls.fields:
            var = explicit.get(name) or (prefix + name).upper()
            field_node = ("field", obj, name)
            self.graph.edge(self.program.env_node(var, self.path), field_node,
                            self.hop(span, f"settings field {cls.name}.{name} reads env {var}"))
            observed = ("settings", self.path, span.start)
            self.graph.edge(self.program.env_node(var, self.path), observed)
            default = next((a.value for a in self.facts.assigns if a.scope == cls.qualname
                            and any(isinstance(t, NameT) and t.name == name
                                    for t in a.targets)), None)
            self.program.observations[observed] = Observation(
                self.path, span, f"settings field {cls.name}.{name} (reads env {var})",
                f"env {var}", default=default, env=var)

    def _inherit(self, base: Value, *, sub: Value) -> None:
        """``sub`` subclasses ``base``: its attributes are read through ``sub`` too."""
        if base[1] != "class":
            return
        subs = self.program._subclasses.setdefault(base, set())
        if sub in subs:
            return
        subs.add(sub)
        base_facts = self.program.modules.get(str(base[2]))
        if base_facts is None:
            return
        names = base_facts.scopes.get(str(base[3]), _EMPTY).names
        for name in sorted(names):
            self.graph.edge(("field", base, name), ("field", sub, name))

    def _function(self, function: Function) -> None:
        obj = ("obj", "func", self.path, function.qualname)
        self.program._functions[(self.path, function.qualname)] = function
        # bound under the last part of its qualified name (an anonymous function under
        # ``name@offset``): for a named function, its name
        self.graph.seed(self.scope_node(function.scope, function.qualname.rpartition(".")[2]),
                        obj)
        for param in function.params:
            node = ("var", self.path, function.qualname, param.name)
            if param.default is not None:
                self.graph.edge(self.expr(function.scope, param.default), node,
                                self.hop(param.span, param.code))
            if param.target is not None:
                self._bind(function.qualname, param.target, node, self.hop(param.span,
                                                                           param.code))
        if function.is_method and function.params and not function.static:
            owner = function.scope
            kind = "class" if function.classmethod else "inst"
            self.graph.seed(("var", self.path, function.qualname, function.params[0].name),
                            ("obj", kind, self.path, owner))

    def _assign(self, assign: Assign) -> None:
        value = self.expr(assign.scope, assign.value)
        hop = self.hop(assign.span, assign.code)
        if assign.iterate:
            elements = ("elements", self.path, assign.span.start)
            self._elements_of(value, elements)
            value = elements
        for target in assign.targets:
            self._bind(assign.scope, target, value, hop)

    def _bind(self, scope: str, target: Target, value: Node, hop: Hop | None) -> None:
        graph = self.graph
        if isinstance(target, NameT):
            graph.edge(value, self.lookup_for_store(scope, target.name), hop)
        elif isinstance(target, AttrT):
            obj_node = self.expr(scope, target.obj)
            name = target.name
            graph.watch(obj_node, lambda o: graph.edge(value, self._store_field(o, name), hop))
        elif isinstance(target, ItemT):
            obj_node = self.expr(scope, target.obj)
            key = target.key

            def store(o: Value) -> None:
                graph.edge(value, ("field", o, ANY), hop)
                if key is not None:
                    graph.edge(value, ("field", o, key_field(key)), hop)
                    self.program.register_dict(o, [key])
                else:  # any key: what reading a key may find besides that key's own entry
                    graph.edge(value, ("field", o, SOME), hop)
            graph.watch(obj_node, store)
        elif isinstance(target, UnpackT):
            if target.keys:
                for key, sub in zip(target.keys, target.targets, strict=False):
                    part: Node = ("part", value, key)
                    if key is not None:
                        graph.watch(value, functools.partial(self._load_key, key=key, node=part))
                    self._bind(scope, sub, part, hop)
                return
            elements = ("unpack", value)
            self._elements_of(value, elements)
            graph.edge(value, elements)  # a definition itself, unpacked, stays one
            for sub in (*target.targets, *((target.rest,) if target.rest else ())):
                self._bind(scope, sub, elements, hop)

    def lookup_for_store(self, scope: str, name: str) -> Node:
        info = self.facts.scopes.get(scope)
        if info is not None and name in info.globals:
            return ("var", self.path, "", name)
        return self.scope_node(scope, name)

    def _store_field(self, obj: Value, name: str) -> Node:
        if obj[1] == "module":
            return ("var", obj[2], "", name)
        if obj[1] == "dict":
            self.program.register_dict(obj, [name])
            return ("field", obj, key_field(name))
        return ("field", obj, name)

    def _elements_of(self, container: Node, target: Node) -> None:
        """``target`` gets what iterating over ``container`` yields."""
        graph = self.graph

        def elements(o: Value) -> None:
            kind = o[1]
            if kind == "dict":
                graph.edge(("field", o, KEYS), target)
            elif kind in ("list", "view"):
                graph.edge(("field", o, ANY), target)
            elif kind == "store":  # the rows of a query
                graph.seed(target, o)
        graph.watch(container, elements)

    # ------------------------------------------------------------------ expressions

    def expr(self, scope: str, e: Expr) -> Node:
        """The node holding the values of ``e`` (evaluated in ``scope``)."""
        if isinstance(e, Ref):
            return self.lookup(scope, e.name)
        if isinstance(e, Opaque):
            return ("opaque",)
        span = getattr(e, "span", None)
        key = (span.start, span.end, type(e).__name__) if span is not None else None
        if key is not None and key in self._expr_nodes:
            return self._expr_nodes[key]
        node = self._build_expr(scope, e)
        if key is not None:
            self._expr_nodes[key] = node
        return node

    def _build_expr(self, scope: str, e: Expr) -> Node:
        graph, path = self.graph, self.path
        node: Node
        if isinstance(e, Lit):
            node = ("lit", path, e.span.start, e.span.end)
            written = self.program.definitions_in(path, e.span)
            for index in written:
                graph.seed(node, ("def", index, None))
            if not written:
                for part in e.parts:
                    graph.edge(self.expr(scope, part), node)
            return node
        if isinstance(e, Attr):
            node = ("attr", path, e.span.start, e.span.end)
            base = self.expr(scope, e.obj)
            name = e.name
            graph.watch(base, lambda o: self._load(o, name, node))
            if name in JOB_RESULTS:
                self._job_result(node, e)
            return node
        if isinstance(e, Item):
            node = ("item", path, e.span.start, e.span.end)
            base = self.expr(scope, e.obj)
            key = e.key
            graph.watch(base, lambda o: self._load_item(o, key, node))
            if key in JOB_RESULTS:
                self._job_result(node, e)
            return node
        if isinstance(e, Call):
            return ("call", path, e.span.start, e.span.end)
        if isinstance(e, DictX):
            obj: Value = ("obj", "dict", path, e.span.start, e.span.end)
            node = ("dict", path, e.span.start, e.span.end)
            graph.seed(node, obj)
            keys = [k for k, _, _ in e.entries if k is not None]
            self.program.register_dict(obj, keys)
            for key, value, entry_span in e.entries:
                value_node = self.expr(scope, value)
                hop = self.hop(entry_span, f'entry "{key}"') if key is not None else None
                if key is not None:
                    graph.edge(value_node, ("field", obj, key_field(key)), hop)
                    if key in self.language.sinks.keywords:
                        self.program.entry_spans[(obj, key)] = (scope, entry_span)
                graph.edge(value_node, ("field", obj, ANY), hop)
            for spread in e.spreads:
                graph.watch(self.expr(scope, spread), functools.partial(self._spread,
                                                                        target=obj))
            return node
        if isinstance(e, ListX):
            obj = ("obj", "list", path, e.span.start, e.span.end)
            node = ("list", path, e.span.start, e.span.end)
            graph.seed(node, obj)
            for element in e.elements:
                graph.edge(self.expr(scope, element), ("field", obj, ANY))
            for spread in e.spreads:
                self._elements_of(self.expr(scope, spread), ("field", obj, ANY))
            return node
        if isinstance(e, CompX):
            obj = ("obj", "list", path, e.span.start, e.span.end)
            node = ("list", path, e.span.start, e.span.end)
            graph.seed(node, obj)
            for target, iterable in e.loops:
                elements: Node = ("elements", path, e.span.start, id(target))
                self._elements_of(self.expr(scope if target is e.loops[0][0] else e.scope,
                                            iterable), elements)
                self._bind(e.scope, target, elements, None)
            graph.edge(self.expr(e.scope, e.element), ("field", obj, ANY))
            return node
        if isinstance(e, AnyOf):
            node = ("any", path, id(e))
            for option in e.options:
                graph.edge(self.expr(scope, option), node)
            return node
        if isinstance(e, EnvRead):
            node = ("envread", path, e.span.start, e.span.end)
            graph.edge(self.program.env_node(e.var, path), node,
                       self.hop(e.span, f"reads env {e.var}: {_short(e.code)}"))
            if e.default is not None:
                graph.edge(self.expr(scope, e.default), node)
            return node
        if isinstance(e, EnvObject):
            node = ("envobj", path, e.span.start, e.span.end)
            graph.seed(node, ENVIRONMENT)
            return node
        if isinstance(e, Outside):
            node = ("outside", path, e.span.start, e.span.end)
            graph.seed(node, ("out", "job", _short(e.code, 60), path, e.span.start,
                              e.span.end))
            return node
        return ("opaque",)

    def _job_result(self, node: Node, e: Expr) -> None:
        """``node`` reads what a fine-tuning job made (``job.fine_tuned_model``,
        ``job["fine_tuned_model"]``): a model set outside the repository."""
        span = _span(e) or Span(0, 0)
        self.graph.seed(node, ("out", "job", _short(_expr_text(e), 60), self.path,
                               span.start, span.end))

    def _load(self, o: Value, name: str, node: Node) -> None:
        """``node`` gets ``o.name``."""
        graph, kind = self.graph, o[1]
        if kind in ("stub", "store"):
            graph.seed(node, o)
            if kind == "store":  # a record read back: its column, or the rows themselves
                graph.edge(("field", o, key_field(name)), node)
        elif kind == "ext":  # a library's object: its path names it, what code stores in it
            graph.edge(("field", o, name), node)
            graph.seed(node, ("obj", "ext", f"{o[2]}.{name}"))
        elif kind == "env":  # env.OPENAI_MODEL of a validated env object
            graph.edge(self.program.env_node(name, self.path), node,
                       self.hop(Span(int(node[2]), int(node[3])), f"reads env {name}")
                       if type(node) is tuple and node[0] == "attr" else None)
            graph.seed(node, o)  # env.data.X: still the environment
        elif kind == "module":
            module = str(o[2])
            graph.edge(self.program.export_node(module, name), node)
            if module not in self.program.modules:
                graph.seed(node, ("obj", "stub", module))
            language = language_named(self.program.modules[module].language) \
                if module in self.program.modules else self.language
            for sub in language.submodule(module, name, self.program.files):
                graph.seed(node, ("obj", "module", sub))
        elif kind == "inst":
            graph.edge(("field", o, name), node)
            graph.edge(("field", ("obj", "class", o[2], o[3]), name), node)
            graph.watch(("field", ("obj", "class", o[2], o[3]), name),
                        functools.partial(self._read_getter, node=node))
        elif kind == "class":
            graph.edge(("field", o, name), node)
        elif kind == "dict":
            if self.language.attributes_are_keys or o[3] == "data":
                # (a configuration file's data read as attributes: OmegaConf, Box, EasyDict)
                graph.edge(("field", o, key_field(name)), node)
            elif name in ("values", "items"):  # d.values (a bound method): the view
                graph.edge(("field", o, ANY), node)
        elif kind == "options" and is_fine_tune_name(name):
            graph.seed(node, ("out", "option", name))

    def _read_getter(self, f: Value, *, node: Node) -> None:
        """``obj.name`` where ``name`` is a getter (``@property``): what it returns."""
        if f[1] == "func":
            function = self.program.function(str(f[2]), str(f[3]))
            if function is not None and function.getter:
                self.graph.edge(("ret", f[2], f[3]), node)

    def _load_key(self, o: Value, *, key: str, node: Node) -> None:
        """``node`` gets the entry ``key`` of a dict, or the attribute of an object
        (destructuring ``{model} = o``)."""
        self.graph.edge(("field", o, key_field(key)), node)
        if o[1] in ("inst", "class", "module", "store", "env"):
            self._load(o, key, node)

    def _dict_entry(self, o: Value, *, key: str, node: Node, hop: Hop | None) -> None:
        """``node`` gets the entry ``key`` of ``o`` when it is a dict (``**kwargs``)."""
        if o[1] == "dict":
            self.graph.edge(("field", o, key_field(key)), node, hop)

    def _load_item(self, o: Value, key: str | None, node: Node) -> None:
        kind = o[1]
        if kind in ("stub", "store"):
            self.graph.seed(node, o)
        elif kind == "env" and key is not None:
            self._load(o, key, node)
        elif kind == "dict":
            self.graph.edge(("field", o, key_field(key) if key is not None else ANY), node)
            if key is not None:
                self.graph.edge(("field", o, SOME), node)
        elif kind in ("list", "view"):
            self.graph.edge(("field", o, ANY), node)
        elif kind == "ext":
            self.graph.edge(("field", o, key_field(key) if key is not None else ANY), node)
        elif kind in ("inst", "class") and key is not None and self.language.attributes_are_keys:
            self.graph.edge(("field", o, key), node)

    def _spread(self, source: Value, *, target: Value) -> None:
        """``{**source}`` / ``{...source}`` inside the dict ``target``."""
        if source[1] != "dict":
            return
        keys = self.program.dict_keys(source)
        self.program.register_dict(target, keys)
        for key in (*(key_field(k) for k in sorted(keys)), ANY):
            self.graph.edge(("field", source, key), ("field", target, key))

    # ------------------------------------------------------------------ calls

    def _call(self, scope: str, call: Call) -> None:
        graph = self.graph
        result = self.expr(scope, call)
        callee = self.expr(scope, call.callee)
        args = [(a, self.expr(scope, a.value)) for a in call.args]
        self._observe_sinks(scope, call, args)
        if not self.language.sinks.provider_api(call.text):
            graph.watch(callee, lambda o: self._call_object(o, call, scope, args, result))
        summary = self._builtin(scope, call)
        if summary is not None:
            self._summarise(summary, call, scope, args, result)
        self._note_import_call(scope, call, args)

    def _builtin(self, scope: str, call: Call) -> str | None:
        """What a built-in function or method does with its arguments, if the callee is one."""
        root = call.callee
        while isinstance(root, Attr):
            root = root.obj
        if isinstance(root, Ref) and self.is_bound(scope, root.name) and not (
                isinstance(call.callee, Attr)) and root.name not in self._imported_names:
            return None  # a function of the module's own that shadows the built-in
        summary = self.language.builtins.get(call.text)
        if summary is None and isinstance(call.callee, Attr):
            summary = self.language.methods.get(call.callee.name)
        return summary

    def _summarise(self, summary: str, call: Call, scope: str,
                   args: list[tuple[Arg, Node]], result: Node) -> None:
        graph, path = self.graph, self.path
        # a method's receiver (``xs.append``, ``d["k"].strip``), not the module of a built-in
        # function named by its module (``copy.deepcopy``)
        receiver = (self.expr(scope, call.callee.obj) if isinstance(call.callee, Attr)
                    and call.text not in self.language.builtins else None)
        source = receiver if receiver is not None else (args[0][1] if args else None)
        if summary in ("elements", "pairs"):  # a new collection, empty without arguments
            obj: Value = ("obj", "dict" if summary == "pairs" else "list", path,
                          call.span.start, call.span.end)
            graph.seed(result, obj)
            if source is not None:
                self._elements_of(source, ("field", obj, ANY))
                if summary == "elements":
                    graph.edge(source, ("field", obj, ANY))
                else:  # new Map([[key, value], ...]): the pairs' elements
                    pairs = ("elements", path, call.span.start)
                    self._elements_of(pairs, ("field", obj, ANY))
                    self._elements_of(source, pairs)
            return
        if source is None or summary == "none":
            return
        if summary == "provider":  # createOpenAI({...}): a function taking the model
            graph.seed(result, ("obj", "provider", call.text))
            return
        if summary == "store":  # db.collection("config"), supabase.from("bot_models")
            table = _literal_key(next((a for a, _ in args if a.position == 0), None))
            if table:
                graph.seed(result, ("obj", "store", table))
            return
        if summary == "same":
            graph.edge(source, result)
        elif summary == "argument":  # schema.parse(value): the value, validated
            if args:
                graph.edge(args[0][1], result)
        elif summary == "update_first":  # Object.assign(target, ...sources)
            graph.edge(source, result)
            for _, node in args[1:]:
                graph.watch(source, functools.partial(self._assign_into, source=node))
        elif summary.startswith("option:"):  # createEnv({ runtimeEnv: {...} }).X
            option = summary.partition(":")[2]
            graph.watch(source, functools.partial(self._load_key, key=option, node=result))
        elif summary in ("elements_all", "elements_last"):
            obj = ("obj", "list", path, call.span.start, call.span.end)
            graph.seed(result, obj)
            plain = [node for arg, node in args if not arg.keyword and not arg.spread]
            for node in plain if summary == "elements_all" else plain[-1:]:
                self._elements_of(node, ("field", obj, ANY))
        elif summary == "element":
            self._elements_of(source, result)
        elif summary == "values":  # dict.values(), Object.values(x)
            view: Value = ("obj", "view", path, call.span.start, call.span.end)
            graph.seed(result, view)
            graph.watch(source, lambda o: graph.edge(("field", o, ANY), ("field", view, ANY))
                        if o[1] in ("dict", "inst", "class", "list") else None)
        elif summary in ("file", "path"):  # open("config.json"), os.path.join(..., "x.json")
            name = _file_name([a for a, _ in args if a.keyword is None and not a.spread],
                              joined=summary == "path")
            if name is not None:
                graph.seed(result, ("obj", "file", name))
            graph.edge(source, result)
        elif summary == "dump":  # json.dump(obj, f): what a later load of the file reads
            file = next((n for a, n in args if a.position == 1), None)
            if file is not None and args:
                graph.watch(file, functools.partial(self._store_file, value=args[0][1]))
        elif summary == "load":  # json.load(f), yaml.safe_load(text): the data file's objects
            graph.watch(source, functools.partial(self._load_file, node=result,
                                                  span=call.span))
            first = args[0][0].value if args else None
            if isinstance(first, Lit) and first.value:  # toml.load("config.toml")
                self._load_file(("obj", "file", first.value), node=result, span=call.span)
        elif summary == "defaultdict":  # defaultdict(list): a dict whose missing keys hold one
            self._defaultdict(scope, call, args, result)
        elif summary == "options":  # parser.parse_args(): the command line's options
            graph.seed(result, ("obj", "options", path, call.span.start))
        elif summary == "get":  # d.get("key"), d.pop("key")
            key_arg = next((a for a, _ in args if a.position == 0 and a.keyword is None), None)
            key = _literal_key(key_arg)
            graph.watch(source, lambda o: self._load_item(o, key, result))
            if key in JOB_RESULTS:
                self._job_result(result, call)
            default = next((n for a, n in args if a.position == 1), None)
            if default is not None:
                graph.edge(default, result)
        elif summary in ("add", "add_last", "extend", "update") and receiver is not None:
            self._mutate(summary, receiver, args)
        elif summary == "attr":  # getattr(obj, "name")
            name_arg = next((a for a, _ in args if a.position == 1), None)
            name = _literal_key(name_arg)
            if name is not None and args:
                graph.watch(args[0][1], lambda o: self._load(o, name, result))

    def _store_file(self, o: Value, *, value: Node) -> None:
        """``value`` is written to the file ``o`` (``json.dump``): a job's model saved to a
        JSON file is what loading a file of that name reads back. What is written is text:
        the ids and outside values in it, at any depth, never the objects themselves."""
        if o[1] == "file":
            self._write_leaves(value, stored_file(str(o[2])), set())

    def _write_leaves(self, value: Node, target: Node, seen: set[Value]) -> None:
        graph = self.graph
        graph.edge(value, target, relabel=LEAVES_ONLY)

        def inside(o: Value) -> None:
            if o[1] in ("list", "dict", "view") and o not in seen:
                seen.add(o)
                self._write_leaves(("field", o, ANY), target, seen)
        graph.watch(value, inside)

    def _load_file(self, o: Value, *, node: Node, span: Span) -> None:
        """``node`` gets what loading the file ``o`` gives: the data files it may name, and
        a copy of what the code writes to a file of that name (a data object of its own,
        each entry of which, at any depth, may be any value written)."""
        if o[1] != "file":
            return
        copy: Value = ("obj", "dict", "loaded", self.path, span.start)
        self.graph.seed(node, copy)
        for name in (ANY, SOME):
            self.graph.seed(("field", copy, name), copy)
            self.graph.edge(stored_file(str(o[2])), ("field", copy, name),
                            self.hop(span, f"loads {o[2]}"))
        for path in self.program.data_files_named(str(o[2]), self.path):
            self.program.data_module(path)
            self.graph.edge(self.program.export_node(path, "default"), node,
                            self.hop(span, f"loads {path}"))

    def _defaultdict(self, scope: str, call: Call, args: list[tuple[Arg, Node]],
                     result: Node) -> None:
        """``defaultdict(factory)``: a dict whose entry under any key may be what the factory
        makes (a new list for ``list``, what a function or ``lambda`` returns)."""
        graph, path = self.graph, self.path
        obj: Value = ("obj", "dict", path, call.span.start, call.span.end)
        graph.seed(result, obj)
        self.program.register_dict(obj, ())
        factory = next(((a, n) for a, n in args if a.position == 0), None)
        if factory is None:
            return
        default: Node = ("default", path, call.span.start)
        graph.edge(default, ("field", obj, ANY))
        graph.edge(default, ("field", obj, SOME))
        arg, node = factory
        kind = _MADE_BY.get(arg.value.name) if isinstance(arg.value, Ref) and not \
            self.is_bound(scope, arg.value.name) else None
        if kind is not None:
            graph.seed(default, ("obj", kind, path, call.span.start, call.span.end, "default"))
            return
        graph.edge(node, default)  # defaultdict(lambda: defaultdict(list)): its body
        graph.watch(node, lambda f: graph.edge(("ret", f[2], f[3]), default)
                    if f[1] == "func" else None)

    def _assign_into(self, target: Value, *, source: Node) -> None:
        """``Object.assign(target, source)``: the dicts ``source`` holds spread into it."""
        if target[1] == "dict":
            self.graph.watch(source, functools.partial(self._spread, target=target))

    def _mutate(self, summary: str, receiver: Node, args: list[tuple[Arg, Node]]) -> None:
        """``xs.append(v)``, ``xs.insert(0, v)``, ``xs.extend(vs)``, ``d.update(other)``:
        the receiver's elements (or entries) grow."""
        graph = self.graph
        plain = [node for arg, node in args if arg.keyword is None and not arg.spread]
        if not plain:
            return
        value = plain[-1] if summary == "add_last" else plain[0]
        if summary in ("add", "add_last"):
            graph.watch(receiver, lambda o: graph.edge(value, ("field", o, ANY))
                        if o[1] in ("list", "dict") else None)
        elif summary == "extend":
            graph.watch(receiver, lambda o: self._elements_of(value, ("field", o, ANY))
                        if o[1] == "list" else None)
        else:
            graph.watch(receiver, lambda o: graph.watch(
                value, functools.partial(self._spread, target=o)) if o[1] == "dict" else None)

    def _call_object(self, o: Value, call: Call, scope: str,
                     args: list[tuple[Arg, Node]], result: Node, method: bool = False) -> None:
        """``result = o(*args)``: bind the arguments, return the result (``method``: ``o``
        is the ``__call__`` of an object called, whose instance is its ``self``)."""
        kind = o[1]
        if kind == "stub":
            self._call_stub(o, args, result)
            return
        if kind == "store":
            self._store_call(o, call, args, result)
            return
        if kind == "provider":  # gateway("ft:...") where gateway = createOpenAI(...)
            first = next(((a, n) for a, n in args if a.position == 0), None)
            if first is not None and not self._literal(first[0].value):
                self._observe(first[1], first[0].span,
                              f"passed as argument 1 of {call.text} (made by {o[2]})",
                              _short(self._code(first[0].value)))
            return
        if kind == "class":
            path, qualname = str(o[2]), str(o[3])
            instance: Value = ("obj", "inst", path, qualname)
            self.graph.seed(result, instance)
            init = self.program.function(path, f"{qualname}.__init__") or \
                self.program.function(path, f"{qualname}.constructor")
            if init is not None:
                self._bind_params(path, init, call, args, skip_self=True)
            return
        if kind == "ext":  # a library's callable held by a name (constructor = ChatOpenAI)
            text, sinks = str(o[2]), self.language.sinks
            # or one the table names by the module it comes from (inference.get_response)
            if text.rpartition(".")[2] != call.text.rpartition(".")[2] or (
                    sinks.names(text) and not sinks.names(call.text)):
                self._observe_sinks(scope, call, args, named=text)
            return
        if kind == "inst":  # an object called: its class's __call__
            self.graph.watch(("field", ("obj", "class", o[2], o[3]), "__call__"),
                             functools.partial(self._call_object, call=call, scope=scope,
                                               args=args, result=result, method=True))
            return
        if kind != "func":
            return
        function = self.program.function(str(o[2]), str(o[3]))
        if function is None:
            return
        skip_self = function.is_method and not function.static
        self._bind_params(str(o[2]), function, call, args, skip_self=skip_self)
        if function.env_parameter is not None:
            self._env_through(function, call, scope, args, result, skip_self)
        self.graph.edge(("ret", str(o[2]), function.qualname), result,
                        self.hop(call.span, f"returned by {function.name}()"))
        if function.is_method and not function.static and not function.classmethod \
                and isinstance(call.callee, Attr) and function.params and not method:
            self_node = ("var", str(o[2]), function.qualname, function.params[0].name)
            self.graph.edge(self.expr(scope, call.callee.obj), self_node)

    def _bind_params(self, module: str, function: Function, call: Call,
                     args: list[tuple[Arg, Node]], skip_self: bool) -> None:
        """Each argument of ``call`` to the parameter of ``function`` (in ``module``) it
        binds: by position, by keyword, through ``**kwargs`` both ways."""
        graph = self.graph
        params = list(function.params)
        if skip_self and params and params[0].position == 0:
            params = params[1:]
        by_name = {p.name: p for p in params}
        positional = [p for p in params if p.position >= 0 and not p.collects]
        collect_kw = next((p for p in params if p.collects == 2), None)
        for arg, node in args:
            hop = self.hop(arg.span, f"passed to {function.name}()")
            param = None
            if arg.spread == 2:
                for p in params:
                    graph.watch(node, functools.partial(
                        self._dict_entry, key=p.name,
                        node=("var", module, function.qualname, p.name), hop=hop))
                continue
            if arg.spread == 1:
                continue
            if arg.keyword is not None:
                param = by_name.get(arg.keyword)
                if param is None and collect_kw is not None:
                    kwargs: Value = ("obj", "dict", self.path, call.span.start, call.span.end)
                    graph.seed(("var", module, function.qualname, collect_kw.name), kwargs)
                    graph.edge(node, ("field", kwargs, key_field(arg.keyword)), hop)
                    graph.edge(node, ("field", kwargs, ANY), hop)
                    self.program.register_dict(kwargs, [arg.keyword])
                    continue
            elif arg.position < len(positional):
                param = positional[arg.position]
            if param is not None:
                target = ("var", module, function.qualname, param.name)
                graph.edge(node, target, hop)
                self._note_binding(arg, node, target, function.name, call)

    def _env_through(self, function: Function, call: Call, scope: str,
                     args: list[tuple[Arg, Node]], result: Node, skip_self: bool) -> None:
        """``getRequired("FINE_TUNED_MODEL")`` where ``getRequired(name)`` reads
        ``process.env[name]``: the call reads that variable, as a read written out would."""
        params = list(function.params)
        if skip_self and params and params[0].position == 0:
            params = params[1:]
        positional = [p.name for p in params if p.position >= 0 and not p.collects]
        if function.env_parameter not in positional:
            return
        index = positional.index(function.env_parameter)
        arg = next((a for a, _ in args if a.position == index and a.keyword is None
                    and not a.spread), None)
        if arg is None or not isinstance(arg.value, Lit) or arg.value.value is None or \
                _ENV_VAR.fullmatch(arg.value.value) is None:
            return
        read = EnvRead(arg.value.value, None, call.span,
                       f'{call.text or function.name}("{arg.value.value}")')
        self.graph.edge(self.expr(scope, read), result)
        self._observe_env_read(read)

    def _note_binding(self, arg: Arg, node: Node, parameter: Node, function: str,
                      call: Call) -> None:
        """Remember that ``arg`` binds ``parameter`` of one of the repository's functions."""
        key = (self.path, arg.span.start, arg.span.end)
        binding = self.program.bindings.get(key)
        if binding is None:
            binding = self.program.bindings[key] = Binding(
                self.path, arg.span, node, function, _short(self._code(arg.value)),
                self.expr("", call))
        binding.parameters.add(parameter)

    def _store_call(self, store: Value, call: Call, args: list[tuple[Arg, Node]],
                    result: Node) -> None:
        """A method of a table or collection (``.insert({...})``, ``.select()``,
        ``.updateOne(filter, {$set: {...}})``): it returns the table again, and the records it
        is given are stored in it, column by column, for whatever reads the table back."""
        self.graph.seed(result, store)
        hop = self.hop(call.span, f"{STORED_IN}{store[2]}")
        for _, node in args:
            self.graph.watch(node, functools.partial(self._store_record, store=store, hop=hop,
                                                     depth=0))

    def _store_record(self, record: Value, *, store: Value, hop: Hop, depth: int) -> None:
        """The entries of a record written to ``store`` (the records of a list; Mongo's
        update operators, ``{$set: {...}}``)."""
        graph = self.graph
        if record[1] == "list" and depth == 0:
            graph.watch(("field", record, ANY), functools.partial(
                self._store_record, store=store, hop=hop, depth=1))
        if record[1] != "dict":
            return
        for key in self.program.dict_keys(record):
            if key.startswith("$") and depth == 0:
                graph.watch(("field", record, key_field(key)), functools.partial(
                    self._store_record, store=store, hop=hop, depth=1))
            else:
                graph.edge(("field", record, key_field(key)), ("field", store, key_field(key)),
                           hop)

    def _call_stub(self, stub: Value, args: list[tuple[Arg, Node]], result: Node) -> None:
        """A call to something of a repository module not read yet (``q =
        Question.from_yaml(...)``, then ``q.get_df(MODELS)``): its result stands in for the
        module too, and the module is read next round as soon as the call passes it a value
        that matters (an id, a value set outside, a collection or an object)."""
        self.graph.seed(result, stub)
        module = str(stub[2])
        if module in self.program.modules:
            return
        self.program.calls_into.extend((module, node) for _, node in args)

    def _note_import_call(self, scope: str, call: Call, args: list[tuple[Arg, Node]]) -> None:
        """A call into a repository module not parsed yet: it is parsed next round as soon as
        the call passes it any value that matters (a helper between a registry and the call,
        ``model=list(get_model_ids(MODELS))``)."""
        root = call.callee
        while isinstance(root, Attr):
            root = root.obj
        if not isinstance(root, Ref):
            return
        module = self.program._imported_files.get((self.path, root.name))
        if module is None:
            return
        self.program.calls_into.extend((module, node) for _, node in args)
        if any(self._names_env_var(arg.value) for arg, _ in args):
            self.program.wanted_modules.add(module)

    def _names_env_var(self, value: Expr) -> bool:
        """Is ``value`` a literal naming an environment variable that matters (one the scan
        binds, or one named like a fine-tune)? A function it is passed to may read it
        (``getRequired("FINE_TUNED_MODEL")``)."""
        if not isinstance(value, Lit) or value.value is None or \
                _ENV_VAR.fullmatch(value.value) is None:
            return False
        return value.value in self.program.env_sources or is_fine_tune_name(value.value)

    # ------------------------------------------------------------------ sinks

    def _observe_request(self, scope: str, call: Call) -> None:
        """A model key in the body an HTTP request sends (``fetch(url, {body:
        JSON.stringify({model})})``, ``requests.post(url, json={"model": m})``)."""
        sinks = self.language.sinks
        bodies: list[Expr] = []
        for arg in call.args:
            bodies.append(arg.value)
            if isinstance(arg.value, DictX):
                bodies += [v for k, v, _ in arg.value.entries if k in _BODY_KEYS]
        kind = f"sent as the model of a request by {call.text or 'a request'}"
        for body in bodies:
            serialized = isinstance(body, Call) and sinks.serializes(body.text) and body.args
            if serialized:
                assert isinstance(body, Call)
                body = body.args[0].value
            if isinstance(body, DictX):
                # a model of the body, or of an object in it that holds what a model call
                # takes (a proxy's {endpoint, payload: {model, messages}})
                inner = [v for _, v, _ in body.entries if isinstance(v, DictX) and any(
                    k in sinks.companions for k, _, _ in v.entries)]
                for key, value, entry_span in (e for d in (body, *inner) for e in d.entries):
                    if key in sinks.keywords and not self._literal(value):
                        self._observe(self.expr(scope, value), entry_span, kind,
                                      _short(self._code(value)))
            elif not isinstance(body, Lit | ListX) and (serialized or not isinstance(body, Call)):
                # an object built elsewhere (what a function returns, when serialized)
                self.graph.watch(self.expr(scope, body), functools.partial(
                    self._request_object, scope=scope, span=_span(body) or call.span,
                    kind=kind, code=_short(self._code(body))))
        url = next((a for a in call.args if a.position == 0 and not a.spread), None)
        if url is not None and not isinstance(url.value, Lit) and len(call.args) > 1:
            # a URL naming the model (/v1/engines/<id>/completions, /deployments/<id>/...)
            self._observe(self.expr(scope, url.value), url.span,
                          f"sent to a URL naming the model by {call.text or 'a request'}",
                          _short(self._code(url.value)))

    def _request_object(self, o: Value, *, scope: str, span: Span, kind: str,
                        code: str) -> None:
        """A dict sent as a request body: its model keys are observed, where the dict
        literal writes them when the request's own function (or one it encloses) builds it
        beforehand (the line that puts the model in the body); at the request where a helper
        builds it (``JSON.stringify(buildPayload({ model }))``: the helper's callers pass the
        model)."""
        if o[1] != "dict":
            return
        for key in sorted(self.program.dict_keys(o) & self.language.sinks.keywords):
            written = self.program.entry_spans.get((o, key))
            here = written is not None and o[2] == self.path and (
                scope == written[0] or scope.startswith(f"{written[0]}."))
            self._observe(("field", o, key_field(key)), written[1] if here and written
                          else span, kind, f"{code}.{key}")

    def _observe_sinks(self, scope: str, call: Call, args: list[tuple[Arg, Node]],
                       named: str | None = None) -> None:
        """The arguments of ``call`` a model goes in (``named``: the callable the call makes,
        matched against the sink table instead of the name it is called by)."""
        sinks = self.language.sinks
        text = named or call.text
        if sinks.sends(call.text) or _sends_request(call):
            self._observe_request(scope, call)
        beside = {a.keyword for a, _ in args if a.keyword is not None}
        for arg, node in args:
            if arg.spread == 2:
                for keyword in sinks.keywords:
                    how = sinks.match(text, keyword, -1, self.program.user_sinks, beside)
                    if how is None:
                        continue
                    observed = ("obs", self.path, arg.span.start, keyword)
                    self.graph.watch(node, functools.partial(self._dict_entry, key=keyword,
                                                             node=observed, hop=None))
                    self._observe(observed, arg.span, f"passed as {how} of {call.text}",
                                  f"**{keyword}")
                continue
            if isinstance(arg.value, DictX) and sinks.object_arguments:
                keys = {k for k, _, _ in arg.value.entries if k is not None}
                for key, value, entry_span in arg.value.entries:
                    if key is None:
                        continue
                    how = sinks.match(text, key, -1, self.program.user_sinks, keys)
                    if how is None or self._literal(value):
                        continue
                    value_node = self.expr(scope, value)
                    value_span = _span(value)
                    if value_span is not None:
                        self._sink_arg_spans.add((value_span.start, value_span.end))
                    self._observe(value_node, entry_span, f"passed as {how} of {call.text}",
                                  _short(self._code(value)), self._callee_of(scope, call),
                                  arg.position, call.span, sinks.manages(text), key)
            if sinks.object_arguments and not arg.spread and not self._literal(arg.value):
                # an options object built elsewhere, or spread into this one
                sources = [self.expr(scope, s) for s in arg.value.spreads] if isinstance(
                    arg.value, DictX) else ([] if isinstance(arg.value, ListX) else [node])
                for source in sources:
                    self.graph.watch(source, functools.partial(
                        self._object_sink, call=call, arg=arg, scope=scope))
            how = sinks.match(text, arg.keyword, arg.position, self.program.user_sinks,
                              beside)
            if how is None or self._literal(arg.value) or arg.spread:
                continue
            self._sink_arg_spans.add((arg.span.start, arg.span.end))
            value_span = _span(arg.value)
            if value_span is not None:
                self._sink_arg_spans.add((value_span.start, value_span.end))
            declared = sinks.declared(text, arg.keyword, arg.position,
                                      self.program.user_sinks) is not None
            self._observe(node, arg.span, f"passed as {how} of {call.text}",
                          _short(self._code(arg.value)),
                          None if declared else self._callee_of(scope, call),
                          arg.keyword if arg.keyword is not None else arg.position, call.span,
                          sinks.manages(text))

    def _callee_of(self, scope: str, call: Call) -> Node | None:
        """What an observed argument goes to, where the repository's own function there may
        take the use over; none for a call spelled like a provider's API (it is the use)."""
        if self.language.sinks.provider_api(call.text):
            return None
        return self.expr(scope, call.callee)

    def _observe(self, node: Node, span: Span, kind: str, context: str,
                 callee: Node | None = None, parameter: str | int | None = None,
                 call: Span | None = None, manages: bool = False,
                 key: str | None = None) -> None:
        """A model goes where ``node`` goes, at ``span`` of this module."""
        path = self.path
        observed = ("obs", path, span.start, span.end, kind)
        self.graph.edge(node, observed)
        # a list of models: each (an evaluation run over several)
        self.graph.watch(node, lambda o: self.graph.edge(("field", o, ANY), observed)
                         if o[1] in ("list", "view") else None)
        if observed not in self.program.observations:
            self.program.observations[observed] = Observation(
                path, span, kind, context, sink=True, callee=callee, parameter=parameter,
                call=call, manages=manages, key=key)

    def _object_sink(self, o: Value, *, call: Call, arg: Arg, scope: str) -> None:
        """A dict that reaches an argument of ``call`` (passed by name, or spread into an
        options object): its entries a sink takes are observed there."""
        if o[1] != "dict":
            return
        sinks = self.language.sinks
        keys = self.program.dict_keys(o)
        for key in sorted(keys):
            how = sinks.match(call.text, key, -1, self.program.user_sinks, keys)
            if how is None:
                continue
            context = f"...{key}" if isinstance(arg.value, DictX) else \
                f"{_short(self._code(arg.value))}.{key}"
            self._observe(("field", o, key_field(key)), arg.span,
                          f"passed as {how} of {call.text}", context,
                          self._callee_of(scope, call), arg.position, call.span,
                          sinks.manages(call.text), key)

    def _code(self, e: Expr) -> str:
        return _expr_text(e)

    def _literal(self, e: Expr) -> bool:
        """Is ``e`` written out in the code: a literal, or a template that spells out an id
        itself (a definition, reported as such), not one that wraps a value?"""
        return isinstance(e, Lit) and (not e.parts or bool(
            self.program.definitions_in(self.path, e.span)))


_EMPTY = Scope(kind="module", parent=None)


def exported_names(facts: ModuleFacts) -> set[str]:
    """The names a module exports: its explicit exports, and for a language without them
    (Python) every name of its module scope."""
    explicit = {e.exported for e in facts.exports if e.exported != "*"}
    if language_named(facts.language).explicit_exports:
        return explicit
    return explicit | set(facts.scopes.get("", _EMPTY).names)


_MADE_BY = {"list": "list", "set": "list", "dict": "dict"}
"""Built-in types a ``defaultdict`` makes its default with → the object made."""


_BODY_KEYS = ("body", "data", "json")
"""Entries of a request's options that hold the body it sends."""


def _sends_request(call: Call) -> bool:
    """Does ``call`` pass request options (a body, with a method or headers), whatever its
    callee (``fetchImpl(url, {method: "POST", body})``)?"""
    for arg in call.args:
        if isinstance(arg.value, DictX):
            keys = {k for k, _, _ in arg.value.entries}
            if "body" in keys and ("method" in keys or "headers" in keys):
                return True
    return False


def _span(e: Expr) -> Span | None:
    return getattr(e, "span", None)


def _file_name(args: list[Arg], joined: bool) -> str | None:
    """The end of the path a file is named by, as far as the code writes it out: the first
    argument (``open(path, "w")``), or the arguments joined (``os.path.join(base, "data",
    "x.json")`` → ``data/x.json``); none when its last part is computed, or names no file (a
    folder, without a suffix)."""
    written: list[str] = []
    for arg in reversed(args if joined else args[:1]):
        if not isinstance(arg.value, Lit) or not arg.value.value:
            break
        written.insert(0, arg.value.value)
    name = "/".join(written)
    return name if "." in name.rpartition("/")[2] else None


def _literal_key(arg: Arg | None) -> str | None:
    """The string an argument spells out literally (``d.get("key")``), if it does."""
    return arg.value.value if arg is not None and isinstance(arg.value, Lit) else None


def _expr_text(e: Expr) -> str:
    if isinstance(e, Ref):
        return e.name
    if isinstance(e, Attr):
        return f"{_expr_text(e.obj)}.{e.name}"
    if isinstance(e, Item):
        return f'{_expr_text(e.obj)}["{e.key}"]' if e.key is not None else \
            f"{_expr_text(e.obj)}[...]"
    if isinstance(e, Call):
        return f"{e.text or _expr_text(e.callee)}(...)"
    if isinstance(e, EnvRead):
        return e.code
    if isinstance(e, AnyOf) and e.options and all(
            _span(o) == _span(e.options[0]) for o in e.options[1:]):
        return _expr_text(e.options[0])  # a name narrowed where it is read (if x in C)
    return "..."


def _short(code: str, limit: int = 80) -> str:
    line = code.strip().splitlines()[0] if code.strip() else code
    return line if len(line) <= limit else line[:limit - 3] + "..."

