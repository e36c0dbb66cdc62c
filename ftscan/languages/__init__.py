"""Languages as plug-ins: each lives in its own folder behind :class:`Language`, and this
registry is the only place that lists them.

A language tells the scan which files are its own, which cheap byte markers make a file worth
reading for names, how to parse a file into strings (for the id rules) and facts (for following
names, :mod:`ftscan.flow.facts`), and how its names resolve: imports to files, which calls take
a model, what its built-in functions do with their arguments. The resolver
(:mod:`ftscan.flow`) and the rest of the scan ask these questions and know nothing else about
any language.

Adding a language: a folder ``ftscan/languages/<name>/`` whose ``__init__.py`` defines
``LANGUAGE`` (its sink table is a ``sinks.yaml`` beside it), and one line in :data:`_PLUGINS`
(and, for the wheel, the package in ``pyproject.toml``).
"""

from __future__ import annotations

import functools
import importlib
import posixpath
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from ftscan.flow.facts import Class, ModuleFacts
    from ftscan.parsers.base import ParsedFile, StringFact

_PLUGINS: dict[str, tuple[str, tuple[str, ...]]] = {
    "python": ("ftscan.languages.python", (".py", ".pyi", ".ipynb")),
    "javascript": ("ftscan.languages.javascript", (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts",
                                                   ".cts", ".tsx", ".vue", ".svelte")),
}
"""The registry: language name → the module defining its ``LANGUAGE``, and the file endings
that are its own (known without importing the plug-in; the tests check they agree)."""

class Interest(NamedTuple):
    """What a file of code may hold for the alias phase, from its bytes alone."""

    reads_env: bool
    """It may read an environment variable (``environ``, ``process.env``)."""
    settings: bool
    """It declares classes whose fields read variables named after them (pydantic
    settings), or functions that read the variable their caller names (an env wrapper): its
    facts matter whenever the scan binds any variable (unless, once it is parsed, the
    plug-in's optional ``settings_matter(facts)`` finds none of them there)."""
    outside: bool
    """It reads a fine-tuning job's result or an env var named like a fine-tune: its facts
    matter whatever the scan found (values set outside the repository)."""


class SourceTests(NamedTuple):
    """Tests of a stretch of source code as written, before any parse (the rules' byte
    prefilter, :meth:`ftscan.ruleset.RuleSet.is_candidate`, on a part of a file)."""

    holds_id: Callable[[str], bool]
    """A rule's pattern or hint matches it: an id, or the literal start of one completed at
    run time."""
    holds_word: Callable[[str], bool]
    """It holds a rule's keyword (an id spelled apart, ``"ft:" "gpt-4o..."``, holds one)."""


@dataclass(frozen=True)
class LeanParse:
    """A module read for its strings alone: the code around its ids cannot carry them
    anywhere unless another file names one of :attr:`names`. The alias phase searches for
    them, and parses the module in full (facts and all) only if one is found."""

    parsed: ParsedFile
    names: frozenset[str]


NameQuery = tuple[str, frozenset[str], str]
"""A name to look for, the words one of which a file must also import for it to count, and
the language whose files are searched."""
_TOKEN = re.compile(r"[A-Za-z0-9_]+")


def tokens(text: str) -> frozenset[str]:
    """The runs of ``[A-Za-z0-9_]`` in ``text``: how the words of import lines and of modules
    are compared (:meth:`Language.import_words`)."""
    return frozenset(_TOKEN.findall(text))


@dataclass(frozen=True)
class SinkTable:
    """Where a call takes a model: keywords (``model=``; also keys of an object literal
    argument, where the language passes options that way) of the calls the table names, and
    positional arguments of callables, matched on the last parts of their dotted name.

    A model keyword on a call the table does not name is a sink only when the call also
    passes what a model call takes (:attr:`companions`: ``messages``, ``prompt``, ...): a
    ``model`` key in a log line, a metrics record or a JSON answer is no call of the model.
    The repository's own functions are sinks where their parameter reaches one (decided by
    the resolver, :mod:`ftscan.flow.phase`)."""

    keywords: frozenset[str]
    positional: Mapping[str, int] = field(default_factory=dict)
    object_arguments: bool = False
    management: frozenset[str] = frozenset()
    """Callables (last parts of the dotted name) that manage a model rather than call it
    (``models.delete``): a value set outside the repository reaching them is no use."""
    calls: frozenset[str] = frozenset()
    """Callables whose model keywords carry the model (``chat.completions.create``)."""
    companions: frozenset[str] = frozenset()
    """Keywords that make any call with a model keyword a call of a model
    (``messages``, ``prompt``, ``max_tokens``)."""
    requests: frozenset[str] = frozenset()
    """Callables that send an HTTP request (``fetch``, ``requests.post``): a model key in the
    body they send (an object argument, its ``body``/``data``/``json`` entry, or what
    ``JSON.stringify``/``json.dumps`` makes of one) asks a service for that model."""
    serializers: frozenset[str] = frozenset()
    """Callables that turn an object into a request body (``JSON.stringify``)."""

    def sends(self, callee: str) -> bool:
        """Does ``callee`` send an HTTP request whose body may name a model?"""
        return _named(callee, self.requests)

    def serializes(self, callee: str) -> bool:
        return _named(callee, self.serializers)

    def manages(self, callee: str) -> bool:
        return _named(callee, self.management)

    def provider_api(self, callee: str) -> bool:
        """Is ``callee`` spelled like a provider's API path the table names
        (``client.chat.completions.create``, not a bare ``completion``)? Such a call sends the
        model to the provider even where the repository's own class answers it (an SDK's
        facade over the provider's client)."""
        return _named(callee, self._api_paths)

    @functools.cached_property
    def _api_paths(self) -> frozenset[str]:
        return frozenset(name for name in self.calls if "." in name)

    def calls_model(self, callee: str) -> bool:
        """Does the table name ``callee`` as a call whose model keywords carry the model?"""
        return _named(callee, self.calls) or _named(callee, self.management)

    def names(self, callee: str) -> bool:
        """Does the table name ``callee`` at all (a model call, or a callable taking the model
        by position)?"""
        return self.calls_model(callee) or _named(callee, self.positional)

    def match(self, callee: str, keyword: str | None, position: int,
              user_sinks: Sequence[tuple[str, str | int]] = (),
              beside: Collection[str] = ()) -> str | None:
        """How an argument goes where a model goes (``model=``, ``argument 1``), or ``None``;
        ``beside``: the other keywords (or keys) of the call."""
        declared = self.declared(callee, keyword, position, user_sinks)
        if declared is not None:
            return declared
        if keyword is not None:
            if keyword not in self.keywords:
                return None
            if self.calls_model(callee) or not self.companions.isdisjoint(beside):
                return f"{keyword}="
            return None
        for suffix, index in self.positional.items():
            if (callee == suffix or callee.endswith("." + suffix)) and position == index:
                return f"argument {position + 1}"
        return None

    @staticmethod
    def declared(callee: str, keyword: str | None, position: int,
                 user_sinks: Sequence[tuple[str, str | int]]) -> str | None:
        """The match of a sink the user declared in config (``sinks = ["call_llm"]``)."""
        for name, param in user_sinks:
            if callee == name or callee.endswith("." + name):
                if isinstance(param, int) and keyword is None and position == param:
                    return f"argument {position + 1}"
                if isinstance(param, str) and keyword == param:
                    return f"{keyword}="
        return None

    @classmethod
    def load(cls, path: Path, object_arguments: bool = False) -> SinkTable:
        """A language's ``sinks.yaml``."""
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(frozenset(data["keywords"]), dict(data["positional"]),
                   object_arguments=object_arguments,
                   management=frozenset(data.get("management", ())),
                   calls=frozenset(data.get("calls", ())),
                   companions=frozenset(data.get("companions", ())),
                   requests=frozenset(data.get("requests", ())),
                   serializers=frozenset(data.get("serializers", ())))


def _named(callee: str, names: Collection[str]) -> bool:
    """Is ``callee`` one of ``names``, or does its dotted name end with one?"""
    if callee in names:
        return True
    at = callee.find(".")
    while at >= 0:
        if callee[at + 1:] in names:
            return True
        at = callee.find(".", at + 1)
    return False


class Language(Protocol):
    """What the scan asks of a language plug-in."""

    name: str
    title: str
    """The language's name in messages (``Python``)."""
    suffixes: tuple[str, ...]
    """File name endings that are this language's (``.py``, ``.ipynb``)."""
    markers: tuple[bytes, ...]
    """Words that make a file worth reading for names even without an id in it: it may read an
    environment variable (``environ``, ``process.env``)."""
    sinks: SinkTable
    builtins: Mapping[str, str]
    """Call text → what the function does with its argument: ``same`` (returns it),
    ``elements`` (a new collection of its elements; ``elements_all`` of every argument's,
    ``elements_last`` of the last argument's: ``zip``, ``map``), ``element`` (one of them),
    ``values`` (a view of a dict's values), ``get`` (an entry by literal key), ``attr`` (an
    attribute by literal name), ``none`` (nothing worth following), ``update_first``
    (``Object.assign``: the first argument gets the others' entries and is returned),
    ``option:KEY`` (the entry ``KEY`` of the first argument: ``createEnv({ runtimeEnv })``),
    ``provider`` (a function that takes the model as its first argument:
    ``createOpenAI({...})``), ``argument`` (its first argument, where the callee is a method:
    ``schema.parse(value)``), ``pairs`` (a new dict of the pairs' values: ``new Map(...)``),
    ``store`` (the database table or collection its first argument names:
    ``db.collection("config")``, ``supabase.from("bot_models")``), ``file`` (a file named by
    its first argument: ``open``), ``path`` (one named by its arguments joined:
    ``os.path.join``, ``Path``), ``load`` (what loading a file gives: ``json.load``, the data
    files of the repository it may name and what code writes to a file of that name), ``dump``
    (the first argument written to the file that is the second: ``json.dump``), ``defaultdict``
    (a dict whose entry under any key may be what its first argument makes), ``options`` (the
    command line's options: ``parse_args()``, whose option named like a fine-tune is a model
    set outside the repository); and for methods that change their receiver: ``add`` (the
    first argument becomes an element: ``append``, ``push``), ``add_last`` (the last one:
    ``insert``), ``extend`` (the argument's elements do), ``update`` (a dict's entries are
    merged in)."""
    methods: Mapping[str, str]
    """Method name → the same summaries, for ``receiver.method(...)``."""
    attributes_are_keys: bool
    """``obj.key`` reads an object literal's entry (JavaScript), not only ``obj["key"]``."""
    explicit_exports: bool
    """A module exports only what it says it does (JavaScript's ``export``); else every name
    of its module scope (Python)."""

    def interest(self, data: bytes) -> Interest:
        """What the file may hold for the alias phase (see :class:`Interest`)."""

    def parse(self, relpath: str, text: str) -> ParsedFile:
        """Strings (for the id rules) and facts (for following names); raises
        :class:`~ftscan.parsers.base.ParseFailure` when the file is not valid."""

    def parse_lean(self, relpath: str, text: str, carries_id: Callable[[StringFact], bool],
                   source: SourceTests | None = None) -> LeanParse | None:
        """The strings alone, when the module's facts are not needed to follow its ids
        (``carries_id`` tells which strings hold one) and a cheaper parser gives exactly the
        strings :meth:`parse` would; ``None`` when :meth:`parse` must read it. The scan asks
        only when the file's other reasons for facts (:class:`Interest`) do not hold: it reads
        no variable the scan binds, declares no settings, reads no job result. ``source``
        tests stretches of source as written: a language may read the strings of the
        statements that could hold an id alone (a table of thousands of literals beside one
        id is not walked)."""

    def setup(self, paths: Sequence[str], read: Callable[[str], str | None]) -> None:
        """Before names are followed in a scan: ``paths`` are every file of it, ``read``
        reads one (a language reads its own configuration: ``tsconfig.json`` aliases,
        workspace packages)."""

    def resolve(self, importer: str, module: str, level: int,
                files: Mapping[str, set[str]]) -> list[str]:
        """The files an import names, seen from ``importer``."""

    def submodule(self, module: str, name: str, files: Mapping[str, set[str]]) -> list[str]:
        """Files ``module.name`` names when ``name`` is a submodule of a package."""

    def settings_class(self, path: str, cls: Class, modules: Mapping[str, ModuleFacts],
                       files: Mapping[str, set[str]]) -> tuple[str, dict[str, str]] | None:
        """For a class whose fields read environment variables: the prefix of their names and
        the fields with a name of their own; ``None`` for any other class."""

    def export_query(self, path: str, name: str) -> NameQuery:
        """What a file must contain to import ``name`` from the module at ``path``."""

    def data_query(self, path: str) -> NameQuery | None:
        """What a file must contain to import the data file at ``path`` (``models.json``),
        or ``None`` when the language does not import data files."""

    def mentions(self, text: str, query: NameQuery) -> bool:
        """Does ``text`` name the query's name, and import one of its words?"""

    def import_words(self, text: str) -> frozenset[str]:
        """The :func:`tokens` of the lines through which ``text`` imports. :meth:`mentions`
        answers yes to a query with words only for a text where every token of one of them
        is among these: the alias phase indexes them once, to look for a module's importers
        among the files that import its words rather than in every file, round after
        round."""


_loaded: dict[str, Language] = {}


def language_named(name: str) -> Language:
    """The plug-in registered as ``name`` (imported on first use)."""
    language = _loaded.get(name)
    if language is None:
        module = importlib.import_module(_PLUGINS[name][0])
        language = _loaded[name] = module.LANGUAGE
    return language


def names() -> tuple[str, ...]:
    """Every registered language."""
    return tuple(_PLUGINS)


_SUFFIXES: dict[str, str] = {suffix: name for name, (_, endings) in _PLUGINS.items()
                             for suffix in endings}


def language_of(relpath: str) -> str | None:
    """The language whose files end like ``relpath``, if any."""
    ext = posixpath.splitext(relpath)[1].lower()
    return _SUFFIXES.get(ext)


def suffixes() -> tuple[str, ...]:
    return tuple(_SUFFIXES)
