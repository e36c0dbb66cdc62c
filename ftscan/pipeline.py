"""The two phases of a scan over one repository's files: the first (every literal id, and the
facts of the code worth following) and the alias phase (the code that reaches an id by name),
then owners and inline suppressions.

:mod:`ftscan.api` imports this only when a scan cannot be replayed (:mod:`ftscan.replay`): it
brings in every parser, and a replayed scan needs none of them.
"""

from __future__ import annotations

import os
import posixpath
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ftscan.analysis import AnalysisContext, lifecycle_phrase, stable_fingerprint
from ftscan.api import ScanError, ScanSummary  # loaded already: api imports this module
from ftscan.cache import ScanCache
from ftscan.config import DEFAULT_MAX_FILE_SIZE, Config, parse_sink
from ftscan.discovery import FileEntry, SkippedEntry
from ftscan.examine import Examiner, decode, read_bytes
from ftscan.filelist import FileList, list_files
from ftscan.fingerprint import LineHasher
from ftscan.firstpass import SEARCH_MIN_FILES, DefinitionsPass
from ftscan.flow.facts import ModuleFacts
from ftscan.flow.findings import outside_finding, use_finding
from ftscan.flow.phase import FlowInputs, ImportWords, NameSearch, resolve_uses
from ftscan.gitfiles import GitListing
from ftscan.languages import NameQuery, language_of
from ftscan.models import Diagnostic, Finding, Severity
from ftscan.ownership import annotate
from ftscan.replay import Analysed
from ftscan.search import ByteSearch, EngineMissing, engine_named
from ftscan.suppress import Markers, apply_inline
from ftscan.suppress import markers as suppression_markers
from ftscan.training.link import link_training

if TYPE_CHECKING:
    from ftscan.api import ScanOptions


def analyse(root: Path, targets: list[Path], options: ScanOptions, started: float,
            config: Config, context: AnalysisContext, listing: GitListing | None,
            cache_key: str, files: FileList | None = None) -> Analysed:
    """Both phases over the repository's files (``files``, when the caller has listed them
    already), owners and inline suppressions applied."""
    max_size = context.max_file_size or DEFAULT_MAX_FILE_SIZE
    cache, cache_problems = None, []
    if options.cache_dir is not None:
        # the size limit is part of the key: files git vouches for are trusted unseen
        cache, problem = ScanCache.open(options.cache_dir, root, f"{cache_key}:{max_size}")
        cache_problems += [problem] if problem else []
    if files is None:
        files = list_files(root, targets, options, config, listing, max_size)
    entries = files.entries
    setup_problems = list(files.problems)
    try:
        search = engine_named(options.search_engine, root)
    except EngineMissing as exc:
        raise ScanError(str(exc)) from None
    with Examiner(context, options.jobs) as examiner:
        first = DefinitionsPass(context, options.progress, started, options.follow_aliases,
                                 examiner, cache, search, str(root))
        first.run(entries)
        if options.follow_aliases:
            second = _resolve_aliases(root, first, config.sinks, max_size, context,
                                      _name_search(root, examiner, cache, search),
                                      _module_parser(root, examiner, max_size, cache,
                                                     {e.relpath: e for e in entries
                                                      if isinstance(e, FileEntry)}),
                                      _import_reader(root, examiner))
        else:
            second = _AliasPhase([], [], [], {})
    if cache is not None:
        problem = cache.save()
        cache_problems += [problem] if problem else []
    findings, problems = annotate(link_training([*first.findings, *second.findings]), root)
    findings, suppression_problems = apply_inline(
        findings, _markers_reader(first.markers, second.texts, text_reader(root, max_size)))
    diagnostics = [*setup_problems, *problems, *suppression_problems, *first.diagnostics,
                   *second.diagnostics]
    diagnostics += [Diagnostic(".", message, Severity.INFO) for message in cache_problems]
    summary = ScanSummary(
        files_considered=len(entries),
        files_read=first.read,
        files_with_candidates=first.candidates,
        skipped=dict(first.skipped),
        parse_fallbacks=first.fallbacks,
        findings_by_level={},
        findings_by_role={},
        duration_seconds=0.0,
        files_from_cache=first.from_cache,
        modules_followed=dict(sorted(Counter(
            language_of(path) or "" for path in [*first.modules, *second.modules_parsed]
        ).items())),
        unresolved=second.unresolved,
        resolver_steps=second.steps,
    )
    return Analysed(findings, diagnostics, summary)


@dataclass
class _AliasPhase:
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    modules_parsed: list[str]
    unresolved: dict[str, int]
    steps: int = 0
    texts: dict[str, str | None] = field(default_factory=dict)
    """The texts this phase read."""


def _name_search(root: Path, examiner: Examiner, cache: ScanCache | None,
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


def _import_reader(root: Path, examiner: Examiner) -> ImportWords:
    """The alias phase's reading of files' import lines (in the pool when it runs)."""

    def import_words(paths: Sequence[str]) -> list[frozenset[str] | None]:
        base = str(root)
        return list(examiner.import_words([FileEntry(os.path.join(base, p), p, 0)
                                           for p in paths]))

    return import_words


def _module_parser(root: Path, examiner: Examiner, max_size: int, cache: ScanCache | None,
                   entries: dict[str, FileEntry],
                   ) -> Callable[[Sequence[str]], Sequence[ModuleFacts | str]]:
    """The alias phase's parse of the modules it reaches: from the cache for a module parsed
    by an earlier scan and unchanged since, else in the worker pool when the scan runs one
    (the workers have their parsers loaded already), remembered in the cache."""

    def parse(paths: Sequence[str]) -> Sequence[ModuleFacts | str]:
        found: dict[str, ModuleFacts | str] = {}
        for path in paths:
            entry = entries.get(path)
            known = cache.module_facts(entry) if cache is not None and entry else None
            if known is not None:
                found[path] = known
        todo = [p for p in paths if p not in found]
        base = str(root)
        parsed = examiner.modules([FileEntry(os.path.join(base, p), p, 0) for p in todo],
                                  max_size)
        for path, facts in zip(todo, parsed, strict=True):
            found[path] = facts
            entry = entries.get(path)
            if cache is not None and entry is not None and isinstance(facts, ModuleFacts):
                cache.keep_module(entry, facts)
        return [found[p] for p in paths]

    return parse


def _resolve_aliases(root: Path, first: DefinitionsPass, sinks: tuple[str, ...],
                     max_size: int, context: AnalysisContext, search: NameSearch,
                     parse: Callable[[Sequence[str]], Sequence[ModuleFacts | str]],
                     import_words: ImportWords) -> _AliasPhase:
    """The second phase: follow names from definitions to the code that uses them."""
    chart_dirs = {posixpath.dirname(p) for p in first.relpaths
                  if p.endswith("Chart.yaml") and posixpath.basename(p) == "Chart.yaml"}
    templates = [p for p in first.relpaths if "/templates/" in p and p.endswith(
        (".yaml", ".yml", ".tpl"))]
    inputs = FlowInputs(
        modules=first.modules,
        lean_modules=first.lean,
        files=first.code_files,
        searched_names=first.env_names,
        tf_files=[p for p in first.relpaths if p.endswith(".tf")],
        chart_dirs=chart_dirs,
        template_files=templates,
        services=first.services,
        user_sinks=[parse_sink(s) for s in sinks],
        search=search,
        outside_env=first.secret_env,
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
        if not site.origins:
            assert outside_rule is not None
            findings.append(outside_finding(site, outside_rule, stable_fingerprint, occurrence,
                                            hasher.hash_for(site.location.start_line)))
            continue
        findings.append(use_finding(
            site,
            rule_title=lambda rule_id: _rule_title(context, rule_id),
            lifecycle_phrase=lambda d: lifecycle_phrase(d.base_model, d.lifecycle),
            fingerprint=stable_fingerprint,
            occurrence=occurrence,
            line_hash=hasher.hash_for(site.location.start_line),
        ))
    unresolved = {
        "truncated": outcome.truncated,
        "starImports": outcome.star_imports,
        "dynamicEnvNames": outcome.dynamic_env_reads,
        "unparsableModules": len(outcome.parse_failures),
    }
    return _AliasPhase(findings, diagnostics, outcome.modules_parsed, unresolved,
                       outcome.steps, outcome.texts)


def _markers_reader(known: dict[str, Markers], texts: dict[str, str | None],
                    read_text: Callable[[str], str | None]) -> Callable[[str], Markers]:
    """A file's inline suppressions: those the first phase collected, else from the text the
    alias phase read, else (rarely) from the file read again."""

    def markers_of(path: str) -> Markers:
        if path in known:
            return known[path]
        text = texts[path] if path in texts else read_text(path)
        return suppression_markers(text or "")

    return markers_of


def text_reader(root: Path, max_size: int) -> Callable[[str], str | None]:
    """Reads a file of the repository again, as text (``None`` if it cannot be read or is over
    the size limit): for the alias phase and for suppression comments."""

    def read_text(relpath: str) -> str | None:
        data = read_bytes(FileEntry(str(root / relpath), relpath, 0))
        if isinstance(data, SkippedEntry) or len(data) > max_size:
            return None
        return decode(data)[0]

    return read_text


def _rule_title(context: AnalysisContext, rule_id: str) -> str:
    rule = context.rules.get(rule_id)
    return rule.title if rule is not None else rule_id




