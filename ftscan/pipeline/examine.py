"""One file, from bytes on disk to what the first phase learns from it — in this process or in
a worker of a process pool.

:func:`examine` is pure: it reads the file, applies the prefilter and, for a candidate, runs the
analysis; for a file of code that may read a bound environment variable, it collects the
module's facts (its language plug-in, :mod:`ftscan.languages`, says which files are its own and
parses them). Its :class:`FileFacts` depend on the bytes alone (so the scan cache can keep
them) and are small and picklable, so large scans spread files over the cores
(:class:`Examiner`) and collect them in order; :meth:`FileFacts.outcome` then says what the file
contributes to a scan. :func:`names_in` answers the alias phase's search the same way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, TypeVar

from ftscan.budget import OverBudget, time_budget
from ftscan.carriers import OutsideEnv, carrier_named
from ftscan.collector import set_for_scanning
from ftscan.cores import available_cores
from ftscan.discovery import FileEntry, SkippedEntry
from ftscan.filekinds import FileKind
from ftscan.fingerprint import line_hashes
from ftscan.flow.facts import ModuleFacts, shifted
from ftscan.languages import NameQuery, language_named
from ftscan.models import Diagnostic, Severity
from ftscan.parsers import ParseFailure
from ftscan.pipeline import reading
from ftscan.pipeline.analysis import AnalysisContext, FileAnalysis, analyse_text
from ftscan.pipeline.reading import (
    BINARY_SNIFF_BYTES,
    OPEN_FLAGS,
    as_text,
    binary,
    decode,
    text_encoding,
)
from ftscan.reporters import is_own_report
from ftscan.search.words import holds_any
from ftscan.suppress import Markers
from ftscan.suppress import markers as suppression_markers
from ftscan.training.data import HEAD_BYTES, may_be_training_data
from ftscan.training.findings import data_detection

if TYPE_CHECKING:  # imported when a pool starts: multiprocessing costs a cached scan 25 ms
    from concurrent.futures import ProcessPoolExecutor

_R = TypeVar("_R")
_CRASHED = "a parser crashed on this file (the process reading it died); please report this"
POOL_MIN_FILES = 2000
"""Below this many files a process pool costs more than it saves."""
POOL_MIN_CHOSEN = 200
"""... unless a search engine chose them: each holds a word worth examining it for, and a
few large modules to parse are enough to keep two cores busy."""


@dataclass(frozen=True)
class Outcome:
    """What one file contributed to this scan."""

    relpath: str
    skipped: SkippedEntry | None = None
    """Set when the file could not be read (or is binary)."""
    analysis: FileAnalysis | None = None
    """Set for a candidate file."""
    module: ModuleFacts | None = None
    """Names of a Python file kept only for the alias phase."""
    problems: tuple[str, ...] = ()
    """Diagnostics without a line (bad UTF-8, a module whose names cannot be followed)."""
    markers: Markers = ()
    """Inline suppressions in the file (collected while its text was in hand)."""
    outside_env: OutsideEnv = ()
    """Variables the file sets from values outside the repository (a carrier's
    :meth:`~ftscan.carriers.Carrier.outside_env`: a workflow's secrets)."""

    @property
    def contributes(self) -> bool:
        """Does the file give the scan anything (a candidate, a module, a problem), or is it
        left out? Most files read give nothing."""
        return bool(self.skipped or self.analysis or self.module or self.problems
                    or self.markers or self.outside_env)


@dataclass(frozen=True)
class FileFacts:
    """What a file's bytes say on their own, whatever else the repository holds.

    This is what the cache keeps for a file (with its content digest): :meth:`outcome` turns
    it into the file's :class:`Outcome` for a scan, given the environment variables that scan
    found bound to model ids and the date it reports for."""

    relpath: str
    digest: bytes = b""
    """The first 16 bytes of the content's SHA-256, for a file that was parsed and a cache is
    kept (empty otherwise: examining any other file again costs no more than hashing it)."""
    skipped: SkippedEntry | None = None
    analysis: FileAnalysis | None = None
    """Set for a candidate file."""
    decode_problem: str | None = None
    reads_env: bool = False
    """A file of code that may read an environment variable (``environ``, ``process.env``)."""
    settings: bool = False
    """A file of code whose facts matter whenever the scan binds a variable: it declares
    pydantic settings (whose fields read variables named after them)."""
    outside: bool = False
    """A file of code whose facts matter whatever the scan found: it reads an env var named
    like a fine-tune or a fine-tuning job's result (values set outside the repository)."""
    names_tested: frozenset[str] = frozenset()
    """The bound environment variable names looked for in the file ..."""
    names_found: frozenset[str] = frozenset()
    """... and those it holds."""
    module: ModuleFacts | str | None = None
    """For a file of code that is no candidate but may read a bound variable: its names, or
    why they could not be collected; ``None`` when it was not parsed."""
    unchanged: bool = False
    """The content is the one the cache already knows (only its stat signature changed)."""
    markers: Markers = ()
    """Inline suppressions (``ftscan: ignore[...]``) in a file that was decoded."""
    outside_env: OutsideEnv = ()
    """Variables the file sets from values outside the repository (its carrier's
    :meth:`~ftscan.carriers.Carrier.outside_env`)."""

    @property
    def plain(self) -> bool:
        """Did the file yield nothing at all (the common case: no candidate, no env reads)?"""
        return (self.analysis is None and self.skipped is None and self.module is None
                and not self.reads_env and not self.settings and not self.outside
                and self.decode_problem is None
                and not self.unchanged and not self.outside_env)

    def outcome(self, env_names: frozenset[str], follow: bool = True) -> Outcome | None:
        """The file's :class:`Outcome` (the same whether the facts are fresh or from the
        cache: they hold no verdict); ``None`` when the bytes must be examined again (a bound
        variable name they were never searched for, or names never collected). ``follow``:
        names are followed in this scan (``--no-aliases`` turns it off)."""
        if self.skipped is not None:
            return Outcome(self.relpath, skipped=self.skipped)
        problems = (self.decode_problem,) if self.decode_problem else ()
        if self.analysis is not None:
            return Outcome(self.relpath, analysis=self.analysis, problems=problems,
                           markers=self.markers, outside_env=self.outside_env)
        if not follow or not (self.outside or self.settings or self.reads_env):
            return Outcome(self.relpath, outside_env=self.outside_env)
        if not self.outside and not env_names:
            return Outcome(self.relpath)
        if not self.outside and not (self.settings and self._settings_matter()):
            if not env_names <= self.names_tested:
                return None
            if self.names_found.isdisjoint(env_names):
                return Outcome(self.relpath)
        if self.module is None:
            return None
        if isinstance(self.module, str):
            return Outcome(self.relpath, problems=(
                *problems, f"{self.module}; names bound in it are not followed"),
                markers=self.markers)
        return Outcome(self.relpath, module=self.module, problems=problems,
                       markers=self.markers)

    def _settings_matter(self) -> bool:
        """Do the facts of a file whose bytes looked like settings or an env wrapper show
        something that matters whenever the scan binds a variable (the language decides, once
        they are parsed)?"""
        module = self.module
        if not isinstance(module, ModuleFacts):
            return True
        check = getattr(language_named(module.language), "settings_matter", None)
        return check is None or bool(check(module))


def content_digest(data: bytes) -> bytes:
    """The cache's key for a file's content."""
    return hashlib.sha256(data).digest()[:16]


def parse_module_facts(relpath: str, text: str, kind: FileKind) -> ModuleFacts | str:
    """The facts of a file of code for the alias phase, or why they could not be read."""
    if kind.language is None:
        return "not a file of any language ftscan follows names in"
    language = language_named(kind.language)
    shift = 1 if text.startswith("\ufeff") else 0
    try:
        parsed = language.parse(relpath, text[shift:])
    except ParseFailure as exc:
        return exc.message + (f" (line {exc.line})" if exc.line else "")
    except Exception as exc:  # a parser bug must not cost the rest of the scan
        return f"the {language.title} parser failed ({type(exc).__name__}: {exc})"
    if parsed.module is None:
        return f"no {language.title} code"
    if shift:
        return shifted(parsed.module, lambda offset: offset + shift)
    return parsed.module


def examine(entry: FileEntry, context: AnalysisContext, env_names: frozenset[str] = frozenset(),
            known_digest: bytes | None = None, keep_digest: bool = False) -> FileFacts:
    """Everything the first phase learns from one file's bytes.

    A file of code that is no candidate is parsed for its names only when it may read one of
    ``env_names`` (it names the variable and reads the environment) or its language says its
    facts always matter (pydantic settings, whose fields read variables named after them with
    a prefix the file may not spell out). With ``known_digest``, content the cache already
    knows is not examined again.
    """
    relpath = entry.relpath
    data = reading.read_bytes(entry, binary_ok=True, max_size=context.max_file_size)
    if isinstance(data, SkippedEntry):
        if data.reason == "too-large":
            return _large(entry, context, data)
        return FileFacts(relpath, skipped=data)
    digest = content_digest(data) if known_digest else b""
    if known_digest is not None and digest == known_digest:
        return FileFacts(relpath, digest, unchanged=True)
    readable = as_text(data)
    if readable is None:
        return FileFacts(relpath, skipped=binary(relpath))
    raw, (data, note) = data, readable
    try:
        facts = _examine_text(entry, data, raw, note, digest, context, env_names,
                              keep_digest)
    except OverBudget as exc:
        return _given_up(entry, context, exc)
    if may_be_training_data(relpath, data[:HEAD_BYTES]):
        facts = _with_training_data(facts, relpath, data, context, hash_of_line_one=lambda: (
            line_hashes(decode(data)[0], wanted={1}).get(1)))
    return facts


def _with_training_data(facts: FileFacts, relpath: str, data: bytes,
                        context: AnalysisContext, examples: int | None = None,
                        hash_of_line_one: Callable[[], str | None] | None = None) -> FileFacts:
    """``facts`` with a training-data detection when the file's records are in a fine-tuning
    format (:mod:`ftscan.training.data`), on line 1 (with its line hash when
    ``hash_of_line_one`` gives it; a file read in pieces gets it with its other findings)."""
    try:
        found = data_detection(relpath, data, context.rules, examples)
    except (ValueError, RecursionError, MemoryError):
        return facts
    if found is None or facts.skipped is not None:
        return facts
    finding, malformed = found
    if hash_of_line_one is not None:
        finding = dataclasses.replace(finding, line_hash=hash_of_line_one())
    analysis = facts.analysis or FileAnalysis()
    problems = [Diagnostic(relpath, "not valid JSON in a file of training data; the line is "
                           "not counted as a record", Severity.WARNING, line)
                for line in malformed]
    return dataclasses.replace(facts, analysis=dataclasses.replace(
        analysis, findings=[finding, *analysis.findings],
        diagnostics=[*analysis.diagnostics, *problems]))


def _examine_text(entry: FileEntry, data: bytes, raw: bytes, note: str | None, digest: bytes,
                  context: AnalysisContext, env_names: frozenset[str],
                  keep_digest: bool) -> FileFacts:
    """:func:`examine` for a file read and readable as text."""
    relpath, kind = entry.relpath, entry.kind
    facts = FileFacts(relpath)
    carrier = carrier_named(kind.carrier) if kind.carrier is not None else None
    if carrier is not None and carrier.outside:
        facts = FileFacts(relpath, outside_env=carrier.outside_env(data))
    language = language_named(kind.language) if kind.language is not None else None
    # one pass over the bytes tells whether there is anything to look at (most files: no)
    if not context.rules.might_match(data, language.markers if language else ()):
        return facts
    if language is not None:
        reads_env, settings, outside = language.interest(data)
        if reads_env or settings or outside:
            tested = env_names if reads_env else frozenset()
            facts = FileFacts(relpath, reads_env=reads_env, settings=settings, outside=outside,
                              names_tested=tested,
                              names_found=names_held(tested, data))
    candidate = context.rules.is_candidate(data)
    if candidate:
        kind = kind_told_by(kind, data)
    wants_module = context.follow_names and (facts.outside or bool(env_names) and (
        facts.settings or bool(facts.names_found)))
    if not candidate and not wants_module:
        return facts
    # from here on the file is parsed: worth a digest, so that a touched file whose content
    # did not change is not parsed again (any other file costs less to examine than to hash)
    if keep_digest:
        facts = dataclasses.replace(facts, digest=digest or content_digest(raw))
    try:
        with time_budget(context.file_budget):
            text, problem = decode(data)
            problem = note or problem
            facts = dataclasses.replace(facts, markers=suppression_markers(text))
            if not candidate:  # only its names matter: collect them, report nothing yet
                return dataclasses.replace(facts, decode_problem=problem,
                                           module=parse_module_facts(relpath, text, kind))
            # its facts are needed up front when it reads a variable the scan binds,
            # declares settings or reads a job's result; else its strings may do (LeanParse)
            lean = not context.follow_names or not (
                facts.settings or facts.outside or facts.names_found)
            analysis = analyse_text(relpath, text, kind, context, lean=lean)
    except Exception as exc:  # a bug ftscan has with this file must not cost the scan
        return FileFacts(relpath, skipped=SkippedEntry(
            relpath, "failed", f"ftscan failed on this file ({type(exc).__name__}: {exc}); "
            "please report this"))
    return dataclasses.replace(facts, decode_problem=problem, analysis=analysis)


def kind_told_by(kind: FileKind, data: bytes) -> FileKind:
    """The kind of a candidate file (or past blob), told by its bytes too: one of ftscan's own
    reports where its name allows one, an env file its name does not tell."""
    if kind.may_be_report and is_own_report(data):
        return kind.as_report()
    return kind.with_content(data)


def _given_up(entry: FileEntry, context: AnalysisContext, exc: OverBudget) -> FileFacts:
    """A file whose analysis outlasted its budget must not hide its ids (a table of decoys
    and one new id, say): its bytes are searched for ids alone, without a parser
    (:mod:`ftscan.pipeline.largefile`), within a budget of their own. A file that outlasts that too
    is unsearched (:func:`_unsearched`)."""
    from ftscan.pipeline.largefile import GIVEN_UP, BinaryFile, scan_large, with_line_hashes

    try:
        with time_budget(context.file_budget):
            analysis = scan_large(entry, context, GIVEN_UP)
    except BinaryFile:
        return FileFacts(entry.relpath, skipped=binary(entry.relpath))
    except OverBudget as again:
        return _unsearched(entry, f"{exc} on its analysis, and {again} more searching its "
                                  "bytes for ids")
    except OSError as error:
        return FileFacts(entry.relpath, skipped=SkippedEntry(
            entry.relpath, "unreadable", f"cannot read: {error.strerror or error}"))
    if analysis is None:  # no longer a regular file, or past the streaming limit
        return _unsearched(entry, str(exc))
    analysis.findings = with_line_hashes(entry, analysis.findings, context.file_budget)
    return FileFacts(entry.relpath, analysis=analysis, decode_problem=(
        f"{exc} on its analysis; its bytes were searched for ids alone, without a parser "
        "(names bound in it are not followed)"))


def _unsearched(entry: FileEntry, why: str) -> FileFacts:
    """A file whose ids could not all be searched for: an error that fails the run at any
    fail level, since the ids in it could be at any level."""
    return FileFacts(entry.relpath, skipped=SkippedEntry(
        entry.relpath, "unsearched", f"{why}: ids in it may go unreported, so the run fails"))


def _large(entry: FileEntry, context: AnalysisContext, skipped: SkippedEntry) -> FileFacts:
    """A file over the size limit, read in pieces for ids only
    (:mod:`ftscan.pipeline.largefile`)."""
    from ftscan.pipeline.largefile import BinaryFile, scan_large, with_line_hashes

    try:
        with time_budget(context.file_budget):
            analysis = scan_large(entry, context)
    except BinaryFile:
        return FileFacts(entry.relpath, skipped=binary(entry.relpath))
    except OverBudget as exc:  # what it ran out on is the search for ids itself
        return _unsearched(entry, f"{exc} searching its bytes for ids")
    except OSError as exc:
        return FileFacts(entry.relpath, skipped=SkippedEntry(
            entry.relpath, "unreadable", f"cannot read: {exc.strerror or exc}"))
    if analysis is None:
        return FileFacts(entry.relpath, skipped=skipped)
    note = (f"{skipped.detail}: read in pieces for ids only, without a parser"
            if analysis.findings else None)
    facts = FileFacts(entry.relpath, analysis=analysis if analysis.findings else None,
                      decode_problem=note)
    head = _head(entry.path)
    if may_be_training_data(entry.relpath, head):
        from ftscan.training.data import count_lines, is_jsonl

        if is_jsonl(entry.relpath):
            try:
                examples = count_lines(entry.path)
            except OSError:
                return facts
            facts = _with_training_data(facts, entry.relpath, head, context, examples)
    if facts.analysis is not None:
        facts.analysis.findings = with_line_hashes(entry, facts.analysis.findings,
                                                   context.file_budget)
    return facts


def unread_large(entry: FileEntry, context: AnalysisContext) -> FileFacts | None:
    """What :func:`examine` yields for a file over the size limit that holds none of the first
    phase's words (a search engine looked): skipped as binary, or nothing (its pieces would
    hold no id), told from its first bytes alone. ``None`` when the file is not what the walk
    saw (gone, no longer over the limit, not a regular file): :func:`examine` must look."""
    limit = context.max_file_size
    try:
        fd = os.open(entry.path, OPEN_FLAGS)
        try:
            info = os.fstat(fd)
            if not S_ISREG(info.st_mode) or limit is None or info.st_size <= limit:
                return None
            head = os.read(fd, BINARY_SNIFF_BYTES)
        finally:
            os.close(fd)
    except OSError:
        return None
    if text_encoding(head) is None:
        return FileFacts(entry.relpath, skipped=binary(entry.relpath))
    return FileFacts(entry.relpath)


def _head(path: str) -> bytes:
    """The first bytes of a regular file (opened without blocking, like every read here)."""
    try:
        fd = os.open(path, OPEN_FLAGS)
    except OSError:
        return b""
    try:
        return os.read(fd, HEAD_BYTES) if S_ISREG(os.fstat(fd).st_mode) else b""
    except OSError:
        return b""
    finally:
        os.close(fd)


def module_of(entry: FileEntry, max_size: int, budget: float | None = None,
              ) -> ModuleFacts | str:
    """A file's facts for the alias phase (parsed within ``budget`` seconds), or why they
    could not be read."""
    data = reading.read_bytes(entry, max_size=max_size)
    if isinstance(data, SkippedEntry):
        return data.detail
    try:
        with time_budget(budget):
            return parse_module_facts(entry.relpath, decode(data)[0], entry.kind)
    except OverBudget as exc:
        return f"{exc} parsing it"


def names_in(entry: FileEntry, queries: tuple[NameQuery, ...], max_size: int | None = None,
             budget: float | None = None) -> tuple[bool, ...] | None:
    """Which of ``queries`` the file names (the alias phase's search); ``None`` when it cannot
    be read or is over ``max_size``. One pass over the bytes finds whether any of the names
    occurs at all (most files hold none); only then is each query answered in full, within
    ``budget`` seconds: a file that takes longer is taken to name them all (its parse, which
    has limits of its own, then decides)."""
    data = reading.read_bytes(entry, max_size=max_size)
    if isinstance(data, SkippedEntry):
        return None
    if not holds_any(frozenset(name for name, _, _ in queries), data):
        return (False,) * len(queries)
    try:
        with time_budget(budget):
            text = decode(data)[0]
            return tuple(language_named(query[2]).mentions(text, query) for query in queries)
    except OverBudget:
        return (True,) * len(queries)


def import_words_in(entry: FileEntry, max_size: int | None = None,
                    budget: float | None = None) -> frozenset[str] | None:
    """The words of the file's import lines (its language's
    :meth:`~ftscan.languages.Language.import_words`), read within ``budget`` seconds; ``None``
    when they cannot be told (the file cannot be read, is over ``max_size``, or outlasts the
    budget): it may then import anything."""
    name = entry.kind.language
    data = reading.read_bytes(entry, max_size=max_size)
    if name is None or isinstance(data, SkippedEntry):
        return None
    try:
        with time_budget(budget):
            return language_named(name).import_words(decode(data)[0])
    except OverBudget:
        return None


def names_held(names: frozenset[str], data: bytes) -> frozenset[str]:
    """Those of ``names`` whose bytes ``data`` holds. Most files hold none, which one pass
    over the bytes tells (:func:`holds_any`); only a file holding one is searched for each:
    searching every file for every name costs the names times the bytes (a scan binding
    hundreds of variables, over thousands of files that read the environment)."""
    if "" not in names and not holds_any(names, data):
        return frozenset()
    return frozenset(name for name in names if name.encode() in data)


# --------------------------------------------------------------------------- the pool

_worker_context: AnalysisContext | None = None


def _init_worker(context: AnalysisContext) -> None:
    global _worker_context
    _worker_context = context
    set_for_scanning()


def _examine_in_worker(entry: FileEntry, env_names: frozenset[str], known: bytes | None,
                       keep_digest: bool) -> FileFacts | None:
    assert _worker_context is not None
    facts = examine(entry, _worker_context, env_names, known, keep_digest)
    return None if facts.plain else facts  # most files: one byte back, not a dataclass


def default_jobs(files: int, chosen: bool = False) -> int:
    """Workers for ``files`` files: one per core for large batches, none for small ones.
    ``chosen``: a search engine picked the files (each is likely to be parsed)."""
    return available_cores() if files >= (POOL_MIN_CHOSEN if chosen else POOL_MIN_FILES) else 1


class Examiner:
    """Examines batches of files, in a process pool for large batches (started on first use,
    kept for the scan's later batches, shut down on exit). ``jobs`` fixes the number of
    workers; ``None`` lets each batch's size decide (:func:`default_jobs`)."""

    def __init__(self, context: AnalysisContext, jobs: int | None = None) -> None:
        self.context = context
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Examiner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def run(self, entries: Sequence[FileEntry], env_names: frozenset[str] = frozenset(),
            known: Sequence[bytes | None] | None = None, keep_digest: bool = False,
            chosen: bool = False) -> Iterator[FileFacts | None]:
        """Facts in the order of ``entries``, ``None`` for a file that yielded nothing
        (:attr:`FileFacts.plain`); ``known`` holds the digest the cache has for each entry
        (or ``None``); ``chosen``: a search engine picked the entries (:func:`default_jobs`)."""
        knowns = known if known is not None else [None] * len(entries)
        pool = self._pool_for(len(entries), chosen)
        if pool is None:
            return (None if (f := examine(e, self.context, env_names, k, keep_digest)).plain
                    else f for e, k in zip(entries, knowns, strict=True))
        calls = [(e, env_names, k, keep_digest) for e, k in zip(entries, knowns, strict=True)]
        return self._map(_examine_in_worker, calls, lambda call: FileFacts(
            call[0].relpath, skipped=SkippedEntry(call[0].relpath, "failed", _CRASHED)),
            chosen)

    def modules(self, entries: Sequence[FileEntry], max_size: int,
                ) -> Iterator[ModuleFacts | str]:
        """:func:`module_of` for each entry, in order: in the pool when one is running
        already (its workers have the parsers loaded), else here."""
        budget = self.context.file_budget
        if self._pool is None or len(entries) < 2:
            return (module_of(e, max_size, budget) for e in entries)
        # each module is a parse: spread them one by one over the workers
        return self._map(module_of, [(e, max_size, budget) for e in entries],
                         lambda call: "the parser crashed on this file", chosen=True)

    def names(self, entries: Sequence[FileEntry], queries: tuple[NameQuery, ...],
              ) -> Iterator[tuple[bool, ...] | None]:
        """:func:`names_in` for each entry, in order."""
        limits = (self.context.max_file_size, self.context.file_budget)
        pool = self._pool_for(len(entries))
        if pool is None:
            return (names_in(e, queries, *limits) for e in entries)
        return self._map(names_in, [(e, queries, *limits) for e in entries], lambda call: None)

    def import_words(self, entries: Sequence[FileEntry]) -> Iterator[frozenset[str] | None]:
        """:func:`import_words_in` for each entry, in order."""
        limits = (self.context.max_file_size, self.context.file_budget)
        pool = self._pool_for(len(entries))
        if pool is None:
            return (import_words_in(e, *limits) for e in entries)
        return self._map(import_words_in, [(e, *limits) for e in entries], lambda call: None)

    def _map(self, function: Callable[..., _R], calls: list[tuple[Any, ...]],
             crashed: Callable[[tuple[Any, ...]], _R], chosen: bool = False) -> Iterator[_R]:
        """``function(*call)`` for each call in the pool, in order. A worker that dies (a
        native parser crashing on one file) does not lose the scan: the calls without an
        answer run again one by one in a new pool, and the one that kills a worker again gets
        ``crashed(call)`` for its answer."""
        from concurrent.futures.process import BrokenProcessPool

        assert self._pool is not None
        done = 0
        try:
            for answer in self._pool.map(function, *zip(*calls, strict=True),
                                         chunksize=self._chunk(len(calls), chosen)):
                yield answer
                done += 1
        except BrokenProcessPool:
            self._pool = None
            for call in calls[done:]:
                pool = self._pool_for(2 ** 31)
                assert pool is not None
                try:
                    yield pool.submit(function, *call).result()
                except BrokenProcessPool:
                    self._pool = None
                    yield crashed(call)

    def _pool_for(self, batch: int, chosen: bool = False) -> ProcessPoolExecutor | None:
        workers = self.jobs if self.jobs is not None else default_jobs(batch, chosen)
        if workers <= 1 or batch < 64:
            return None
        if self._pool is not None and getattr(self._pool, "_broken", False):
            self._pool = None
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                             initargs=(self.context,))
        return self._pool

    def _chunk(self, batch: int, chosen: bool = False) -> int:
        """Calls per task: large for plain files (fewer round trips); small for files a
        search engine chose, so that the few large modules among them spread over the
        workers instead of landing in one task."""
        workers = self.jobs or available_cores()
        if chosen:
            return max(1, min(16, batch // (workers * 16) or 1))
        return max(16, min(512, batch // (workers * 8) or 1))
