"""One file, from bytes on disk to what the first phase learns from it — in this process or in
a worker of a process pool.

:func:`examine` is pure: it reads the file, applies the prefilter and, for a candidate, runs the
analysis; for a Python file that may read a bound environment variable, it collects the
module's names. Its :class:`Outcome` is small and picklable, so large scans spread files over
the cores (:func:`examine_all`) and collect outcomes in order.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat

from ftscan.aliases.pyfacts import ModuleFacts, shifted
from ftscan.analysis import AnalysisContext, FileAnalysis, analyse_text
from ftscan.discovery import FileEntry, SkippedEntry
from ftscan.filekinds import classify
from ftscan.ownreports import is_own_report
from ftscan.parsers import ParseFailure
from ftscan.parsers.notebook import parse_notebook
from ftscan.parsers.python import parse_python

BINARY_SNIFF_BYTES = 8000
POOL_MIN_FILES = 2000
"""Below this many files a process pool costs more than it saves."""
_SETTINGS_CLASS = re.compile(rb"class\s+\w+\s*\([^)]*BaseSettings")


@dataclass(frozen=True)
class Outcome:
    """What one file contributed."""

    relpath: str
    skipped: SkippedEntry | None = None
    """Set when the file could not be read (or is binary, or one of ftscan's own reports)."""
    analysis: FileAnalysis | None = None
    """Set for a candidate file."""
    module: ModuleFacts | None = None
    """Names of a Python file kept only for the alias phase."""
    problems: tuple[str, ...] = ()
    """Diagnostics without a line (bad UTF-8, a module whose names cannot be followed)."""


def read_bytes(entry: FileEntry) -> bytes | SkippedEntry:
    """A file's bytes, or why it is skipped (unreadable, binary)."""
    try:
        with open(entry.path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return SkippedEntry(entry.relpath, "unreadable", f"cannot read: {exc.strerror or exc}")
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        return SkippedEntry(entry.relpath, "binary", "binary file (NUL bytes)")
    return data


def decode(data: bytes) -> tuple[str, str | None]:
    """Text, and a problem to report when the bytes are not valid UTF-8."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return (
            data.decode("utf-8", errors="replace"),
            f"not valid UTF-8 (first bad byte at offset {exc.start}); "
            "read with the bad bytes replaced",
        )


def may_read_env(data: bytes, env_names: Sequence[bytes]) -> bool:
    """Could this Python file read one of the bound environment variables? It must name one
    and read the environment, or declare pydantic settings (whose fields read variables named
    after them, with a prefix the file may not spell out). Cheap tests only."""
    if b"BaseSettings" in data and _SETTINGS_CLASS.search(data):
        return True
    if b"environ" not in data and b"getenv" not in data:
        return False
    return any(name in data for name in env_names)


def parse_module_facts(relpath: str, text: str) -> ModuleFacts | str:
    """Python or notebook facts for the alias phase, or why they could not be read."""
    parser = parse_notebook if relpath.endswith(".ipynb") else parse_python
    shift = 1 if text.startswith("\ufeff") else 0
    try:
        parsed = parser(text[shift:])
    except ParseFailure as exc:
        return exc.message + (f" (line {exc.line})" if exc.line else "")
    except Exception as exc:  # a parser bug must not cost the rest of the scan
        return f"the Python parser failed ({type(exc).__name__}: {exc})"
    if parsed.module is None:
        return "no Python code"
    if shift:
        return shifted(parsed.module, lambda offset: offset + shift)
    return parsed.module


def examine(entry: FileEntry, context: AnalysisContext, env_names: Sequence[bytes] = ()
            ) -> Outcome:
    """Everything the first phase learns from one file."""
    data = read_bytes(entry)
    if isinstance(data, SkippedEntry):
        return Outcome(entry.relpath, skipped=data)
    candidate = context.rules.is_candidate(data)
    if not candidate and not (env_names and may_read_env(data, env_names)):
        return Outcome(entry.relpath)
    if candidate and is_own_report(data):
        return Outcome(entry.relpath, skipped=SkippedEntry(entry.relpath, "ftscan-report"))
    text, problem = decode(data)
    problems = (problem,) if problem else ()
    if not candidate:  # only its names matter: collect them, report nothing yet
        facts = parse_module_facts(entry.relpath, text)
        if isinstance(facts, ModuleFacts):
            return Outcome(entry.relpath, module=facts, problems=problems)
        return Outcome(entry.relpath,
                       problems=(*problems, f"{facts}; names bound in it are not followed"))
    analysis = analyse_text(entry.relpath, text, classify(entry.relpath), context)
    return Outcome(entry.relpath, analysis=analysis, problems=problems)


# --------------------------------------------------------------------------- the pool

_worker_context: AnalysisContext | None = None


def _init_worker(context: AnalysisContext) -> None:
    global _worker_context
    _worker_context = context


def _examine_in_worker(entry: FileEntry, env_names: Sequence[bytes]) -> Outcome:
    assert _worker_context is not None
    return examine(entry, _worker_context, env_names)


def default_jobs(files: int) -> int:
    """Workers for ``files`` files: one per core for large scans, none for small ones."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    return cores if files >= POOL_MIN_FILES and cores > 1 else 1


class Examiner:
    """Examines batches of files, in a process pool when ``jobs`` > 1 (started lazily, shut
    down on exit)."""

    def __init__(self, context: AnalysisContext, jobs: int) -> None:
        self.context = context
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Examiner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def run(self, entries: Sequence[FileEntry], env_names: Sequence[bytes] = (),
            ) -> Iterator[Outcome]:
        """Outcomes in the order of ``entries``."""
        if self.jobs <= 1 or len(entries) < 64:
            return (examine(e, self.context, env_names) for e in entries)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_init_worker,
                                             initargs=(self.context,))
        chunk = max(16, min(512, len(entries) // (self.jobs * 8) or 1))
        return self._pool.map(_examine_in_worker, entries, repeat(tuple(env_names)),
                              chunksize=chunk)
