"""Python, the first language plug-in: ``.py``, ``.pyi`` and Jupyter notebooks.

Parsing is libcst (:mod:`.strings` collects every string literal for the id rules,
:mod:`.facts` what the module binds, imports and calls, in one traversal); this module answers
the resolver's questions the way Python would: which file an import names, which classes are
pydantic settings, what a file must contain to import a name.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ftscan.flow.facts import Class, ModuleFacts
from ftscan.flow.names import reads_fine_tune_env
from ftscan.languages import Interest, LeanParse, NameQuery, SinkTable, SourceTests, tokens
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, StringFact

_SETTINGS_CLASS = re.compile(rb"class\s+\w+\s*\([^)]*BaseSettings")
_SETTINGS_BASES = frozenset({"BaseSettings"})
_JOB_RESULT_READS = (b".fine_tuned_model", b'"fine_tuned_model"', b"'fine_tuned_model'")
_MAX_BASE_DEPTH = 10
_IMPORT_LINE = re.compile(r"^[ \t]*(?:from|import)[ \t][^\n]*", re.MULTILINE)


def _load_sinks() -> SinkTable:
    return SinkTable.load(Path(__file__).parent / "sinks.yaml")


class PythonLanguage:
    """The Python plug-in (see :class:`ftscan.languages.Language`)."""

    name = "python"
    title = "Python"
    suffixes = (".py", ".pyi", ".ipynb")
    markers = (b"environ", b"getenv", b"BaseSettings", b"fine_tuned_model")
    attributes_are_keys = False
    explicit_exports = False
    nested_registries = True
    """Module-level data nests (a registry of entries whose ``params`` dict holds the
    model), and functions return records of it: the readers of any of it are worth reading."""
    loads_data_files = True
    """Code loads configuration files by name at run time (``yaml.safe_load(open(...))``)."""
    library_objects = True
    """A name imported from a library (not a module of the repository) holds an object named
    by its path (``streamlit.session_state``): what code stores in its attributes, other code
    reads from them; called through another name, it is still the library's callable."""
    builtins = {
        "list": "elements", "tuple": "elements", "set": "elements", "frozenset": "elements",
        "sorted": "elements", "reversed": "elements", "iter": "same", "next": "element",
        "getattr": "attr", "str": "same", "dict": "same", "enumerate": "elements",
        "zip": "elements_all", "filter": "elements_last", "map": "elements_last",
        "itertools.chain": "elements_all", "chain": "elements_all",
        "OrderedDict": "same", "collections.OrderedDict": "same", "deepcopy": "same",
        "copy.deepcopy": "same", "copy.copy": "same", "defaultdict": "defaultdict",
        "collections.defaultdict": "defaultdict",
        "open": "file", "io.open": "file", "Path": "path", "pathlib.Path": "path",
        "os.path.join": "path", "json.load": "load", "json.loads": "load",
        "yaml.safe_load": "load", "yaml.load": "load", "yaml.full_load": "load",
        "toml.load": "load", "tomllib.load": "load", "tomllib.loads": "load",
        "tomli.load": "load", "OmegaConf.load": "load", "json.dump": "dump",
        "yaml.dump": "dump", "yaml.safe_dump": "dump", "toml.dump": "dump",
        # an evaluation library's API object for a model, called with it: api(model, prompt)
        "build_inference_api": "provider",
    }
    methods = {
        "get": "get", "pop": "get", "setdefault": "get", "values": "values", "items": "values",
        "copy": "same", "strip": "same", "lstrip": "same", "rstrip": "same", "lower": "same",
        "format": "same", "replace": "same", "removeprefix": "same", "removesuffix": "same",
        "append": "add", "add": "add", "insert": "add_last", "extend": "extend",
        "update": "update", "parse_args": "options", "read": "same", "read_text": "same",
    }

    def __init__(self) -> None:
        self.sinks = _load_sinks()
        self._index_key: tuple[int, int] | None = None
        self._index_value: dict[str, list[str]] = {}

    # ------------------------------------------------------------------ reading files

    def interest(self, data: bytes) -> Interest:
        """Reads the environment; declares pydantic settings; reads a fine-tuning job's
        result (``job.fine_tuned_model``, ``state["fine_tuned_model"]``, not a type's field of
        that name), an env var or a command-line option named like a fine-tune."""
        reads_env = b"environ" in data or b"getenv" in data
        settings = b"BaseSettings" in data and _SETTINGS_CLASS.search(data) is not None
        outside = any(read in data for read in _JOB_RESULT_READS) or (
            reads_env and reads_fine_tune_env(data, (b"environ", b"getenv"))) or (
            b"add_argument" in data and reads_fine_tune_env(data, (b"add_argument",)))
        return Interest(reads_env, settings, outside)

    def parse(self, relpath: str, text: str) -> ParsedFile:
        if relpath.endswith(".ipynb"):
            from ftscan.languages.python.notebook import parse_notebook

            return parse_notebook(text)
        from ftscan.languages.python.strings import parse_python

        return parse_python(text)

    def parse_lean(self, relpath: str, text: str, carries_id: Callable[[StringFact], bool],
                   source: SourceTests | None = None) -> LeanParse | None:
        """Through :mod:`.literals` (stdlib ``ast``, no libcst) when every id sits in a plain
        module-level assignment whose names appear nowhere else in the module; with
        ``source``, only the module-level statements whose source could hold an id are
        walked (:func:`.literals.could_hold`)."""
        if relpath.endswith(".ipynb"):
            return None
        from ftscan.languages.python.literals import Unusual, could_hold, read_literals
        from ftscan.languages.python.nesting import MAX_NESTING, nesting_depth

        if nesting_depth(text) > MAX_NESTING:
            return None  # the parser refuses it: the text pass reads it
        try:
            literals = read_literals(text, None if source is None else (
                lambda lines: could_hold(lines, source)))
        except (Unusual, SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        statements = {statement for fact, statement in zip(
            literals.strings, literals.statement_of, strict=True)
            if fact.role is not Role.MENTION and carries_id(fact)}
        if None in statements:
            return None
        names: set[str] = set()
        for statement in sorted(s for s in statements if s is not None):
            only_there = literals.names_only_in(statement)
            if only_there is None:
                return None
            names |= only_there
        parsed = ParsedFile(strings=literals.strings, residual_role=Role.MENTION,
                            residual_kind="Python comment")
        return LeanParse(parsed, frozenset(names))

    # ------------------------------------------------------------------ resolving names

    def setup(self, paths: Sequence[str], read: Callable[[str], str | None]) -> None:
        """Nothing to read: Python's imports resolve from file names alone."""

    def resolve(self, importer: str, module: str, level: int,
                files: Mapping[str, set[str]]) -> list[str]:
        """Relative imports from the importer's package; absolute ones by the files whose path
        ends like the dotted name, the one under the importer's nearest folder first (a
        monorepo holds many ``config.py``; namespace packages and ``src/`` layouts resolve)."""
        known = files.get(self.name, set())
        if level:
            base = posixpath.dirname(importer)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            stem = posixpath.join(base, *module.split(".")) if module else base
            return _files_for(stem.lstrip("/"), known)
        relative = module.replace(".", "/")
        folder = posixpath.dirname(importer)
        while True:  # the importer's folders, deepest first: O(depth), never O(files)
            stem = posixpath.join(folder, relative) if folder else relative
            found = _files_for(stem, known)
            if found:
                return found
            if not folder:
                break
            folder = posixpath.dirname(folder)
        tail = "/" + relative
        for path in self._index(known).get(module.rpartition(".")[2], ()):
            name = "/" + path.rsplit(".", 1)[0]
            if name.endswith("/__init__"):
                name = name[:-len("/__init__")]
            if name.endswith(tail):
                return [path]
        return []

    def _index(self, known: set[str]) -> dict[str, list[str]]:
        """Module name (the last part of a dotted name) → the files of that name, sorted;
        built once per set of files, one entry per file."""
        key = (id(known), len(known))
        if self._index_key != key:
            self._index_key, self._index_value = key, _index(known)
        return self._index_value

    def submodule(self, module: str, name: str, files: Mapping[str, set[str]]) -> list[str]:
        if not module.endswith("__init__.py"):
            return []
        return _files_for(posixpath.join(posixpath.dirname(module), name),
                          files.get(self.name, set()))

    def settings_class(self, path: str, cls: Class, modules: Mapping[str, ModuleFacts],
                       files: Mapping[str, set[str]]) -> tuple[str, dict[str, str]] | None:
        """A pydantic ``BaseSettings`` class (directly, or through base classes of the
        repository): its env prefix (its own, else a base's) and aliased fields."""
        found = self._settings_prefix(path, cls, modules, files, 0)
        if found is None:
            return None
        return found, dict(cls.field_env)

    def _settings_prefix(self, path: str, cls: Class, modules: Mapping[str, ModuleFacts],
                         files: Mapping[str, set[str]], depth: int) -> str | None:
        if depth > _MAX_BASE_DEPTH:
            return None
        own = cls.env_prefix
        for base in cls.base_names:
            if base.rpartition(".")[2] in _SETTINGS_BASES:
                return own or ""
            for base_path, base_cls in self._base_classes(path, base, modules, files):
                inherited = self._settings_prefix(base_path, base_cls, modules, files,
                                                  depth + 1)
                if inherited is not None:
                    return own or inherited
        return None

    def _base_classes(self, path: str, base: str, modules: Mapping[str, ModuleFacts],
                      files: Mapping[str, set[str]]) -> list[tuple[str, Class]]:
        """The classes of the repository a base name written in ``path`` names."""
        facts = modules.get(path)
        if facts is None:
            return []
        name = base.rpartition(".")[2]
        local = [(path, c) for c in facts.classes if c.name == name and c.scope == ""]
        if local:
            return local
        for imp in facts.imports:
            if imp.local == name and imp.name:
                return [(m, c) for m in self.resolve(path, imp.module, imp.level, files)
                        for c in (modules[m].classes if m in modules else [])
                        if c.name == imp.name and c.scope == ""]
        return []

    # ------------------------------------------------------------------ searching files

    def export_query(self, path: str, name: str) -> NameQuery:
        folder, base = posixpath.split(path)
        stem = base.rsplit(".", 1)[0]
        if stem == "__init__":
            stem = posixpath.basename(folder)
        return name, frozenset({stem}) if stem else frozenset(), self.name

    def data_query(self, path: str) -> NameQuery | None:
        """Python reads data files at run time (``json.load(open("config.json"))``): the
        files that write the data file's name."""
        return posixpath.basename(path), frozenset(), self.name

    def mentions(self, text: str, query: NameQuery) -> bool:
        """Does ``text`` name ``name`` as a whole word, and (for a name a module exports)
        import one of the module's words? Substring tests first: most files fail them at C
        speed."""
        name, module_names, _ = query
        if name not in text or (module_names and not any(m in text for m in module_names)):
            return False
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is None:
            return False
        return not module_names or any(
            re.search(rf"{_IMPORT_LINE.pattern}(?<![A-Za-z0-9_]){re.escape(m)}"
                      rf"(?![A-Za-z0-9_])", text, re.MULTILINE)
            for m in module_names
        )

    def import_words(self, text: str) -> frozenset[str]:
        """The words of the lines that start with ``from`` or ``import``."""
        return tokens("\n".join(_IMPORT_LINE.findall(text)))


def _files_for(stem: str, known: set[str]) -> list[str]:
    return [p for p in (f"{stem}.py", f"{stem}/__init__.py", f"{stem}.pyi") if p in known][:1]


def _index(files: set[str]) -> dict[str, list[str]]:
    """Module name → the files that define a module of that name (``a/b/c.py`` and
    ``a/b/c/__init__.py`` are both ``c``), sorted."""
    index: dict[str, list[str]] = {}
    for path in sorted(files):
        if not path.endswith((".py", ".pyi")):
            continue
        folder, _, base = path.rpartition("/")
        stem = base.rsplit(".", 1)[0]
        if stem == "__init__":
            stem = folder.rpartition("/")[2]
        index.setdefault(stem, []).append(path)
    return index


LANGUAGE = PythonLanguage()
