"""The alias phase: follow names from definitions to the code that uses them.

The first phase found every literal id (the definitions) and the modules of code worth reading:
those with a candidate id or a bound environment variable name. Here the graph
(:mod:`ftscan.flow.graph`) is built from them (:mod:`ftscan.flow.build`,
:mod:`ftscan.flow.deploy`) and solved; then the names through which values leave a module
(its exports that hold a definition, or an object that does) are searched for in the files not
read yet, and only the files that name one (and import its module) are parsed and added, round
after round until no new name appears. Each round continues the same fixpoint, so the work of
all rounds together grows with the facts, not with the rounds. Then every observation a value
reaches (a model sink, an env read, a settings field, a Terraform or Helm reference) becomes a
use site, with the chain back to each definition.
"""

from __future__ import annotations

import bisect
import dataclasses
import posixpath
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from ftscan.bindings import ConfigKey
from ftscan.carriers import carrier_named
from ftscan.carriers import names as carrier_names
from ftscan.flow.build import (
    DATA_SUFFIXES,
    ENVIRONMENT,
    STORED_IN,
    Observation,
    Program,
    exported_names,
)
from ftscan.flow.datafiles import data_loader
from ftscan.flow.deploy import bind_env
from ftscan.flow.facts import Lit, ModuleFacts, Span
from ftscan.flow.graph import VALUE_LIMIT, Graph, Hop, Node, Value
from ftscan.flow.importers import ImportIndex
from ftscan.flow.names import FINE_TUNE_NAME_IN_TEXT
from ftscan.languages import NameQuery, language_named, language_of
from ftscan.models import Detection, FlowStep, Location
from ftscan.search.words import holds_any
from ftscan.textpos import LineIndex

SERVICE_MARKERS = frozenset({
    "pyproject.toml", "setup.py", "setup.cfg", "package.json", "go.mod", "Cargo.toml",
    "pom.xml", "build.gradle", "build.gradle.kts", "catalog-info.yaml",
})
"""Files that make their folder a service (a component of a monorepo)."""
WORKSPACE_MARKERS = frozenset({
    "pnpm-workspace.yaml", "lerna.json", "turbo.json", "nx.json", "rush.json",
})
"""Files that make their folder a monorepo's root (its ``package.json`` is no service)."""
MAX_ORIGINS = VALUE_LIMIT
"""Definitions reported per use at most (as many as a node holds)."""
MAX_FLOWS = 10
"""Flows rebuilt per use at most."""

INDEX_FROM_ROUND = 4
"""The round from which a query whose module is known is searched for only in the files that
may import it (:mod:`ftscan.flow.importers`, built then): most scans are done in two or three
rounds, which a search engine's pass over every file costs less than reading every file's
import lines; a long chain of modules costs one round per link."""

NameSearch = Callable[[Sequence[str], Sequence[NameQuery]], dict[NameQuery, set[str]]]
"""``search(paths, queries)``: for each query, the files of ``paths`` that name it. The scan
supplies one that answers from its cache and spreads the reading over its workers."""
ImportWords = Callable[[Sequence[str]], Sequence[frozenset[str] | None]]
"""``import_words(paths)``: each file's import-line words
(:meth:`~ftscan.languages.Language.import_words`), ``None`` for a file that cannot be read."""


@dataclass
class ServiceMap:
    """Which service folder a path belongs to."""

    roots: set[str] = field(default_factory=set)
    workspaces: set[str] = field(default_factory=set)
    """Folders that hold a monorepo's workspace (``pnpm-workspace.yaml``, ``turbo.json``):
    the repository level of the services under them, not a service."""

    def add_file(self, relpath: str) -> None:
        """Note a file; a service marker makes its folder a service (the repo root never is)."""
        folder, _, name = relpath.rpartition("/")
        if name in SERVICE_MARKERS and folder:
            self.roots.add(folder)
        elif name in WORKSPACE_MARKERS:
            self.workspaces.add(folder)

    def service_of(self, relpath: str) -> str | None:
        """The innermost service folder holding ``relpath``."""
        folder = posixpath.dirname(relpath)
        while folder:
            if folder in self.roots and folder not in self.workspaces:
                return folder
            folder = posixpath.dirname(folder)
        return None


@dataclass(frozen=True)
class Origin:
    """A definition that reaches a use, and how."""

    definition: Detection
    hops: tuple[FlowStep, ...] = ()
    low_confidence: str | None = None


@dataclass(frozen=True)
class UseSite:
    """A place that reads a name bound to a model id, not yet turned into a finding."""

    path: str
    location: Location
    origins: tuple[Origin, ...]
    kind: str
    context: str
    note: str | None = None
    outside: str | None = None
    """For a model sink no definition reaches: the name of the value set outside the
    repository that does (``env OPENAI_FINETUNED_MODEL``, a job's ``fine_tuned_model``)."""


@dataclass
class FlowInputs:
    """What the first phase hands over."""

    modules: dict[str, ModuleFacts]
    """Modules of code already parsed (path → facts)."""
    lean_modules: Mapping[str, frozenset[str]]
    """Modules read for their strings alone → the names whose mention elsewhere makes their
    facts needed (see :class:`~ftscan.languages.LeanParse`)."""
    files: dict[str, list[str]]
    """Language → every file of that language in the scan."""
    searched_names: set[str]
    """Env var names the first phase already looked for in every file of code not parsed."""
    carried_files: Mapping[str, Sequence[str]]
    """Carrier → every file of that carrier in the scan (:mod:`ftscan.carriers`)."""
    services: ServiceMap
    search: NameSearch
    user_sinks: Sequence[tuple[str, str | int]] = ()
    outside_env: Mapping[str, str] = field(default_factory=dict)
    """Env var → the value outside the repository it is set from (a workflow's
    ``${{ secrets.X }}``: :meth:`ftscan.carriers.Carrier.outside_env`)."""
    all_paths: Sequence[str] = ()
    """Every file of the scan (languages read their own configuration among them)."""
    import_words: ImportWords | None = None
    """Reads files' import lines for the index of importers (none: every round searches every
    remaining file)."""


@dataclass
class FlowOutcome:
    """Use sites, and what could not be followed."""

    uses: list[UseSite] = field(default_factory=list)
    modules_parsed: list[str] = field(default_factory=list)
    """Modules read in this phase (beyond those the first phase kept)."""
    rounds: int = 0
    steps: int = 0
    """The resolver's work, in units (see :attr:`ftscan.flow.graph.Graph.steps`)."""
    truncated: int = 0
    """Places that could hold more values than a node keeps."""
    star_imports: int = 0
    dynamic_env_reads: int = 0
    parse_failures: list[tuple[str, str]] = field(default_factory=list)
    texts: dict[str, str | None] = field(default_factory=dict)
    """The texts read in this phase (for line hashes and suppressions of the use findings)."""
    followed: set[str] = field(default_factory=set)
    """Every module whose facts the program held, or that was asked for and failed to parse,
    and the modules read for their strings alone."""
    names_searched: set[str] = field(default_factory=set)
    """Every name the files of code were searched for: a file holding none of them, and no
    module of the program, is no part of the program however it is edited."""


@dataclass
class _Texts:
    """File texts read for this phase, with line indexes, loaded once."""

    read: Callable[[str], str | None]
    texts: dict[str, str | None] = field(default_factory=dict)
    indexes: dict[str, LineIndex] = field(default_factory=dict)

    def text(self, path: str) -> str | None:
        if path not in self.texts:
            self.texts[path] = self.read(path)
        return self.texts[path]

    def index(self, path: str) -> LineIndex:
        if path not in self.indexes:
            self.indexes[path] = LineIndex(self.text(path) or "")
        return self.indexes[path]

    def locate(self, path: str, span: Span) -> Location:
        index = self.index(path)
        start_line, start_col = index.position(span.start)
        end_line, end_col = index.position(span.end)
        return Location(path, start_line, start_col, end_line, end_col)


def resolve_uses(
    inputs: FlowInputs,
    definitions: list[Detection],
    read_text: Callable[[str], str | None],
    parse_modules: Callable[[Sequence[str]], Sequence[ModuleFacts | str]],
) -> FlowOutcome:
    """Find every use. ``parse_modules(paths)`` returns each file's facts or why they could
    not be read (the scan parses them in its worker pool when one runs)."""
    outcome = FlowOutcome()
    texts = _Texts(read_text)
    graph = Graph()
    files = {lang: set(paths) for lang, paths in inputs.files.items()}
    program = Program(graph, _definitions_index(definitions, texts),
                      inputs.services.service_of, files, inputs.user_sinks)
    program.outside_env.update(inputs.outside_env)
    program.data_loader = data_loader(definitions)
    program.data_files = {d.location.path for d in definitions
                          if isinstance(d.binding, ConfigKey)}
    for lang in inputs.files:
        language_named(lang).setup(inputs.all_paths, texts.text)
    bind_env(program, definitions)
    for name in carrier_names():
        carrier_named(name).link(program, definitions, inputs.carried_files.get(name, ()),
                                 texts.text)
    exports = _ExportQueries()
    for path, facts in sorted(inputs.modules.items()):
        program.add_module(path, facts)
        exports.add(path, facts)
    graph.solve()
    # the files of each language not read yet, in order (what a round searches)
    unread = {lang: dict.fromkeys(p for p in paths if p not in program.modules)
              for lang, paths in inputs.files.items()}
    failed: set[str] = set()

    def add_parsed(batch: list[str]) -> None:
        for path, result in zip(batch, parse_modules(batch), strict=True):
            for waiting in unread.values():
                waiting.pop(path, None)
            if isinstance(result, str):
                outcome.parse_failures.append((path, result))
                failed.add(path)
                continue
            program.add_module(path, result)
            exports.add(path, result)
            outcome.modules_parsed.append(path)
        graph.solve()

    answers = _Answers(inputs.search, inputs.import_words)
    interesting_objects = _Interesting(graph)
    shared_state = _SharedState(graph, inputs)
    # the lean modules' names are asked with the first round's names: one search, not two
    lean = _lean_queries(inputs)
    lean_asked_once = {q for asked in lean.values() for q in asked}
    consumed: set[NameQuery] = {(n, frozenset(), lang) for n in inputs.searched_names
                                for lang in inputs.files}
    # the files that may read a data file holding an id: by import (JSON), or for a language
    # whose code loads configuration at run time, by its name (YAML and TOML too)
    data_paths = program.data_files | {d.location.path for d in definitions
                                       if d.location.path.endswith(DATA_SUFFIXES)}
    data_queries = {query for path in sorted(data_paths) for lang in inputs.files
                    if (path.endswith(DATA_SUFFIXES) or getattr(
                        language_named(lang), "loads_data_files", False))
                    and (query := language_named(lang).data_query(path)) is not None}
    while True:
        outcome.rounds += 1
        interesting = interesting_objects.update()
        found, through_accessors = _wanted_queries(program, inputs.files, interesting, exports)
        others = data_queries | shared_state.queries()
        wanted = (found | others) - consumed
        through_accessors -= others
        modules_wanted = {m for m in program.wanted_modules if m not in program.modules}
        modules_wanted |= _called_modules(program, interesting)
        program.wanted_modules.clear()
        lean_asked = {q for asked in lean.values() for q in asked}
        # files already parsed cannot be selected, but may import a lean module's name
        answers.ask(wanted | lean_asked, {
            lang: paths if any(q[2] == lang for q in lean_asked) else unread[lang].keys()
            for lang, paths in inputs.files.items()}, indexed=outcome.rounds >= INDEX_FROM_ROUND)
        selected: set[str] = set(modules_wanted)
        # a module read for its strings alone whose names another file imports: its facts are
        # needed after all (the query the phase would ask once its facts showed an id there)
        named = [path for path, asked in lean.items()
                 if any(answers.holders(query) - {path} for query in asked)]
        selected.update(named)
        lean = {}  # asked in the first round only: later rounds follow what parsing showed
        consumed |= wanted
        for query in wanted - through_accessors:
            selected |= answers.holders(query)
        callers = {path for query in wanted & through_accessors
                   for path in answers.holders(query)
                   if path not in selected and path not in program.modules
                   and path not in failed}
        selected |= _naming_variables_that_matter(program, callers, texts.read)
        selected = {path for path in selected
                    if path not in program.modules and path not in failed}
        if not selected:
            break
        add_parsed(sorted(selected))

    outcome.uses = _use_sites(program, definitions, texts)
    outcome.steps = graph.steps
    outcome.truncated = len(graph.truncated)
    outcome.star_imports = len(program.unresolved_star_imports)
    outcome.dynamic_env_reads = sum(m.dynamic_env_reads for m in program.modules.values())
    outcome.texts = texts.texts
    outcome.followed = {*program.modules, *failed, *inputs.lean_modules}
    outcome.names_searched = {q[0] for q in consumed | lean_asked_once if q[0]}
    return outcome


class _Answers:
    """Which files name each query, searched for once per query: one engine pass for all the
    queries of a language asked together. A query's holders are complete for the files not
    yet parsed when it was asked (the only files a round selects afterwards)."""

    def __init__(self, search: NameSearch, import_words: ImportWords | None = None) -> None:
        self._search = search
        self._import_words = import_words
        self._indexes: dict[str, ImportIndex] = {}
        self._holders: dict[NameQuery, set[str]] = {}

    def ask(self, queries: set[NameQuery], paths: Mapping[str, Collection[str]],
            indexed: bool = False) -> None:
        """Search ``paths`` (by language) for the queries not answered yet; ``indexed``: a
        query whose module is known only in the files that may import it (the index of
        each language's files is built the first time, from the files given then: later
        rounds ask about fewer files, never others)."""
        todo = sorted(q for q in queries if q not in self._holders)
        for language in sorted({q[2] for q in todo}):
            asked = [q for q in todo if q[2] == language]
            files = paths.get(language, [])
            found: dict[NameQuery, set[str]] = {}
            if indexed and files and self._import_words is not None:
                found, asked = self._by_importers(language, files, asked)
            if files and asked:
                found.update(self._search(list(files), asked))
            for query in (q for q in todo if q[2] == language):
                self._holders[query] = found.get(query, set())

    def _by_importers(self, language: str, files: Collection[str], asked: list[NameQuery],
                      ) -> tuple[dict[NameQuery, set[str]], list[NameQuery]]:
        """The holders of the queries the index can narrow, searched for among their
        modules' importers; and the queries left for a search of every file."""
        assert self._import_words is not None
        index = self._indexes.get(language)
        if index is None:
            listed = list(files)
            index = self._indexes[language] = ImportIndex(listed, self._import_words(listed))
        importers = {q: holders for q in asked
                     if (holders := index.importers(q[1])) is not None}
        candidates = {path for holders in importers.values() for path in holders
                      if path in files}
        found = self._search(sorted(candidates), list(importers)) if candidates else {}
        return found, [q for q in asked if q not in importers]

    def holders(self, query: NameQuery) -> set[str]:
        """The files that name ``query`` (asked before)."""
        return self._holders[query]


def _lean_queries(inputs: FlowInputs) -> dict[str, list[NameQuery]]:
    """For each module read for its strings alone, the queries a file importing one of the
    names it binds to an id would answer."""
    queries: dict[str, list[NameQuery]] = {}
    for path, names in sorted(inputs.lean_modules.items()):
        language = language_of(path)
        if names and language is not None:
            plugin = language_named(language)
            queries[path] = [plugin.export_query(path, name) for name in sorted(names)]
    return queries


def _definitions_index(definitions: list[Detection], texts: _Texts
                       ) -> Callable[[str, Span], list[int]]:
    """``definitions_in(path, span)``: the definitions whose id starts inside ``span``."""
    by_path: dict[str, list[tuple[int, int]]] = {}
    pending: dict[str, list[int]] = {}
    for index, finding in enumerate(definitions):
        pending.setdefault(finding.location.path, []).append(index)

    def definitions_in(path: str, span: Span) -> list[int]:
        items = by_path.get(path)
        if items is None:
            index = texts.index(path)
            items = by_path[path] = sorted(
                (index.offset(definitions[i].location.start_line,
                              definitions[i].location.start_column - 1), i)
                for i in pending.get(path, []))
        starts = [offset for offset, _ in items]
        lo = bisect.bisect_left(starts, span.start)
        hi = bisect.bisect_left(starts, span.end)
        return [i for _, i in items[lo:hi]]

    return definitions_in


class _Interesting:
    """Objects whose fields, or whose instances' fields, or whose return values, hold a
    definition; the objects (and functions) that hold those in a field (or return them); and
    above them, data that holds such data at any depth (a registry of entries whose
    ``params`` dict holds the model). Only the nodes that hold a definition, and the fields
    and returns, are looked at (with set operations): the graph of a large library holds
    millions of other values. Instances holding instances are not followed up further: an
    application object holds every service, and each of its modules' readers would be read;
    nor, in a language whose modules export objects (JavaScript), is data beyond that (the
    returns and the deeper data are followed for code in a language whose plug-in says its
    registries nest: Python).

    Carriers and the values a node holds only grow, so what was interesting stays so: each
    round looks only at the carriers new since the last and at the fields not found
    interesting yet (a chain of a thousand modules looked at every carrier a thousand
    times)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.objects: set[Value] = set()
        self._depth: dict[Value, int] = {}
        """How far from a definition each interesting object is (1: it holds one)."""
        self._carriers_seen: set[Node] = set()
        self._fields_noted: set[Node] = set()
        self._nests: dict[str, bool] = {}

    def _nested(self, path: object) -> bool:
        """Does code at ``path`` nest registries (see the class docstring)?"""
        key = str(path)
        known = self._nests.get(key)
        if known is None:
            language = language_of(key)
            known = self._nests[key] = language is not None and getattr(
                language_named(language), "nested_registries", False)
        return known

    def update(self) -> set[Value]:
        """Every interesting object, now."""
        graph = self.graph
        new = graph.carriers - self._carriers_seen
        self._carriers_seen |= new
        found: set[Value] = set()
        for node in new:
            if isinstance(node, tuple) and node:
                self._note(node, found)
        for obj in found:
            self._depth[obj] = 1
        self.objects |= found
        # the fields and returns not noted yet, by the objects they hold: who holds what
        # turned up (a function returning a dict whose entry is a job's model)
        holders: dict[Value, list[tuple[Any, ...]]] = {}
        for node in (graph.fields | graph.returns) - self._fields_noted:
            if isinstance(node, tuple):
                for value in graph.values_of(node):
                    if value[0] == "obj":
                        holders.setdefault(value, []).append(node)
        frontier = sorted(self.objects, key=repr)
        while frontier:
            following: list[Value] = []
            for obj in frontier:
                depth = self._depth[obj]
                for node in holders.get(obj, ()):
                    if node in self._fields_noted or not self._follows(node, obj, depth):
                        continue
                    self._fields_noted.add(node)
                    owners: set[Value] = set()
                    self._note(node, owners)
                    for owner in owners - self.objects:
                        self._depth[owner] = depth + 1
                        following.append(owner)
                    self.objects |= owners
            frontier = following
        return self.objects

    def _follows(self, node: tuple[Any, ...], obj: Value, depth: int) -> bool:
        """Does ``node`` holding the interesting ``obj`` make its owner interesting? A field
        of one that holds a definition does; a return, or data holding data further up, only
        in code whose registries nest."""
        if node[0] == "field" and depth == 1:
            return True
        if not self._nested(node[1] if node[0] == "ret" else obj[2]):
            return False
        return depth == 1 or (obj[1] in _CONTAINERS and node[0] == "field"
                              and node[1][1] in _CONTAINERS)

    @staticmethod
    def _note(node: tuple[Any, ...], into: set[Value]) -> None:
        if node[0] == "field":
            owner = node[1]
            into.add(owner)
            if owner[1] == "inst":
                into.add(("obj", "class", owner[2], owner[3]))
            elif owner[1] == "class":
                into.add(("obj", "inst", owner[2], owner[3]))
        elif node[0] == "ret":
            into.add(("obj", "func", node[1], node[2]))


class _SharedState:
    """Places outside the code that hold a model: attributes of a library's objects
    (``st.session_state.model = ...``), files the code writes a model to (``json.dump``). The
    files that name the attribute and import the library, or name the file, are read, as the
    importers of a module's name are (only the carriers new since the last round are looked
    at)."""

    def __init__(self, graph: Graph, inputs: FlowInputs) -> None:
        self.graph = graph
        self.libraries = [lang for lang in inputs.files
                          if getattr(language_named(lang), "library_objects", False)]
        """The languages whose names imported from a library hold its objects."""
        self.files = [lang for lang in inputs.files
                      if getattr(language_named(lang), "loads_data_files", False)]
        """The languages whose code loads files by name."""
        self._seen: set[Node] = set()

    def queries(self) -> set[NameQuery]:
        found: set[NameQuery] = set()
        new = self.graph.carriers - self._seen
        self._seen |= new
        for node in new:
            if type(node) is not tuple:
                continue
            if node[0] == "field" and node[1][1] == "ext":
                name = str(node[2]).strip("[]")
                if name.isidentifier():
                    package = str(node[1][2]).partition(".")[0]
                    found.update((name, frozenset({package}), lang) for lang in self.libraries)
            elif node[0] == "stored" and node[1]:
                found.update((str(node[1]), frozenset(), lang) for lang in self.files)
        return found


def _called_modules(program: Program, interesting: set[Value]) -> set[str]:
    """Modules not read yet that a call passes a definition, or an object through which one
    is reached (a helper between a registry and the call: ``list(get_ids(MODELS))``)."""
    graph = program.graph
    wanted = set()
    for module, node in program.calls_into:
        if module in program.modules or module in wanted:
            continue
        if node in graph.carriers or not graph.values_of(node).isdisjoint(interesting):
            wanted.add(module)
    return wanted


class _ExportQueries:
    """Each parsed module's exports not wanted yet, as nodes, with the queries that find
    their importers: worked out once per module, and an export wanted once is never looked
    at again (every round looked at every export of every module)."""

    def __init__(self) -> None:
        self.pending: dict[str, dict[Node, NameQuery]] = {}
        """Module → its exports not wanted yet (a module leaves once none is left)."""

    def add(self, path: str, facts: ModuleFacts) -> None:
        """A module just parsed."""
        if path.endswith(".ipynb"):
            return  # nothing imports from a notebook
        language = language_named(facts.language)
        names = sorted(name for name in exported_names(facts) if name.isidentifier())
        if names:
            self.pending[path] = {("export", path, name): language.export_query(path, name)
                                  for name in names}


def _wanted_queries(program: Program, files: Mapping[str, list[str]],
                    interesting: set[Value], exports: _ExportQueries,
                    ) -> tuple[set[NameQuery], set[NameQuery]]:
    """The names through which values leave the parsed modules (searched for in the files
    not read yet), and the environment variables set to a value that carries a model
    (searched for everywhere). Also those of the names wanted only as functions that read
    the variable their caller names (see :func:`_naming_variables_that_matter`)."""
    graph = program.graph
    queries: set[NameQuery] = set()
    accessors: set[NameQuery] = set()
    for path, pending in list(exports.pending.items()):
        # what holds a value that matters, or leads to one: a function returning a table's
        # records or reading the variable its caller names, the environment as an object
        # (``env = schema.parse(process.env)``) once the scan binds a variable
        for node in list(pending):
            if (node in graph.carriers or not graph.values_of(node).isdisjoint(interesting)
                    or _returns_records(program, node, interesting)
                    or (program.env_sources and ENVIRONMENT in graph.values_of(node))):
                queries.add(pending.pop(node))
            elif _reads_named_env(program, node):
                accessors.add(pending.pop(node))
        if not pending:
            del exports.pending[path]
    for obj in interesting:
        if obj[1] == "store":  # a table a value that matters is stored in: its readers
            queries.update((str(obj[2]), frozenset(), lang) for lang in files)
    for var, sources in program.env_sources.items():
        # a variable the code sets to nothing that carries a model (``os.environ["SHELL"] =
        # ...`` in a library) sends no one looking for its readers
        if any(node in graph.carriers or not graph.values_of(node).isdisjoint(interesting)
               for node, _ in sources):
            queries.update((var, frozenset(), lang) for lang in files)
    return queries | accessors, accessors - queries  # (a name wanted for a reason of its own)


def _returns_records(program: Program, node: Node, interesting: set[Value]) -> bool:
    """Does ``node`` hold a function whose callers get the records of a table a fine-tune is
    stored in (``fetchBotModel(id).open_ai_id``)? Not any object worth following it returns:
    a configuration object every module asks for would have every module read."""
    graph = program.graph
    return any(o[1] == "store" and o in interesting
               for v in graph.values_of(node) if v[0] == "obj" and v[1] == "func"
               for o in graph.values_of(("ret", v[2], v[3])))


def _reads_named_env(program: Program, node: Node) -> bool:
    """Does ``node`` hold a function that reads the environment variable its caller names
    (``getRequired("OPENAI_MODEL")``)?"""
    for v in program.graph.values_of(node):
        if v[0] == "obj" and v[1] == "func":
            function = program.function(str(v[2]), str(v[3]))
            if function is not None and function.env_parameter is not None:
                return True
    return False


def _naming_variables_that_matter(program: Program, callers: set[str],
                                  read: Callable[[str], str | None]) -> set[str]:
    """Those of ``callers`` (files that import a function reading the variable its caller
    names) that may name a variable whose value matters: one the scan binds to a value, one
    a secret sets, or one named like a fine-tune. A call reads a variable through such a
    function only when it names it as a string (``getRequired("OPENAI_MODEL")``): a file
    that spells none of these names gets nothing from it. Libraries are full of such
    helpers (``getEnvironmentVariable`` in LangChain and LangSmith: 37 modules of a
    ``node_modules`` tree, each parsed and followed for nothing)."""
    if not callers:
        return set()
    names = frozenset({*program.env_sources, *program.outside_env})
    kept = set()
    for path in callers:
        text = read(path)
        if text is None or FINE_TUNE_NAME_IN_TEXT.search(text) is not None or (
                names and holds_any(names, text.encode("utf-8", "surrogateescape"))):
            kept.add(path)  # (one that cannot be read is parsed, and says why)
    return kept


def _use_sites(program: Program, definitions: list[Detection], texts: _Texts) -> list[UseSite]:
    """Every place a value reaches where a use is reported: the observations (model calls,
    env reads, settings fields) and the arguments that pass a value on to a model call
    through one of the repository's own functions; one site per line."""
    graph = program.graph
    model_calls = [node for node, o in program.observations.items()
                   if o.sink and not o.manages and not _calls_repository(program, o)]
    leading = _Leading(program, model_calls)
    uses: list[UseSite] = []
    seen: set[tuple[str, int, int]] = set()
    for node, observation in program.observations.items():
        values = graph.values_of(node)
        if not values or (_calls_repository(program, observation)
                          and not _passes_on(program, observation, leading)) or (
                              not _goes_on(graph, node)):
            continue
        site = _site(program, node, observation, values, definitions, texts)
        if site is not None:
            uses.append(site)
            seen.add((observation.path, observation.span.start, observation.span.end))
    called = {v for node in model_calls for v in graph.values_of(node)}
    contents = _Contents(graph)
    for key, binding in sorted(program.bindings.items()):
        if key in seen or not any(leading.calls_model(p) for p in binding.parameters):
            continue
        values = contents.carried(binding.node) & called
        if not values:
            continue
        observation = Observation(binding.path, binding.span,
                                  f"passed to {binding.function}(), which calls the model",
                                  binding.code, sink=True)
        site = _site(program, binding.node, observation, values, definitions, texts)
        if site is not None:
            uses.append(site)
    return _one_per_line(uses)


def _goes_on(graph: Graph, node: Node) -> bool:
    """Unless ``node`` observes an environment read: does what the read gives go anywhere (a
    name, an argument, a return), or is it only compared or tested where it is read
    (``model.id === process.env.X``, ``if os.getenv("X"):``)?"""
    if type(node) is not tuple or node[0] != "envobs":
        return True
    return bool(graph.onward(("envread", *node[1:])))


def _site(program: Program, node: Node, observation: Observation, values: set[Value],
          definitions: list[Detection], texts: _Texts) -> UseSite | None:
    """The use site of an observation reached by ``values`` (definitions first, else a
    value set outside the repository at a model call), or ``None``."""
    graph = program.graph
    location = texts.locate(observation.path, observation.span)
    defs = _best_definitions(values)
    if defs:
        origins = tuple(_origin(graph, node, value, definitions, texts, i < MAX_FLOWS)
                        for i, value in enumerate(defs[:MAX_ORIGINS]))
        return UseSite(observation.path, location, origins, observation.kind,
                       observation.context, _plain_default_note(observation, program, texts))
    outside = sorted(v for v in values if v[0] == "out")
    if outside and observation.sink and not observation.manages:
        return UseSite(observation.path, location, (), observation.kind, observation.context,
                       outside=_outside_name(outside[0]) + _stored(graph, node, outside[0]))
    return None


def _stored(graph: Graph, node: Node, value: Value) -> str:
    """Where a value set outside the repository was kept on its way (a database table the
    code stored a job's result in, and read back), as the end of its name."""
    for hop in graph.path_to(node, value) or []:
        if hop.message.startswith(STORED_IN):
            return f", {hop.message} and read back"
    return ""


def _one_per_line(uses: list[UseSite]) -> list[UseSite]:
    """A site is one use however many places of its line a value reaches: the first on the
    line, with the definitions of all of them."""
    by_line: dict[tuple[str, int], UseSite] = {}
    for site in sorted(uses, key=lambda u: (u.location, u.context)):
        key = (site.path, site.location.start_line)
        first = by_line.get(key)
        if first is None:
            by_line[key] = site
        elif site.origins:
            known = {o.definition.location for o in first.origins}
            more = tuple(o for o in site.origins if o.definition.location not in known)
            by_line[key] = dataclasses.replace(
                first, origins=first.origins + more,
                outside=None if first.origins or more else first.outside)
    return list(by_line.values())


_CONTAINERS = frozenset({"dict", "list", "view"})


class _Contents:
    """What a node carries: its values, and what the data containers among them (dicts and
    lists) hold, a few levels deep: a registry passed to a function carries the ids in its
    lists. An instance is not looked into: handing a configured service object to a function
    is no model value (its own calls of the model are the uses)."""

    DEPTH = 3

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._fields: dict[Value, list[Node]] | None = None

    def carried(self, node: Node) -> set[Value]:
        found: set[Value] = set()
        objects: set[Value] = set()
        layer = [node]
        for _ in range(self.DEPTH + 1):
            following: list[Node] = []
            for held in layer:
                for value in self.graph.values_of(held):
                    if value[0] in ("def", "out"):
                        found.add(value)
                    elif value[0] == "obj" and value[1] in _CONTAINERS and value not in objects:
                        objects.add(value)
                        following.extend(self.fields_of(value))
            layer = following
            if len(found) >= MAX_ORIGINS:
                break
        return found

    def fields_of(self, obj: Value) -> list[Node]:
        if self._fields is None:
            self._fields = {}
            for node in self.graph.fields:
                owner = node[1]  # type: ignore[index]
                self._fields.setdefault(owner, []).append(node)
        return self._fields.get(obj, [])


class _Leading:
    """Which parameters of the repository's functions lead to a model call: inside the
    function, in what it calls, or through what it stores (``self.model``, read by a method
    that calls the model), but not out through its own return (the caller's own call is the
    use then: ``get_model_ids(MODELS)`` only hands the ids back).

    Each parameter is summarised once: does it lead to a model call, does it come back out of
    the function's return? A parameter's walk does not go into the functions it passes the
    value to: it asks their parameters' summaries, and where the callee hands the value back,
    goes on from that call's result (so a return goes back to its own call, not to every
    caller of the function). The work is linear in the functions' bodies."""

    LIMIT = 20_000
    """Nodes one parameter's walk visits at most."""
    _SETTLED = 1 << 62
    """The depth a settled answer depends on: none."""

    def __init__(self, program: Program, model_calls: list[Node]) -> None:
        self.graph = program.graph
        self.targets = set(model_calls)
        self.backward = self.graph.leading_to(model_calls)
        self.entering: dict[tuple[Node, Node], Node] = {
            (b.node, p): b.result for b in program.bindings.values() for p in b.parameters}
        """(argument, parameter) → the node of that call's result."""
        self._summaries: dict[Node, tuple[bool, bool]] = {}
        self._depth: dict[Node, int] = {}
        """Parameters whose walk is in progress → how deep in the walks it is."""
        self._guess: dict[Node, tuple[bool, bool]] = {}
        """Answers so far of parameters whose walks depend on one in progress."""
        self._members: list[list[Node]] = []
        """For each walk in progress, the parameters settled with it."""

    def calls_model(self, parameter: Node) -> bool:
        return parameter in self.backward and self._summary(parameter)[0]

    def _summary(self, parameter: Node) -> tuple[bool, bool]:
        """(leads to a model call, comes back out of the function's return)."""
        known = self._summaries.get(parameter)
        if known is not None:
            return known
        leads, returns, _ = self._solve(parameter)
        return leads, returns

    def _solve(self, parameter: Node) -> tuple[bool, bool, int]:
        """The summary, and the shallowest walk in progress it depends on. Functions that
        call each other depend on each other's answers: the first to be walked waits for the
        others (they take its answer so far), then all of them are walked again with the
        answers found until none changes, whatever order they were reached in."""
        known = self._summaries.get(parameter)
        if known is not None:
            return (*known, self._SETTLED)
        depth = self._depth.get(parameter)
        if depth is not None:  # recursion: its answer so far, settled when its walk ends
            return (*self._guess.get(parameter, (False, False)), depth)
        depth = self._depth[parameter] = len(self._members)
        members = [parameter]
        self._members.append(members)
        leads, returns, low = self._walk(parameter)
        self._guess[parameter] = (leads, returns)
        if low < depth:  # settled with the walk it depends on
            self._members.pop()
            self._members[low].extend(members)
            for member in members:
                self._depth[member] = low
            return leads, returns, low
        walked = 1
        while walked < len(members):  # again, until no answer changes (more may join)
            walked = len(members)
            for member in members:  # those joining on the way too
                found = self._walk(member)[:2]
                if found != self._guess[member]:
                    self._guess[member] = found
                    walked = 0
        self._members.pop()
        for member in members:
            self._summaries[member] = self._guess.pop(member)
            del self._depth[member]
        leads, returns = self._summaries[parameter]
        return leads, returns, self._SETTLED

    def _walk(self, parameter: Node) -> tuple[bool, bool, int]:
        """Where the parameter's value goes in its function's body (see :meth:`_solve`)."""
        graph = self.graph
        own_return = ("ret", parameter[1], parameter[2])  # type: ignore[index]
        returned = {v for v in graph.values_of(own_return) if v[0] == "obj"}
        leads = returns = False
        low = self._SETTLED
        seen = {parameter}
        frontier = [parameter]
        while frontier and not leads and len(seen) < self.LIMIT:
            node = frontier.pop()
            graph.steps += 1
            for nxt in graph.onward(node):
                if nxt in self.targets:
                    leads = True
                    break
                if type(nxt) is tuple and nxt[0] == "stored":
                    continue  # saved to a file: the code that loads it calls the model

                if nxt == own_return or (returned and type(nxt) is tuple
                                         and nxt[0] == "field" and nxt[1] in returned):
                    returns = True
                    continue
                result = self.entering.get((node, nxt))
                if result is not None:  # into another function: its summary, not its body
                    inner_leads, inner_returns, inner_low = self._solve(nxt)
                    low = min(low, inner_low)
                    if inner_leads:
                        leads = True
                        break
                    nxt = result if inner_returns else None
                if nxt is not None and nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        return leads, returns, low


def _calls_repository(program: Program, observation: Observation) -> bool:
    """Is the observation an argument of a call to one of the repository's functions?"""
    if observation.callee is None or observation.parameter is None:
        return False
    return any(v[0] == "obj" and v[1] in ("func", "class")
               for v in program.graph.values_of(observation.callee))


def _passes_on(program: Program, observation: Observation, leading: _Leading) -> bool:
    """Does the repository function the observation's argument goes to pass it on to a model
    call (its parameter leads to one)?"""
    assert observation.parameter is not None
    call = (observation.path, observation.call) if observation.call is not None else None
    return any(leading.calls_model(node)
               for f in program.graph.values_of(observation.callee)
               if f[0] == "obj" and f[1] in ("func", "class")
               for node in program.parameter_nodes(f, observation.parameter, call))


def _best_definitions(values: set[Value]) -> list[Value]:
    """One value per definition, a high-confidence link preferred over a low one."""
    best: dict[int, Value] = {}
    for value in values:
        if value[0] != "def":
            continue
        index = cast(int, value[1])
        known = best.get(index)
        if known is None or (known[2] is not None and value[2] is None):
            best[index] = value
    return [best[i] for i in sorted(best)]


def _origin(graph: Graph, node: Node, value: Value, definitions: list[Detection],
            texts: _Texts, with_flow: bool) -> Origin:
    definition = definitions[cast(int, value[1])]
    steps: tuple[FlowStep, ...] = ()
    if with_flow:
        hops = graph.path_to(node, value) or []
        steps = _steps(hops, texts, definition)
    low = str(value[2]) if value[2] is not None else None
    return Origin(definition, steps, low)


def _steps(hops: list[Hop], texts: _Texts, definition: Detection) -> tuple[FlowStep, ...]:
    """Hops as flow steps, in the order the value takes them; a second step on the line of the
    one before adds nothing (``X = os.getenv("X")`` is one step, not two)."""
    steps: list[FlowStep] = []
    last = (definition.location.path, definition.location.start_line)
    for hop in hops:
        location = texts.locate(hop.path, hop.span)
        here = (location.path, location.start_line)
        if here == last:
            continue
        steps.append(FlowStep(location, hop.message))
        last = here
    return tuple(steps)


def _outside_name(value: Value) -> str:
    """What holds a value set outside the repository, as reports show it."""
    kind = value[1]
    if kind == "env":
        return f"env {value[2]}"
    if kind == "secret":
        return str(value[2])
    if kind == "option":
        return f"command-line option --{value[2]}"
    return f"a fine-tuning job's result, {value[2]}"


def _plain_default_note(observation: Observation, program: Program, texts: _Texts,
                        ) -> str | None:
    """When code falls back to a literal that is not a fine-tune (``"gpt-4o-mini"``), say that
    the deployed value is the fine-tune: the default is what a reader sees, not what runs."""
    default = observation.default
    if not isinstance(default, Lit) or observation.env is None:
        return None
    if program.definitions_in(observation.path, default.span):
        return None
    literal = (texts.text(observation.path) or "")[default.span.start:default.span.end].strip()
    if not literal or len(literal) > 60:
        return None
    return (f"The default here, {literal}, is not what runs where {observation.env} is set: "
            "there it is the fine-tuned model.")


__all__ = ["FlowInputs", "FlowOutcome", "ImportWords", "NameSearch", "Origin", "ServiceMap",
           "UseSite", "resolve_uses"]
