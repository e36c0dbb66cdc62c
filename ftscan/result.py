"""What a scan is asked and what it answers: the options, each repository's settings in
effect, the summary and the result that every reporter reads.

Nothing here runs a scan (:mod:`ftscan.api`) or judges a finding (:mod:`ftscan.verdicts`): this
is the model the library hands its callers, and the only part of a scan reporters see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ftscan.budget import DEFAULT_FILE_BUDGET_SECONDS
from ftscan.config import Config
from ftscan.errors import FtscanError
from ftscan.lifecycle import LifecycleTable
from ftscan.models import BaselineEntry, Diagnostic, Finding, Level
from ftscan.ruleset import RuleSet

__all__ = ["FtscanError", "HistoryRange", "HistorySummary", "ScanError", "ScanOptions",
           "ScanResult", "ScanSummary", "Settings"]
DEFAULT_FAIL_ON = "warning"


class ScanError(FtscanError):
    """The scan cannot start: a path that does not exist, say. Exit code 2."""


@dataclass(frozen=True)
class HistoryRange:
    """Which past commits ``scan --history`` reads (:mod:`ftscan.history`)."""

    since: str | None = None
    """Only commits after this: a revision (``v1.2``, a commit id) or a day (``YYYY-MM-DD``)."""
    branches: str = "default"
    """``default``: the commits of HEAD's branch; ``all``: of every branch (local and remote
    tracking)."""


@dataclass(frozen=True)
class ScanOptions:
    """What to scan and how. ``None`` means: take it from the config file, else the default."""

    paths: tuple[Path, ...] = (Path("."),)
    as_of: dt.date | None = None
    """The date lifecycle verdicts are computed for; today when ``None``."""
    config_file: Path | None = None
    """An explicit config file; otherwise one is discovered upward from the first path."""
    use_ignore_files: bool = True
    default_excludes: bool | None = None
    """Leave out vendored code and build output (``node_modules/``, ``vendor/``, ``dist/``,
    minified bundles, ...); ``None``: the config's ``default-excludes``, else yes."""
    max_file_size: int | None = None
    warning_window_days: int | None = None
    fail_on: str | None = None
    extra_rule_files: tuple[Path, ...] = ()
    follow_aliases: bool = True
    """Also report the code that reaches a model by name (env vars, constants, imports, ...)."""
    baseline: Path | None = None
    """A baseline file: findings it lists are reported as suppressed."""
    diff_base: str | None = None
    """Report only findings on lines added or changed since the merge base with this ref."""
    staged: bool = False
    """Report only findings on lines added or changed in the git index (pre-commit)."""
    jobs: int | None = None
    """Worker processes for reading and parsing; ``None`` picks one per core for large scans."""
    shard: tuple[int, int] | None = None
    """Scan only the repositories of shard (I, N) of a sweep (see :mod:`ftscan.shards`)."""
    own_files: tuple[Path, ...] = ()
    """Files this run writes (its report, inventory or baseline): left out of the scan, as
    the baseline file is; a report elsewhere in the tree is scanned, its ids as mentions."""
    files_only: bool = False
    """``paths`` are the files to report on; the whole repository around them is scanned so
    that names still resolve (how pre-commit passes changed files)."""
    cache_dir: Path | None = None
    """Keep what each file yielded in a cache under this folder (see :mod:`ftscan.cache`), so
    a scan reads and parses only the files that changed since the last; ``None``: no cache."""
    search_engine: str | None = None
    """Which engine finds the files worth reading (:mod:`ftscan.search`): ``ripgrep``,
    ``python`` (read every file), or ``None``/``auto``: ripgrep when installed."""
    file_budget: float | None = DEFAULT_FILE_BUDGET_SECONDS
    """Seconds ftscan may spend on one file before it gives the file up (``None``: no limit)."""
    progress: Callable[[int, int, float], None] | None = field(default=None, compare=False)
    """Called now and then with (files read, files in all, seconds elapsed)."""
    history: HistoryRange | None = None
    """Also read the repository's past commits for ids no file of the tree holds any more."""


@dataclass(frozen=True)
class Settings:
    """One repository's settings in effect: each is the option, else the repository's config,
    else the default."""

    config: Config
    rules: RuleSet
    lifecycle: LifecycleTable
    """The shipped lifecycle data with the user's overrides and the config's entries first."""
    as_of: dt.date
    """The date verdicts are given for."""
    warning_window_days: int
    max_file_size: int
    fail_on: str


@dataclass(frozen=True)
class HistorySummary:
    """What a read of the repositories' history covered (``scan --history``)."""

    commits: int
    """Commits walked."""
    blobs: int
    """Distinct versions of files (blobs) in those commits."""
    blobs_read: int
    """Blobs read from git in this run (the others were known to the history cache)."""
    candidates: int
    """Blobs holding a rule's pattern: the only ones decoded and analysed."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Blobs not searched, by reason (binary, too-large, missing from a partial clone, ...)."""
    duration_seconds: float = 0.0


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
    files_from_cache: int = 0
    """Files whose facts came from the cache: neither read nor parsed again (they count as
    read: their content is in the results)."""
    modules_followed: dict[str, int] = field(default_factory=dict)
    """Modules of code read for alias resolution (candidates and modules reached by name), by
    language."""
    unresolved: dict[str, int] = field(default_factory=dict)
    """Links that could not be followed: names that could hold more values than the resolver
    keeps (``truncated``), star imports, computed env var names, unparsable modules."""
    resolver_steps: int = 0
    """Units of work the alias resolver did (edges added, values propagated, rules run): it
    grows with the facts, never with the paths between them (the benchmark and the tests of
    pathological shapes read it)."""
    suppressed: dict[str, int] = field(default_factory=dict)
    """Findings reported but accepted, by kind (``inSource``, ``external``)."""
    stale_baseline_entries: int = 0
    repositories: int = 1
    changed_lines_only: bool = False
    """Only findings on changed lines were kept (``--diff-base``, ``--staged``)."""
    replayed: int = 0
    """Repositories whose analysis was replayed from the last scan (every input unchanged,
    :mod:`ftscan.cache.replay`); their detections were judged afresh for this scan's date."""
    history: HistorySummary | None = None
    """Set when the scan read the repositories' history too."""


@dataclass(frozen=True)
class ScanResult:
    """Everything a reporter needs."""

    root: Path
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...]
    summary: ScanSummary
    settings: Settings
    """The settings of the first repository (a sweep's rules are every repository's)."""
    roots: tuple[Path, ...] = ()
    """Every repository scanned (a sweep has several)."""
    stale_baseline: tuple[BaselineEntry, ...] = ()
    """Baseline entries that matched no finding."""
    all_findings: tuple[Finding, ...] = ()
    """In a diff-aware run, every finding of the repository, each marked ``new`` or not
    (``findings`` holds the new ones): SARIF always covers the whole scan."""
    replay_key: str | None = None
    """When the whole result is what kept analyses say (each repository's replayed or just
    recorded, :mod:`ftscan.cache.replay`) and the run added nothing of its own (no baseline,
    changed lines or file selection): a digest of their keys and of what their verdicts were
    given for (date, window, lifecycle data). Equal keys mean equal findings, so a report
    made only of them is the same too (:mod:`ftscan.cache.kept`)."""
    history: tuple[Finding, ...] = ()
    """Ids found only in past commits (``scan --history``), one per id and path, each a note
    with its :attr:`~ftscan.models.Detection.history`. They never fail the run: no code of the
    tree calls them."""

    def failed(self, fail_on: str | None = None) -> bool:
        """Is any finding that is not suppressed at or above the fail level (``fail_on``, else
        the settings'), or was a file left unsearched (the ids in it could be at any
        level)?"""
        level = fail_on or self.settings.fail_on
        return self.findings_fail(level) or (
            level != "never" and bool(self.summary.skipped.get("unsearched")))

    def findings_fail(self, fail_on: str | None = None) -> bool:
        """Is any finding that is not suppressed at or above the fail level?"""
        level = fail_on or self.settings.fail_on
        if level == "never":
            return False
        threshold = Level.parse(level)
        return any(f.level >= threshold for f in self.findings if f.suppression is None)
