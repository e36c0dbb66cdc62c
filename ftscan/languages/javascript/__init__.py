"""JavaScript and TypeScript, the second language plug-in: ``.js .mjs .cjs .jsx .ts .mts .cts
.tsx`` and the ``<script>`` blocks of ``.vue`` and ``.svelte`` files.

Parsing is tree-sitter (:mod:`.grammar`); one walk collects every string with its name and the
module's facts (:mod:`.collect`); imports resolve the way bundlers and TypeScript resolve them
(:mod:`.resolve`). Minified files and bundles are read by the text pass, never parsed.
"""

from __future__ import annotations

import functools
import operator
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from ftscan.comments import CommentSyntax
from ftscan.flow.facts import Class, ModuleFacts, shifted
from ftscan.flow.names import is_fine_tune_name, reads_fine_tune_env
from ftscan.languages import Interest, LeanParse, NameQuery, SinkTable, SourceTests, tokens
from ftscan.languages.javascript.grammar import (
    Offsets,
    code_blocks,
    is_bundle,
    is_minified,
    package_words,
    parse_tree,
)
from ftscan.languages.javascript.resolve import Project
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, ParseFailure, StringFact

_ENV_MARKERS = (b"process.env", b"import.meta.env", b"Bun.env", b"Deno.env", b"getEnv(",
                b"env(")
_ECOSYSTEM = re.compile(r"(?:^|/)ecosystem\.config\.[cm]?js$")
_WORD = r"[A-Za-z0-9_$]"
_IMPORT_KEYWORD = re.compile(r"import|require|from")
_NAME_ARGUMENT = re.compile(rb"""\([ \t]{0,8}["'`]([A-Z][A-Z0-9_]{0,127})["'`][ \t]{0,8}[,)]""")
"""A call's first argument spelled like an environment variable (``get("FT_MODEL")``)."""
_ENV_BY_NAME = re.compile(rb"(?:process|import\.meta)\.env\[[ \t]{0,8}[A-Za-z_$]")
"""An env read whose variable a name holds (``process.env[name]``, a wrapper's)."""


def _load_sinks() -> SinkTable:
    return SinkTable.load(Path(__file__).parent / "sinks.yaml", object_arguments=True)


class JavaScriptLanguage:
    """The JavaScript/TypeScript plug-in (see :class:`ftscan.languages.Language`)."""

    name = "javascript"
    title = "JavaScript/TypeScript"
    suffixes = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".vue", ".svelte")
    markers = (b"process.env", b"import.meta.env", b"Bun.env", b"Deno.env", b"getEnv",
               b"fineTunedModel", b"fine_tuned_model", b"FINE_TUNE", b"FINETUNE",
               b"TUNED_MODEL", b"FT_MODEL")
    attributes_are_keys = True
    explicit_exports = True
    builtins = {
        "String": "same", "structuredClone": "same", "Object.freeze": "same",
        "Object.values": "values", "Object.entries": "values", "Array.from": "elements",
        "Object.assign": "update_first", "JSON.parse": "same", "createEnv": "option:runtimeEnv",
        "Map": "pairs", "WeakMap": "pairs", "Object.fromEntries": "pairs", "Set": "elements",
        "cleanEnv": "argument",
        "createOpenAI": "provider", "createAzure": "provider", "createMistral": "provider",
        "createOpenAICompatible": "provider", "createAmazonBedrock": "provider",
        "createVertex": "provider", "createGoogleGenerativeAI": "provider",
    }
    methods = {
        "trim": "same", "toLowerCase": "same", "toString": "same", "concat": "elements_all",
        "slice": "elements", "filter": "elements", "map": "none", "flat": "elements",
        "find": "element", "at": "element", "pop": "element", "shift": "element",
        "push": "add", "unshift": "add", "add": "add", "set": "add_last", "get": "get",
        "values": "values", "entries": "values", "from": "store", "collection": "store",
        "parse": "argument", "safeParse": "argument", "parseAsync": "argument",
    }

    def __init__(self) -> None:
        self.sinks = _load_sinks()
        self.project = Project()

    # ------------------------------------------------------------------ reading files

    def interest(self, data: bytes) -> Interest:
        """Reads the environment; reads a fine-tuning job's result, or a variable named like
        a fine-tune, written out or through a wrapper (``getRequired("FINE_TUNED_MODEL")``,
        ``configService.get("FT_MODEL")``); may be such a wrapper (``process.env[name]``:
        its facts matter whenever the scan binds a variable, like settings', if one of its
        functions turns out to read the variable its caller names: :meth:`settings_matter`)."""
        reads_env = any(marker in data for marker in _ENV_MARKERS)
        outside = b".fine_tuned_model" in data or b".fineTunedModel" in data or (
            reads_env and reads_fine_tune_env(data, _ENV_MARKERS)) or \
            _passes_fine_tune_name(data)
        wrapper = reads_env and _ENV_BY_NAME.search(data) is not None
        return Interest(reads_env, wrapper, outside)

    def settings_matter(self, facts: ModuleFacts) -> bool:
        """Are the facts of a file :meth:`interest` took for an env wrapper worth following
        whenever the scan binds a variable? Only when one of its functions reads the
        variable its caller names: ``process.env[key]`` in a loop over keys (Next.js's build
        and config, 140 KB modules) reads none a caller can name."""
        return any(function.env_parameter is not None for function in facts.functions)

    def parse_lean(self, relpath: str, text: str, carries_id: Callable[[StringFact], bool],
                   source: SourceTests | None = None) -> LeanParse | None:
        """Never: tree-sitter is cheap enough to build the facts every time."""
        return None

    def parse(self, relpath: str, text: str) -> ParsedFile:
        if is_bundle(text):  # the text pass reads it, as the rules see it
            kind = "minified JavaScript" if is_minified(text) else "a JavaScript bundle"
            return ParsedFile(residual_role=Role.DEFINITION,
                              residual_kind=f"{kind} (read without a parser)",
                              comment_syntax=CommentSyntax.SLASH)
        from ftscan.languages.javascript.collect import Collector, TooDeep

        strings: list[StringFact] = []
        facts = ModuleFacts(language=self.name)
        env_file = _ECOSYSTEM.search(relpath) is not None
        for block in code_blocks(relpath, text):
            source = block.text.encode("utf-8", "surrogatepass")
            tree = parse_tree(block.grammar, source)
            if tree.root_node.has_error:
                line = _first_error_line(tree.root_node)
                where = text.count("\n", 0, block.start) + line
                raise ParseFailure(f"{self.title} syntax the grammar cannot read", where)
            offsets = Offsets(block.text, source)
            collector = Collector(source, offsets, block.grammar, env_file)
            try:
                collector.walk(tree.root_node)
            except (TooDeep, RecursionError):
                raise ParseFailure("code nested too deeply to follow") from None
            block_facts = collector.finish()
            if block.start:
                block_facts = shifted(block_facts, functools.partial(operator.add, block.start))
                collector.strings = [StringFact(f.value, f.start + block.start,
                                                f.end + block.start, f.kind, f.role,
                                                f.binding, f.template, f.component)
                                     for f in collector.strings]
            facts.merge(block_facts)
            strings.extend(collector.strings)
        return ParsedFile(strings=strings, residual_role=Role.MENTION,
                          residual_kind="JavaScript comment or text",
                          comment_syntax=CommentSyntax.SLASH, module=facts)

    # ------------------------------------------------------------------ resolving names

    def setup(self, paths: Sequence[str], read: Callable[[str], str | None]) -> None:
        self.project = Project.load(paths, read)

    def resolve(self, importer: str, module: str, level: int,
                files: Mapping[str, set[str]]) -> list[str]:
        if not self.project.files:
            self.project = Project(frozenset(p for ps in files.values() for p in ps))
        return self.project.resolve(importer, module)

    def submodule(self, module: str, name: str, files: Mapping[str, set[str]]) -> list[str]:
        return []

    def settings_class(self, path: str, cls: Class, modules: Mapping[str, ModuleFacts],
                       files: Mapping[str, set[str]]) -> tuple[str, dict[str, str]] | None:
        return None

    # ------------------------------------------------------------------ searching files

    def export_query(self, path: str, name: str) -> NameQuery:
        """Importers name the module (its stem, or its workspace package) and, but for the
        default export (imported under any name), the name itself."""
        words = set(package_words(path)) | set(self.project.package_names_of(path))
        if name == "default":
            return next(iter(sorted(words)), name), frozenset(words), self.name
        return name, frozenset(words), self.name

    def data_query(self, path: str) -> NameQuery:
        """``import models from "./models.json"``, ``require("../data/models.json")``."""
        base = posixpath.basename(path)
        return base, frozenset(package_words(path)), self.name

    def mentions(self, text: str, query: NameQuery) -> bool:
        """Does ``text`` name ``name`` as a whole word, and import (``import``, ``require``,
        ``export ... from``) a specifier holding one of the module's words whole? Linear in
        the text."""
        name, words, _ = query
        if name not in text or (words and not any(w in text for w in words)):
            return False
        if re.search(rf"(?<!{_WORD}){re.escape(name)}(?!{_WORD})", text) is None:
            return False
        if not words:
            return True
        lines = "\n".join(_import_lines(text))
        return any(re.search(rf"(?<!{_WORD}){re.escape(word)}(?!{_WORD})", lines) is not None
                   for word in words)

    def import_words(self, text: str) -> frozenset[str]:
        """The words of the lines that hold ``import``, ``require`` or ``from`` and a
        quote."""
        return tokens("\n".join(_import_lines(text)))


def _passes_fine_tune_name(data: bytes) -> bool:
    """Does a call in ``data`` take, first, a literal environment variable name named like a
    fine-tune? Linear: each ``("`` is looked at once."""
    return any(is_fine_tune_name(found.group(1).decode())
               for found in _NAME_ARGUMENT.finditer(data))


def _import_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` that may import (they hold ``import``, ``require`` or ``from``,
    and a quote), each once: linear in the text (looking at a line again for each word in it
    took minutes on a 360 KB line)."""
    found = _IMPORT_KEYWORD.search(text)
    while found is not None:
        start = text.rfind("\n", 0, found.start()) + 1
        end = text.find("\n", found.end())
        end = end if end >= 0 else len(text)
        line = text[start:end]
        if '"' in line or "'" in line or "`" in line:
            yield line
        found = _IMPORT_KEYWORD.search(text, end)


def _first_error_line(root: object) -> int:
    """The 1-based line of the first ERROR or missing node (tree-sitter's recovery marks)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:  # type: ignore[attr-defined]
            return int(node.start_point[0]) + 1  # type: ignore[attr-defined]
        if node.has_error:  # type: ignore[attr-defined]
            stack.extend(reversed(node.children))  # type: ignore[attr-defined]
    return 1


LANGUAGE = JavaScriptLanguage()
