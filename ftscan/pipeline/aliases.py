"""The alias phase's plumbing: the search of files of code for names (answered from the cache
for unchanged files, the rest through the search engine and the worker pool), the parse of the
modules it reaches (cached likewise), and the use sites it finds turned into detections."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ftscan.cache.store import ScanCache
from ftscan.config import parse_sink
from ftscan.discovery import FileEntry
from ftscan.fingerprint import LineHasher
from ftscan.flow.facts import ModuleFacts
from ftscan.flow.findings import outside_detection, use_detection
from ftscan.flow.phase import FlowInputs, ImportWords, NameSearch, resolve_uses
from ftscan.languages import NameQuery
from ftscan.models import Detection, Diagnostic, Severity
from ftscan.pipeline.analysis import AnalysisContext
from ftscan.pipeline.examine import Examiner
from ftscan.pipeline.firstpass import SEARCH_MIN_FILES, DefinitionsPass
from ftscan.pipeline.reading import text_reader
from ftscan.search import ByteSearch


@dataclass
class AliasPhase:
    findings: list[Detection]
    diagnostics: list[Diagnostic]
    modules_parsed: list[str]
    unresolved: dict[str, int]
    steps: int = 0
    texts: dict[str, str | None] = field(default_factory=dict)
    """The texts this phase read."""
    followed: set[str] = field(default_factory=set)
    """The modules the program held, or tried to (:attr:`FlowOutcome.followed`)."""
    names_searched: set[str] = field(default_factory=set)
    """The names files were searched for (:attr:`FlowOutcome.names_searched`)."""


def name_search(root: Path, examiner: Examiner, cache: ScanCache | None,
                 engine: ByteSearch | None) -> NameSearch:
    """The alias phase's search of files of code for names: answers the cache remembers for
    unchanged files first; of the rest, those the search engine finds a name in are read in
    the pool (all of them without an engine); every answer is remembered."""

    def search(paths: Sequence[str], queries: Sequence[NameQuery],
               ) -> dict[NameQuery, set[str]]:
        asked = tuple(queries)
        if cache is not None:
            answers, unknown = cache.known_answers(paths, asked)
        else:
            answers, unknown = {query: set() for query in asked}, list(paths)
        base = str(root)
        if engine is not None and len(unknown) >= SEARCH_MIN_FILES:
            words = sorted({name.encode() for name, _, _ in asked if name})
            holding = engine.containing(base, unknown, words)
            for path in unknown:
                if path not in holding and cache is not None:
                    cache.remember(path, asked, (False,) * len(asked))
            unknown = [path for path in unknown if path in holding]
        entries = [FileEntry(os.path.join(base, path), path, 0) for path in unknown]
        for path, found in zip(unknown, examiner.names(entries, asked), strict=True):
            if found is None:
                continue
            if cache is not None:
                cache.remember(path, asked, found)
            for query, named in zip(asked, found, strict=True):
                if named:
                    answers[query].add(path)
        return answers

    return search


def import_reader(examiner: Examiner, entries: dict[str, FileEntry]) -> ImportWords:
    """The alias phase's reading of files' import lines (in the pool when it runs);
    ``entries``: the scan's files (each knows its language)."""

    def import_words(paths: Sequence[str]) -> list[frozenset[str] | None]:
        return list(examiner.import_words([entries[p] for p in paths]))

    return import_words


def module_parser(examiner: Examiner, max_size: int, cache: ScanCache | None,
                   entries: dict[str, FileEntry],
                   ) -> Callable[[Sequence[str]], Sequence[ModuleFacts | str]]:
    """The alias phase's parse of the modules it reaches (``entries``: the scan's files):
    from the cache for a module parsed by an earlier scan and unchanged since, else in the
    worker pool when the scan runs one (the workers have their parsers loaded already),
    remembered in the cache."""

    def parse(paths: Sequence[str]) -> Sequence[ModuleFacts | str]:
        found: dict[str, ModuleFacts | str] = {}
        for path in paths:
            entry = entries.get(path)
            known = cache.module_facts(entry) if cache is not None and entry else None
            if known is not None:
                found[path] = known
        todo = [p for p in paths if p not in found]
        parsed = examiner.modules([entries[p] for p in todo], max_size)
        for path, facts in zip(todo, parsed, strict=True):
            found[path] = facts
            entry = entries.get(path)
            if cache is not None and entry is not None and isinstance(facts, ModuleFacts):
                cache.keep_module(entry, facts)
        return [found[p] for p in paths]

    return parse


def resolve_aliases(root: Path, first: DefinitionsPass, sinks: tuple[str, ...],
                     max_size: int, context: AnalysisContext, search: NameSearch,
                     parse: Callable[[Sequence[str]], Sequence[ModuleFacts | str]],
                     import_words: ImportWords) -> AliasPhase:
    """The second phase: follow names from definitions to the code that uses them."""
    inputs = FlowInputs(
        modules=first.modules,
        lean_modules=first.lean,
        files=first.code_files,
        searched_names=first.env_names,
        carried_files=first.carried_files,
        services=first.services,
        user_sinks=[parse_sink(s) for s in sinks],
        search=search,
        outside_env=first.outside_env,
        all_paths=first.relpaths,
        import_words=import_words,
    )

    read_text = text_reader(root, max_size)
    outcome = resolve_uses(inputs, first.findings, read_text, parse)
    diagnostics = [
        Diagnostic(path, f"{message}; names bound in it are not followed", Severity.WARNING)
        for path, message in outcome.parse_failures
    ]
    occurrences: Counter[tuple[str, str, str]] = Counter()
    hashers: dict[str, LineHasher] = {}
    lines: dict[str, set[int]] = {}
    for site in outcome.uses:
        lines.setdefault(site.path, set()).add(site.location.start_line)
    findings = []
    outside_rule = context.rules.of_kind("outside")
    for site in sorted(outcome.uses, key=lambda u: (u.location, u.context)):
        if not site.origins and (site.outside is None or outside_rule is None):
            continue
        named = site.origins[0].definition.model_id if site.origins else str(site.outside)
        key = (site.path, site.context, named)
        occurrence = occurrences[key]
        occurrences[key] += 1
        text = outcome.texts.get(site.path) or read_text(site.path) or ""
        hasher = hashers.setdefault(site.path, LineHasher(text, wanted=lines[site.path]))
        line_hash = hasher.hash_for(site.location.start_line)
        if not site.origins:
            assert outside_rule is not None
            findings.append(outside_detection(site, outside_rule, occurrence, line_hash))
        else:
            findings.append(use_detection(site, occurrence, line_hash))
    unresolved = {
        "truncated": outcome.truncated,
        "starImports": outcome.star_imports,
        "dynamicEnvNames": outcome.dynamic_env_reads,
        "unparsableModules": len(outcome.parse_failures),
    }
    return AliasPhase(findings, diagnostics, outcome.modules_parsed, unresolved,
                       outcome.steps, outcome.texts, outcome.followed, outcome.names_searched)
