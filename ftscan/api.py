"""ftscan's library API: ``scan(ScanOptions(...)) -> ScanResult``. The CLI is a thin layer on it.

A scan walks the files under the given paths, reads each once as bytes, skips binary files and
files without any rule keyword (they are never decoded or parsed), and analyses the rest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import TypeVar

from ftscan.baseline import Baseline
from ftscan.baseline import Entry as BaselineEntry
from ftscan.baseline import apply as apply_baseline
from ftscan.baseline import load as load_baseline
from ftscan.budget import DEFAULT_FILE_BUDGET_SECONDS
from ftscan.cachefiles import cache_key
from ftscan.checkout import checkout_digest
from ftscan.config import (
    DEFAULT_MAX_FILE_SIZE,
    Config,
    ConfigError,
    discover,
    load_config,
)
from ftscan.cores import available_cores
from ftscan.discovery import relative_path, unreachable
from ftscan.filelist import list_files, own_files
from ftscan.gitdiff import DiffError, changed_lines, in_ftscan_lines, is_changed
from ftscan.gitfiles import (
    PendingListing,
    discard_early,
    find_root,
    parse_listing,
    start_listing,
)
from ftscan.lifecycle import DEFAULT_WARNING_WINDOW_DAYS, LifecycleTable, load_lifecycle
from ftscan.models import Diagnostic, Finding, Level, Location, Severity
from ftscan.replay import UNSETTLED_REASONS, Analysed, Replay, listing_digest, walk_digest
from ftscan.ruleset import RuleError, RuleSet, load_rules
from ftscan.shards import in_shard

_T = TypeVar("_T")
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
    roots: tuple[Path, ...] = ()
    """Every repository scanned (a sweep has several)."""
    stale_baseline: tuple[BaselineEntry, ...] = ()
    """Baseline entries that matched no finding."""
    warning_window_days: int = DEFAULT_WARNING_WINDOW_DAYS
    """The window the verdicts were computed with (option, else config, else the data's)."""
    all_findings: tuple[Finding, ...] = ()
    """In a diff-aware run, every finding of the repository, each marked ``new`` or not
    (``findings`` holds the new ones): SARIF always covers the whole scan."""
    replay_key: str | None = None
    """When the whole result is what kept analyses say (each repository's replayed or just
    recorded, :mod:`ftscan.replay`) and the run added nothing of its own (no baseline, changed
    lines or file selection): a digest of their keys. Equal keys mean equal findings, rules and
    verdicts, so a report made only of those is the same too (:mod:`ftscan.reportmemo`)."""

    def failed(self) -> bool:
        """Is any finding that is not suppressed at or above the fail level, or was a file
        left unsearched (the ids in it could be at any level)?"""
        return self.findings_fail() or (
            self.fail_on != "never" and bool(self.summary.skipped.get("unsearched")))

    def findings_fail(self) -> bool:
        """Is any finding that is not suppressed at or above the fail level?"""
        if self.fail_on == "never":
            return False
        threshold = Level.parse(self.fail_on)
        return any(f.level >= threshold for f in self.findings if f.suppression is None)


def scan(options: ScanOptions) -> ScanResult:
    """Run a scan. Raises ``ScanError``, ``ConfigError``, ``RuleError`` or ``BaselineError``
    when it cannot start."""
    try:
        return _scan(options)
    finally:
        discard_early()  # a listing ftscan.launch started that this scan did not need


def _scan(options: ScanOptions) -> ScanResult:
    started = time.monotonic()
    paths = tuple(Path(p) for p in options.paths) or (Path("."),)
    for path in paths:
        _check_reachable(path)
    try:
        absolute = [Path(p).absolute() for p in paths]
    except OSError as exc:  # the working directory was deleted
        raise ScanError(f"cannot tell where the paths to scan are: {exc.strerror or exc}"
                        ) from None
    if options.files_only:
        groups = {find_root(absolute[0]): [find_root(absolute[0])]}
    else:
        groups = repositories(absolute)
    if (options.diff_base or options.staged) and len(groups) > 1:
        raise ScanError("--diff-base and --staged work on one repository at a time")
    if options.shard is not None:
        if len(groups) == 1:
            raise ScanError("--shard splits a sweep of several repositories, and these paths "
                            "hold one (names must resolve across a whole repository)")
        groups = {root: targets for root, targets in groups.items()
                  if in_shard(root.name, options.shard)}
        if not groups:
            return _empty_result(absolute[0], options, started)
    baseline = load_baseline(options.baseline) if options.baseline else None
    parts = _scan_repositories(groups, options, started, baseline, absolute)
    findings = sorted((f for part in parts for f in part.findings), key=_order)
    stale = [e for part in parts for e in part.stale]
    first = parts[0]
    summary = ScanSummary(
        files_considered=sum(p.summary.files_considered for p in parts),
        files_read=sum(p.summary.files_read for p in parts),
        files_with_candidates=sum(p.summary.files_with_candidates for p in parts),
        skipped=dict(sorted(sum((Counter(p.summary.skipped) for p in parts), Counter()).items())),
        parse_fallbacks=sum(p.summary.parse_fallbacks for p in parts),
        findings_by_level={
            level.label: sum(1 for f in findings if f.level is level and f.suppression is None)
            for level in sorted(Level, reverse=True)
        },
        findings_by_role=dict(sorted(Counter(f.role.value for f in findings).items())),
        duration_seconds=round(time.monotonic() - started, 3),
        files_from_cache=sum(p.summary.files_from_cache for p in parts),
        modules_followed=dict(sorted(sum((Counter(p.summary.modules_followed) for p in parts),
                                         Counter()).items())),
        unresolved=dict(sum((Counter(p.summary.unresolved) for p in parts), Counter())),
        resolver_steps=sum(p.summary.resolver_steps for p in parts),
        suppressed=dict(sorted(Counter(f.suppression.kind for f in findings
                                       if f.suppression is not None).items())),
        stale_baseline_entries=len(stale),
        repositories=len(parts),
        changed_lines_only=bool(options.diff_base or options.staged),
    )
    diagnostics = tuple(d for part in parts for d in part.diagnostics)
    rules = RuleSet(list({r.id: r for part in parts for r in part.rules.rules}.values()))
    everything = tuple(sorted((f for part in parts for f in part.everything), key=_order))
    # a repository's key holds what its files say, not where it lies: reports name the
    # repositories of a sweep, so their folders are part of the whole result's key
    kept = [f"{p.root}\0{p.replay_key}" for p in parts if p.replay_key is not None]
    plain = baseline is None and not (options.diff_base or options.staged or options.files_only)
    replay_key = hashlib.sha256("\1".join(kept).encode("utf-8", "surrogateescape")
                                ).hexdigest() if plain and len(kept) == len(parts) else None
    return ScanResult(first.root, tuple(findings), diagnostics, summary, rules, first.lifecycle,
                      first.as_of, first.fail_on, first.config, tuple(p.root for p in parts),
                      tuple(stale), first.window, everything, replay_key)


def _check_reachable(path: Path) -> None:
    """Raise :class:`ScanError` when ``path`` is not there to scan (a broken symlink is: the
    scan reports it)."""
    try:
        path.lstat()
    except OSError as exc:
        raise ScanError(f"path {unreachable(exc)}: {path}") from None


def _order(finding: Finding) -> tuple[str, Location, str, str, str]:
    """The order findings are reported in."""
    return (finding.repository or "", finding.location, finding.rule_id, finding.model_id,
            finding.role.value)


def _empty_result(path: Path, options: ScanOptions, started: float) -> ScanResult:
    """The result of a shard that holds no repository."""
    lifecycle = load_lifecycle()
    summary = ScanSummary(0, 0, 0, {}, 0, {level.label: 0 for level in sorted(Level,
                                                                              reverse=True)},
                          {}, round(time.monotonic() - started, 3), repositories=0)
    return ScanResult(path, (), (), summary, load_rules(options.extra_rule_files), lifecycle,
                      options.as_of or dt.date.today(), options.fail_on or DEFAULT_FAIL_ON,
                      Config(), (), (), _first(options.warning_window_days,
                                               lifecycle.warning_window_days))


def repositories(paths: list[Path]) -> dict[Path, list[Path]]:
    """Group scan targets by repository. A path inside a repository belongs to it; a folder
    outside any holds the repositories found below it (a sweep); a folder with none is a root
    of its own."""
    groups: dict[Path, list[Path]] = {}
    for path in paths:
        root = find_root(path)
        if (root / ".git").exists() or not path.is_dir():
            groups.setdefault(root, []).append(path)
            continue
        # each repository inside, and the folder itself if it holds files of its own (its walk
        # skips the repositories inside it)
        nested = _repositories_below(path)
        if not nested or _has_own_files(path):
            groups.setdefault(path, []).append(path)
        for repo in nested:
            groups.setdefault(repo, []).append(repo)
    return groups


def _has_own_files(folder: Path) -> bool:
    """Does ``folder`` hold a file outside the repositories inside it?"""
    for current, dirs, files in os.walk(folder):
        if any(not name.startswith(".") for name in files):
            return True
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and not os.path.lexists(os.path.join(current, d, ".git"))]
    return False


def _repositories_below(folder: Path) -> list[Path]:
    found = []
    for current, dirs, _files in os.walk(folder):
        if Path(current) == folder:
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
            continue
        if ".git" in dirs or os.path.isfile(os.path.join(current, ".git")):
            found.append(Path(current))
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
    return found


@dataclass
class _RepositoryScan:
    root: Path
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    summary: ScanSummary
    stale: list[BaselineEntry]
    rules: RuleSet
    lifecycle: LifecycleTable
    as_of: dt.date
    fail_on: str
    config: Config
    window: int
    everything: list[Finding]
    """Every finding, marked new or not, in a diff-aware run; empty otherwise."""
    replay_key: str | None = None
    """The key this repository's analysis is kept under, when it was replayed or recorded."""


SWEEP_MIN_REPOSITORIES = 4
"""A sweep of at least this many repositories scans them side by side, one per worker."""


def _scan_repositories(groups: dict[Path, list[Path]], options: ScanOptions, started: float,
                       baseline: Baseline | None, requested: list[Path],
                       ) -> list[_RepositoryScan]:
    """Each repository's scan, in order. A sweep of many repositories runs them in a process
    pool, one repository per task and each scanned in one process, since most repositories of
    an organisation are too small for a pool of their own; otherwise one after the other."""
    workers = options.jobs if options.jobs is not None else available_cores()
    if len(groups) < SWEEP_MIN_REPOSITORIES or workers <= 1:
        catalogue = _Catalogue(options.extra_rule_files)
        return [_scan_repository(root, targets, options, started, baseline, requested,
                                 catalogue, sweep=len(groups) > 1)
                for root, targets in groups.items()]
    from concurrent.futures import ProcessPoolExecutor  # only sweeps need it

    alone = dataclasses.replace(options, jobs=1, progress=None)
    parts: list[_RepositoryScan] = []
    read = considered = 0
    with ProcessPoolExecutor(max_workers=min(workers, len(groups)),
                             initializer=_init_sweep_worker,
                             initargs=(options.extra_rule_files,)) as pool:
        for part in pool.map(_scan_in_sweep_worker, groups.items(), repeat(alone),
                             repeat(started), repeat(baseline), repeat(requested)):
            parts.append(part)
            read += part.summary.files_read
            considered += part.summary.files_considered
            if options.progress is not None:  # per repository: the workers cannot call it
                options.progress(read, considered, time.monotonic() - started)
    return parts


_sweep_catalogue: _Catalogue | None = None


def _init_sweep_worker(extra_rule_files: tuple[Path, ...]) -> None:
    global _sweep_catalogue
    _sweep_catalogue = _Catalogue(extra_rule_files)


def _scan_in_sweep_worker(group: tuple[Path, list[Path]], options: ScanOptions, started: float,
                          baseline: Baseline | None, requested: list[Path],
                          ) -> _RepositoryScan:
    assert _sweep_catalogue is not None
    root, targets = group
    return _scan_repository(root, targets, options, started, baseline, requested,
                            _sweep_catalogue, sweep=True)


class _Catalogue:
    """Rule sets and lifecycle data, each read once per scan however many repositories a
    sweep covers (repositories sharing rule files share one rule set)."""

    def __init__(self, extra_rule_files: tuple[Path, ...]) -> None:
        self.extra = extra_rule_files
        self.lifecycle = load_lifecycle()
        self._rules: dict[tuple[Path, ...], RuleSet] = {}
        self._cache_keys: dict[str, str] = {}

    def rules(self, config_rules: tuple[Path, ...]) -> RuleSet:
        key = (*config_rules, *self.extra)
        if key not in self._rules:
            self._rules[key] = load_rules(list(key))
        return self._rules[key]

    def cache_key(self, rules: RuleSet) -> str:
        digest = rules.digest()
        if digest not in self._cache_keys:
            self._cache_keys[digest] = cache_key(digest)
        return self._cache_keys[digest]


def _scan_repository(root: Path, targets: list[Path], options: ScanOptions, started: float,
                     baseline: Baseline | None, requested: list[Path],
                     catalogue: _Catalogue, sweep: bool = False) -> _RepositoryScan:
    """One repository's scan. In a sweep, a repository whose own config or rule files cannot
    be used is scanned with the defaults and says so, instead of stopping the sweep (a scan of
    one repository stops: its user wants to fix the config)."""
    setup_problems: list[Diagnostic] = []
    try:
        config = _config(options, targets[0], root)
        rules = catalogue.rules(config.rules)
    except (ConfigError, RuleError) as exc:
        if not sweep or options.config_file is not None:
            raise
        setup_problems.append(Diagnostic(".", f"{exc}; this repository is scanned with the "
                                         "default settings", Severity.ERROR))
        config = Config()
        rules = catalogue.rules(())
    lifecycle = catalogue.lifecycle.with_overrides(config.lifecycle)
    window = _first(options.warning_window_days, config.warning_window_days,
                    lifecycle.warning_window_days)
    max_size = _first(options.max_file_size, config.max_file_size, DEFAULT_MAX_FILE_SIZE)
    fail_on = _first(options.fail_on, config.fail_on, DEFAULT_FAIL_ON)
    as_of = options.as_of or dt.date.today()

    pending = _git_listing(root, targets, options)
    outputs = pending.outputs() if pending is not None else None
    replay = recorded = inputs = files = kept = None
    facts_key = catalogue.cache_key(rules)  # what a file's facts are kept under
    if options.cache_dir is not None:
        if outputs is not None:
            # files git vouches for are known by blob id: and by what decides their bytes
            facts_key += ":" + checkout_digest(root, outputs[0], outputs[2])
            inputs = listing_digest(root, outputs)
        else:  # no git to ask: the walk's list, with each file's lstat data, is the key
            files = list_files(root, targets, options, config, None, max_size)
            inputs = walk_digest(files.entries)
        replay = Replay.at(options.cache_dir, root, (
            facts_key, lifecycle, max_size, config, as_of, window,
            options.follow_aliases, options.use_ignore_files, options.default_excludes,
            options.file_budget, sorted(own_files(root, options)),
            sorted(relative_path(root, t) for t in targets), inputs.digest))
        recorded = replay.load()
    if isinstance(recorded, Analysed):
        analysed = dataclasses.replace(recorded, summary=dataclasses.replace(
            recorded.summary, files_from_cache=recorded.summary.files_considered))
        kept = replay.key if replay is not None else None
    else:
        from ftscan.analysis import AnalysisContext
        from ftscan.pipeline import analyse

        context = AnalysisContext(rules, lifecycle, as_of, window, max_size, options.file_budget,
                                  follow_names=options.follow_aliases)
        listing = parse_listing(*outputs) if outputs is not None else None
        analysed = analyse(root, targets, options, started, config, context, listing,
                           facts_key, files)
        unsettled = UNSETTLED_REASONS & analysed.summary.skipped.keys()
        if (replay is not None and inputs is not None and not unsettled
                and inputs.settled(time.time_ns())):
            problem = replay.save(analysed)
            if problem:
                analysed.diagnostics.append(Diagnostic(".", problem, Severity.INFO))
            else:
                kept = replay.key
    findings = analysed.findings
    stale: list[BaselineEntry] = []
    if baseline is not None:
        findings, stale = apply_baseline(findings, baseline)
    diagnostics = [*setup_problems, *analysed.diagnostics]
    diagnostics += [
        Diagnostic(entry.path, f"baseline entry no longer matches ({entry.rule_id} "
                   f"{entry.model_id}); prune it with: ftscan baseline update", Severity.INFO)
        for entry in stale
    ]
    everything: list[Finding] = []
    if options.diff_base or options.staged:
        try:
            from ftscan.pipeline import text_reader

            changed = in_ftscan_lines(changed_lines(root, options.diff_base, options.staged),
                                      text_reader(root, max_size))
        except DiffError as exc:
            raise ScanError(str(exc)) from None
        everything = [dataclasses.replace(
            f, new=is_changed(changed, f.location.path, f.location.start_line))
            for f in findings]
        findings = [f for f in everything if f.new]
    if options.files_only:
        wanted = {relative_path(root, p) for p in requested}
        findings = [f for f in findings if f.location.path in wanted]
    summary = analysed.summary
    return _RepositoryScan(root, findings, diagnostics, summary, stale, rules, lifecycle, as_of,
                           fail_on, config, window, everything, kept)


def _git_listing(root: Path, targets: list[Path], options: ScanOptions,
                 ) -> PendingListing | None:
    """git's listing of the files of the repository, started, when git can give it: the root
    is a git work tree, the whole repository is scanned (files named one by one need no
    listing, and a folder named on the command line is read by the walk even where ignore
    rules would leave it out) and ignore files are honoured (``--no-ignore`` wants the files
    git ignores too)."""
    if not options.use_ignore_files or not (root / ".git").exists() or any(
            relative_path(root, t) != "" or t.is_symlink() for t in targets):
        return None
    return start_listing(root, [""])


def _first(*values: _T | None) -> _T:
    """The first value that is set: the option, else the config, else the default."""
    return next(v for v in values if v is not None)


def _config(options: ScanOptions, first_path: Path, root: Path) -> Config:
    if options.config_file is not None:
        if not options.config_file.is_file():
            raise ConfigError(f"{options.config_file}: config file does not exist")
        return load_config(options.config_file)
    found = discover(first_path, stop=root)
    return load_config(found, repository=root) if found is not None else Config()




