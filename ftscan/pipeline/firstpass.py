"""The first phase of a scan: every literal id, and the modules of code worth following.

Configuration and deployment files go first, so that by the time source files (of a language
plug-in, :mod:`ftscan.languages`) are read the environment variables bound to model ids are
known, and a source file that reads one is kept for the alias phase while its bytes are in
hand. Files are examined in a process pool on large
scans (:mod:`ftscan.pipeline.examine`); a file the scan cache can answer for is neither read nor
parsed (:mod:`ftscan.cache.store`). Outcomes are recorded in walk order.

(Streaming the walk's files to the workers while the walk goes on was measured: on 2 cores the
walking process competes with the workers and the scan got 5% slower, so the walk ends first.)
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from ftscan.bindings import EnvVar
from ftscan.cache.store import ScanCache
from ftscan.carriers import carrier_named
from ftscan.discovery import FileEntry, SkippedEntry
from ftscan.flow.facts import ModuleFacts
from ftscan.flow.phase import ServiceMap
from ftscan.languages import language_named
from ftscan.languages import names as language_names
from ftscan.models import Detection, Diagnostic, Role, Severity
from ftscan.pipeline.analysis import AnalysisContext
from ftscan.pipeline.examine import Examiner, FileFacts, Outcome, unread_large
from ftscan.search import ByteSearch
from ftscan.suppress import Markers
from ftscan.training.data import MARKERS as TRAINING_DATA_MARKERS

SEARCH_MIN_FILES = 200
"""Below this many files, starting a search engine costs more than reading them."""


def first_phase_words(context: AnalysisContext) -> tuple[bytes, ...]:
    """The words that make a file worth reading in the first phase: every byte test of
    :func:`ftscan.pipeline.examine.examine` starts with one of these."""
    words = {k.encode() for k in context.rules.keywords}
    for name in language_names():
        words.update(language_named(name).markers)
    words.update(TRAINING_DATA_MARKERS)
    return tuple(sorted(words))


class DefinitionsPass:
    """Runs the first phase over the walk's entries and keeps what it learns."""

    def __init__(self, context: AnalysisContext,
                 progress: Callable[[int, int, float], None] | None, started: float,
                 follow_aliases: bool, examiner: Examiner, cache: ScanCache | None = None,
                 search: ByteSearch | None = None, root: str = "") -> None:
        self.examiner = examiner
        self.search = search
        """The engine that says which files hold a word worth reading them for (``None``:
        every file is read)."""
        self.root = root
        self._holding: set[str] | None = None
        """The engine's answer for every file, when it was asked once for all of them."""
        self.cache = cache
        self.from_cache = 0
        self.follow_aliases = follow_aliases
        self.context = context
        self.progress = progress
        self.started = started
        self.findings: list[Detection] = []
        self.diagnostics: list[Diagnostic] = []
        self.skipped: Counter[str] = Counter()
        self.read = self.candidates = self.fallbacks = self.total = 0
        self.modules: dict[str, ModuleFacts] = {}
        self.lean: dict[str, frozenset[str]] = {}
        """Modules read for their strings alone → the names to look for before parsing them
        in full (see :class:`~ftscan.languages.LeanParse`)."""
        self.code_files: dict[str, list[str]] = {}
        """Language → the scan's files of that language."""
        self.carried_files: dict[str, list[str]] = {}
        """Carrier → the scan's files of that carrier (:mod:`ftscan.carriers`)."""
        self.env_names: set[str] = set()
        self.services = ServiceMap()
        self.relpaths: list[str] = []
        self.outside_env: dict[str, str] = {}
        """Variables files set from values outside the repository → where from (a workflow's
        secret named like a fine-tune)."""
        self.markers: dict[str, Markers] = {}
        """Inline suppressions of the files decoded in this phase."""
        self.contributing: set[str] = set()
        """Files that yielded anything (:attr:`Outcome.contributes`) or were left out: every
        other file yielded nothing."""

    def run(self, entries: list[FileEntry | SkippedEntry]) -> None:
        files = [e for e in entries if isinstance(e, FileEntry)]
        self.total = len(files)
        for entry in entries:
            if isinstance(entry, SkippedEntry):
                self._skip(entry, report=entry.reason not in (
                    "symlink", "special", "ftscan-report"))
        config_files: list[FileEntry] = []
        code_files: list[FileEntry] = []
        for entry in files:
            kind = entry.kind
            if kind.language is None:
                config_files.append(entry)
                if kind.carrier is not None:
                    self.carried_files.setdefault(kind.carrier, []).append(entry.relpath)
            else:
                code_files.append(entry)
                self.code_files.setdefault(kind.language, []).append(entry.relpath)
        if self.search is not None and (self.cache is None or self.cache.empty) \
                and len(files) >= SEARCH_MIN_FILES:
            # nothing is known yet: one search over every file instead of one per group
            self._holding = self._ask([e for e in files if not self._always_read(e)])
        for outcome in self._outcomes(config_files, frozenset()):
            self._record(outcome)
        self.env_names = {
            f.binding.name for f in self.findings
            if isinstance(f.binding, EnvVar) and f.role is not Role.MENTION
        } | set(self.outside_env)
        names = frozenset(self.env_names) if self.follow_aliases else frozenset()
        for outcome in self._outcomes(code_files, names):
            self._record(outcome)
        for entry in files:
            self.relpaths.append(entry.relpath)
            self.services.add_file(entry.relpath)

    def _outcomes(self, entries: list[FileEntry], env_names: frozenset[str]) -> list[Outcome]:
        """The outcomes of ``entries`` that contribute anything, in order: from the cache
        where it can answer, the rest examined (in the pool on large scans) and remembered.
        Files the cache knows yielded nothing are only counted."""
        cache, examiner = self.cache, self.examiner
        found: dict[int, Outcome] = {}
        if cache is None:
            chosen = self._worth_reading(entries, range(len(entries)), env_names, found)
            picked = [entries[i] for i in chosen]
            for i, facts in zip(chosen, examiner.run(picked, env_names,
                                                     chosen=self.search is not None),
                                strict=True):
                self._fresh(i, entries[i], facts, env_names, found)
            return [found[i] for i in sorted(found)]
        plain, hits, misses = cache.partition(entries)
        self._count_read(plain)
        self.from_cache += plain
        todo = dict(misses)
        kept = set(self._worth_reading(entries, sorted(todo), env_names, found))
        todo = {i: digest for i, digest in todo.items() if i in kept}
        untested: list[tuple[int, FileFacts]] = []
        for index, facts in hits:
            outcome = facts.outcome(env_names, self.follow_aliases)
            if outcome is None:  # a bound variable it was never searched for
                untested.append((index, facts))
            else:
                found[index] = outcome
                self.from_cache += outcome.skipped is None
        todo.update((i, None) for i in self._from_cache_with_new_names(
            entries, untested, env_names, found))
        order = sorted(todo)
        redo = []
        fresh = examiner.run([entries[i] for i in order], env_names, [todo[i] for i in order],
                             keep_digest=True, chosen=self.search is not None)
        touched: list[tuple[int, FileFacts]] = []
        for i, facts in zip(order, fresh, strict=True):
            if facts is not None and facts.unchanged:  # touched, not changed
                cached = cache.cached_facts(entries[i].relpath)
                outcome = (cached.outcome(env_names, self.follow_aliases)
                           if cached else None)
                if outcome is None:
                    if cached is None:
                        redo.append(i)
                    else:
                        touched.append((i, cached))
                    continue
                cache.keep(entries[i])
                self.from_cache += outcome.skipped is None
                found[i] = outcome
            else:
                self._fresh(i, entries[i], facts, env_names, found)
        redo += self._from_cache_with_new_names(entries, touched, env_names, found)
        redo.sort()
        again = examiner.run([entries[i] for i in redo], env_names, keep_digest=True)
        for i, facts in zip(redo, again, strict=True):
            self._fresh(i, entries[i], facts, env_names, found)
        return [found[i] for i in sorted(found)]

    def _from_cache_with_new_names(self, entries: list[FileEntry],
                                   untested: list[tuple[int, FileFacts]],
                                   env_names: frozenset[str], found: dict[int, Outcome],
                                   ) -> list[int]:
        """Cached files (their bytes unchanged) that read the environment, to be tested for
        variable names bound since they were examined (a commit adding a ``.env`` line): the
        search engine names those that hold one of the new names; the others hold none, which
        is all the test would find (a name counts only where its bytes occur), so their facts
        are completed and kept without reading them, and their outcomes noted in ``found``.
        Returns the indexes of the files to read again."""
        assert self.cache is not None
        holding: set[str] | None = None
        if self.search is not None and len(untested) >= SEARCH_MIN_FILES:
            holding = self._ask([entries[i] for i, _ in untested], sorted(
                {name.encode() for _, facts in untested
                 for name in env_names - facts.names_tested}))
        again = []
        for i, facts in untested:
            if holding is None or self._on_disk(entries[i]) in holding:
                again.append(i)
                continue
            facts = dataclasses.replace(facts, names_tested=facts.names_tested | env_names)
            outcome = facts.outcome(env_names, self.follow_aliases)
            if outcome is None:  # not a question of names (a module never parsed)
                again.append(i)
                continue
            self.cache.keep(entries[i])  # carried under its new signature if only touched
            self.cache.refresh(entries[i].relpath, facts)
            self.from_cache += outcome.skipped is None
            found[i] = outcome
        return again

    def _worth_reading(self, entries: list[FileEntry], indexes: Iterable[int],
                       env_names: frozenset[str], found: dict[int, Outcome]) -> list[int]:
        """Of ``indexes``, those of the entries to read and examine, in order: with a search
        engine, only files that hold a word the first phase looks for (a rule's keyword, a
        language's marker, a training-data field) and the files whose path alone makes them
        worth a look; the others yield nothing and are recorded so (:meth:`_fresh`), unread
        by Python."""
        wanted = list(indexes)
        if self.search is None or len(wanted) < SEARCH_MIN_FILES:
            return wanted
        asked = [i for i in wanted if not self._always_read(entries[i])]
        holding = self._holding if self._holding is not None else self._ask(
            [entries[i] for i in asked])
        passed = {i for i in asked if self._on_disk(entries[i]) not in holding}
        limit = self.context.max_file_size
        for i in sorted(passed):
            entry = entries[i]
            if limit is not None and entry.size > limit:  # binary ones are counted as such
                facts = unread_large(entry, self.context)
                if facts is None:
                    passed.discard(i)
                else:
                    self._fresh(i, entry, None if facts.plain else facts, env_names, found)
            else:
                self._fresh(i, entry, None, env_names, found)
        return [i for i in wanted if i not in passed]

    def _ask(self, entries: list[FileEntry], words: Sequence[bytes] | None = None) -> set[str]:
        """The search engine's answer for ``entries``: their paths (relative to the root, as
        on disk) that may hold one of ``words`` (by default, a word of the first phase)."""
        assert self.search is not None
        return self.search.containing(self.root, [self._on_disk(e) for e in entries],
                                      first_phase_words(self.context) if words is None
                                      else words, listed=True)

    def _on_disk(self, entry: FileEntry) -> str:
        """The entry's path relative to the root as it is on disk (how the search engine
        names files; ``relpath`` is its printable form)."""
        return entry.path[len(self.root.rstrip("/")) + 1:]

    def _always_read(self, entry: FileEntry) -> bool:
        """Files the first phase reads whatever words they hold: a carrier's that may set
        variables from outside the repository (a workflow's secrets)."""
        carrier = entry.kind.carrier
        return carrier is not None and carrier_named(carrier).outside

    def _fresh(self, index: int, entry: FileEntry, facts: FileFacts | None,
               env_names: frozenset[str], found: dict[int, Outcome]) -> None:
        """Remember what a file just examined yielded (with a cache); note its outcome, if it
        has one."""
        if self.cache is not None:
            self.cache.store(entry, facts)
        if facts is None:
            self._count_read()
        else:
            found[index] = (facts.outcome(env_names, follow=self.follow_aliases)
                            or Outcome(facts.relpath))

    def _count_read(self, files: int = 1) -> None:
        """Count files read; tell the progress callback every 200."""
        before, self.read = self.read, self.read + files
        if self.progress is not None and self.read // 200 > before // 200:
            self.progress(self.read - self.read % 200, self.total,
                          time.monotonic() - self.started)

    def _skip(self, entry: SkippedEntry, report: bool) -> None:
        self.contributing.add(entry.relpath)
        self.skipped[entry.reason] += 1
        if report:
            severity = {"too-large": Severity.INFO, "failed": Severity.ERROR,
                        "unsearched": Severity.ERROR}.get(
                entry.reason, Severity.WARNING)
            self.diagnostics.append(Diagnostic(entry.relpath, f"skipped: {entry.detail}",
                                               severity))

    def _record(self, outcome: Outcome) -> None:
        skipped = outcome.skipped
        if skipped is not None:
            self._skip(skipped, report=skipped.reason != "binary")
            return
        self._count_read()
        if outcome.contributes:
            self.contributing.add(outcome.relpath)
        for var, source in outcome.outside_env:
            self.outside_env.setdefault(var, source)
        for problem in outcome.problems:
            self.diagnostics.append(Diagnostic(outcome.relpath, problem, Severity.WARNING))
        if outcome.analysis is not None or outcome.module is not None:
            self.markers[outcome.relpath] = outcome.markers
        if outcome.module is not None:
            self.modules[outcome.relpath] = outcome.module
        analysis = outcome.analysis
        if analysis is not None:
            self.candidates += 1
            self.findings.extend(analysis.findings)
            self.diagnostics.extend(analysis.diagnostics)
            self.fallbacks += analysis.fell_back
            if analysis.module is not None:
                self.modules[outcome.relpath] = analysis.module
            elif analysis.lean_names is not None:
                self.lean[outcome.relpath] = analysis.lean_names
