"""ftscan's library API: ``scan(ScanOptions(...)) -> ScanResult``. The CLI is a thin layer on it.

A scan walks the files under the given paths, reads each once as bytes, skips binary files and
files without any rule keyword (they are never decoded or parsed), and analyses the rest.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ftscan.analysis import AnalysisContext, analyse_text
from ftscan.config import DEFAULT_MAX_FILE_SIZE, Config, ConfigError, discover, load_config
from ftscan.discovery import FileEntry, IgnoreRules, SkippedEntry, find_root, walk
from ftscan.filekinds import classify
from ftscan.lifecycle import LifecycleTable, load_lifecycle
from ftscan.models import Diagnostic, Finding, Level, Severity
from ftscan.ownreports import is_own_report
from ftscan.ruleset import RuleSet, load_rules

_T = TypeVar("_T")
BINARY_SNIFF_BYTES = 8000
DEFAULT_FAIL_ON = "warning"


class ScanError(Exception):
    """The scan cannot start: a path that does not exist, say. Exit code 2."""


@dataclass(frozen=True)
class ScanOptions:
    """What to scan and how. ``None`` means: take it from the config file, else the default."""

    paths: tuple[Path, ...] = (Path("."),)
    as_of: dt.date | None = None
    """The date lifecycle verdicts are computed for; today when ``None``."""
    config_file: Path | None = None
    """An explicit config file; otherwise one is discovered upward from the first path."""
    use_ignore_files: bool = True
    max_file_size: int | None = None
    warning_window_days: int | None = None
    fail_on: str | None = None
    extra_rule_files: tuple[Path, ...] = ()
    progress: Callable[[int, float], None] | None = field(default=None, compare=False)
    """Called now and then with (files done, seconds elapsed)."""


@dataclass(frozen=True)
class ScanSummary:
    """Counts that tell what a scan covered and what it could not."""

    files_considered: int
    """Files the walk found (after ignore rules), read or not."""
    files_read: int
    files_with_candidates: int
    """Files holding a rule keyword: the only ones decoded and parsed."""
    skipped: dict[str, int]
    """Files not read, by reason (too-large, binary, broken-symlink, ...)."""
    parse_fallbacks: int
    """Files their parser rejected, read by the text pass instead."""
    findings_by_level: dict[str, int]
    findings_by_role: dict[str, int]
    duration_seconds: float


@dataclass(frozen=True)
class ScanResult:
    """Everything a reporter needs."""

    root: Path
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...]
    summary: ScanSummary
    rules: RuleSet
    lifecycle: LifecycleTable
    as_of: dt.date
    fail_on: str
    config: Config

    def failed(self) -> bool:
        """Is any finding at or above the fail level?"""
        if self.fail_on == "never":
            return False
        threshold = Level.parse(self.fail_on)
        return any(f.level >= threshold for f in self.findings)


def scan(options: ScanOptions) -> ScanResult:
    """Run a scan. Raises ``ScanError``, ``ConfigError`` or ``RuleError`` when it cannot start."""
    started = time.monotonic()
    paths = tuple(Path(p) for p in options.paths) or (Path("."),)
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise ScanError(f"path does not exist: {path}")
    absolute = [Path(p).absolute() for p in paths]
    root = _common_root(absolute)
    config = _config(options, absolute[0], root)
    rules = load_rules([*config.rules, *options.extra_rule_files])
    lifecycle = load_lifecycle()
    window = _first(options.warning_window_days, config.warning_window_days,
                    lifecycle.warning_window_days)
    max_size = _first(options.max_file_size, config.max_file_size, DEFAULT_MAX_FILE_SIZE)
    fail_on = _first(options.fail_on, config.fail_on, DEFAULT_FAIL_ON)
    as_of = options.as_of or dt.date.today()
    context = AnalysisContext(rules, lifecycle, as_of, window)

    ignore = IgnoreRules(root, config.exclude, use_ignore_files=options.use_ignore_files)
    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    skipped: Counter[str] = Counter()
    considered = read = candidates = fallbacks = 0
    for entry in walk(root, absolute, ignore, max_size):
        considered += 1
        if isinstance(entry, SkippedEntry):
            skipped[entry.reason] += 1
            if entry.reason not in ("symlink", "special"):
                diagnostics.append(Diagnostic(entry.relpath, f"skipped: {entry.detail}",
                                              _severity(entry.reason)))
            continue
        outcome = _read(entry)
        if isinstance(outcome, SkippedEntry):
            skipped[outcome.reason] += 1
            if outcome.reason != "binary":
                diagnostics.append(Diagnostic(outcome.relpath, f"skipped: {outcome.detail}",
                                              _severity(outcome.reason)))
            continue
        read += 1
        if options.progress is not None and read % 200 == 0:
            options.progress(read, time.monotonic() - started)
        if not rules.is_candidate(outcome):
            continue
        if is_own_report(outcome):
            skipped["ftscan-report"] += 1
            continue
        candidates += 1
        text, problem = _decode(outcome)
        if problem:
            diagnostics.append(Diagnostic(entry.relpath, problem, Severity.WARNING))
        analysis = analyse_text(entry.relpath, text, classify(entry.relpath), context)
        findings.extend(analysis.findings)
        diagnostics.extend(analysis.diagnostics)
        fallbacks += analysis.fell_back
    findings.sort(key=lambda f: (f.location, f.rule_id, f.model_id))
    summary = ScanSummary(
        files_considered=considered,
        files_read=read,
        files_with_candidates=candidates,
        skipped=dict(sorted(skipped.items())),
        parse_fallbacks=fallbacks,
        findings_by_level={
            level.label: sum(1 for f in findings if f.level is level)
            for level in sorted(Level, reverse=True)
        },
        findings_by_role=dict(sorted(Counter(f.role.value for f in findings).items())),
        duration_seconds=round(time.monotonic() - started, 3),
    )
    return ScanResult(root, tuple(findings), tuple(diagnostics), summary, rules, lifecycle,
                      as_of, fail_on, config)


def _first(*values: _T | None) -> _T:
    """The first value that is set: the option, else the config, else the default."""
    return next(v for v in values if v is not None)


def _severity(reason: str) -> Severity:
    return Severity.INFO if reason == "too-large" else Severity.WARNING


def _common_root(paths: list[Path]) -> Path:
    roots = [find_root(p) for p in paths]
    root = roots[0]
    for other in roots[1:]:
        while not other.is_relative_to(root):
            root = root.parent
    return root


def _config(options: ScanOptions, first_path: Path, root: Path) -> Config:
    if options.config_file is not None:
        if not options.config_file.is_file():
            raise ConfigError(f"{options.config_file}: config file does not exist")
        return load_config(options.config_file)
    found = discover(first_path, stop=root)
    return load_config(found) if found is not None else Config()


def _read(entry: FileEntry) -> bytes | SkippedEntry:
    try:
        with open(entry.path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return SkippedEntry(entry.relpath, "unreadable", f"cannot read: {exc.strerror or exc}")
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        return SkippedEntry(entry.relpath, "binary", "binary file (NUL bytes)")
    return data


def _decode(data: bytes) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return (
            data.decode("utf-8", errors="replace"),
            f"not valid UTF-8 (first bad byte at offset {exc.start}); "
            "read with the bad bytes replaced",
        )
