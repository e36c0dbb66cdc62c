"""One repository's scan: its settings, git's listing, the last analysis replayed or both phases
run (:mod:`ftscan.pipeline.phases`), the verdicts for the scan's date, then what this run adds
on top (a baseline, changed lines only, the files asked for).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ftscan.baseline import Baseline
from ftscan.baseline import apply as apply_baseline
from ftscan.cache.files import cache_key
from ftscan.cache.replay import (
    UNSETTLED_REASONS,
    Analysed,
    Inputs,
    Replay,
    listing_digest,
    walk_digest,
)
from ftscan.checkout import checkout_digest
from ftscan.config import DEFAULT_MAX_FILE_SIZE, Config, ConfigError, discover, load_config
from ftscan.discovery import relative_path
from ftscan.gitfiles import PendingListing, parse_listing, start_listing
from ftscan.lifecycle import LifecycleTable, load_lifecycle
from ftscan.models import BaselineEntry, Diagnostic, Finding, Severity
from ftscan.pipeline.filelist import list_files, own_files
from ftscan.pipeline.post import mark_changed
from ftscan.result import DEFAULT_FAIL_ON, HistorySummary, ScanOptions, ScanSummary, Settings
from ftscan.ruleset import RuleError, RuleSet, load_rules
from ftscan.verdicts import Verdicts

_T = TypeVar("_T")


@dataclass
class RepositoryScan:
    """What one repository's scan yields, for the sweep to add up."""

    root: Path
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    summary: ScanSummary
    settings: Settings
    stale: list[BaselineEntry] = field(default_factory=list)
    everything: list[Finding] = field(default_factory=list)
    """Every finding, marked new or not, in a diff-aware run; empty otherwise."""
    replay_key: str | None = None
    """The key this repository's analysis is kept under, when it was replayed or recorded."""
    history: list[Finding] = field(default_factory=list)
    """Ids only in past commits (``scan --history``)."""
    history_summary: HistorySummary | None = None


class Catalogue:
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

    def settings(self, options: ScanOptions, config: Config, rules: RuleSet) -> Settings:
        """The settings in effect under ``config``: each the option, else the config's, else
        the default."""
        lifecycle: LifecycleTable = self.lifecycle.with_overrides(config.lifecycle)
        return Settings(
            config=config,
            rules=rules,
            lifecycle=lifecycle,
            as_of=options.as_of or dt.date.today(),
            warning_window_days=first(options.warning_window_days, config.warning_window_days,
                                      lifecycle.warning_window_days),
            max_file_size=first(options.max_file_size, config.max_file_size,
                                DEFAULT_MAX_FILE_SIZE),
            fail_on=first(options.fail_on, config.fail_on, DEFAULT_FAIL_ON),
        )

    def default_settings(self, options: ScanOptions) -> Settings:
        """The settings of a scan of no repository (a shard that holds none)."""
        return self.settings(options, Config(), self.rules(()))


def scan_repository(root: Path, targets: list[Path], options: ScanOptions, started: float,
                    baseline: Baseline | None, requested: list[Path], catalogue: Catalogue,
                    sweep: bool = False) -> RepositoryScan:
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
    settings = catalogue.settings(options, config, rules)
    analysed, kept = _analysed(root, targets, options, started, settings, catalogue)
    verdicts = Verdicts(rules, settings.lifecycle, settings.as_of, settings.warning_window_days)
    findings = verdicts.judge_all(analysed.findings)
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
        everything = mark_changed(findings, root, options.diff_base, options.staged,
                                  settings.max_file_size)
        findings = [f for f in everything if f.new]
    if options.files_only:
        wanted = {relative_path(root, p) for p in requested}
        findings = [f for f in findings if f.location.path in wanted]
    scanned = RepositoryScan(root, findings, diagnostics, analysed.summary, settings, stale,
                             everything, kept)
    if options.history is not None:
        _add_history(scanned, options, analysed, catalogue, verdicts)
    return scanned


def _add_history(scanned: RepositoryScan, options: ScanOptions, analysed: Analysed,
                 catalogue: Catalogue, verdicts: Verdicts) -> None:
    """The ids of the repository's past commits that its tree does not hold
    (:mod:`ftscan.history`), judged with the tree's verdicts."""
    from ftscan.discovery import IgnoreRules
    from ftscan.history import judged
    from ftscan.history.scan import HistoryScope, in_head_ids, scan_history
    from ftscan.ownership import annotate
    from ftscan.pipeline.analysis import AnalysisContext

    assert options.history is not None
    settings, root = scanned.settings, scanned.root
    config = settings.config
    rules = IgnoreRules(root, config.exclude, use_ignore_files=options.use_ignore_files,
                        git_applied=True, default_excludes=first(
                            options.default_excludes, config.default_excludes, True))
    scope = HistoryScope(options.history, AnalysisContext(
        settings.rules, settings.max_file_size, options.file_budget, follow_names=False),
        rules, catalogue.cache_key(settings.rules), options.cache_dir)
    past = scan_history(root, scope, in_head_ids(analysed.findings))
    owned, _ = annotate(past.detections, root)  # owners by today's CODEOWNERS
    scanned.history = judged(verdicts, owned)
    scanned.diagnostics += past.diagnostics
    scanned.history_summary = past.summary


def _analysed(root: Path, targets: list[Path], options: ScanOptions, started: float,
              settings: Settings, catalogue: Catalogue) -> tuple[Analysed, str | None]:
    """What the repository's files say: the last scan's analysis when every input is the same,
    or when no file edited since can change a finding (replayed, and its summary says so),
    else both phases run (and recorded for next time). Also the key the analysis is kept
    under, when it is."""
    rules, config, max_size = settings.rules, settings.config, settings.max_file_size
    pending = _git_listing(root, targets, options)
    # what a file's facts are kept under (it reads ftscan's own files: while git lists)
    facts_key = catalogue.cache_key(rules)
    outputs = pending.outputs() if pending is not None else None
    replay = inputs = files = None
    if options.cache_dir is not None:
        if outputs is not None:
            # files git vouches for are known by blob id: and by what decides their bytes
            facts_key += ":" + checkout_digest(root, outputs[0], outputs[2])
            inputs = listing_digest(root, outputs)
        else:  # no git to ask: the walk's list, with each file's lstat data, is the key
            files = list_files(root, targets, options, config, None, max_size)
            inputs = walk_digest(files.entries)
        # what decides the detections, and nothing else: no date, window or lifecycle data
        # (verdicts are applied afterwards), so a scan the next day is replayed too
        replay = Replay.at(options.cache_dir, root, (
            facts_key, max_size,
            dataclasses.replace(config, lifecycle=(), warning_window_days=None, fail_on=None),
            options.follow_aliases, options.use_ignore_files, options.default_excludes,
            options.file_budget, sorted(own_files(root, options)),
            sorted(relative_path(root, t) for t in targets)), inputs.digest)
        recorded = replay.load()
        if recorded is not None:
            return dataclasses.replace(recorded, summary=dataclasses.replace(
                recorded.summary, files_from_cache=recorded.summary.files_considered,
                replayed=1)), replay.key
    from ftscan.pipeline.analysis import AnalysisContext

    context = AnalysisContext(rules, max_size, options.file_budget,
                              follow_names=options.follow_aliases)
    listing = parse_listing(*outputs) if outputs is not None else None
    last = replay.last() if replay is not None else None
    if last is not None and inputs is not None:
        from ftscan.pipeline.narrow import carried_over

        if files is None:
            files = list_files(root, targets, options, config, listing, max_size)
        carried = carried_over(last, inputs.files, files.entries, context)
        if carried is not None:
            return carried, _recorded(replay, inputs, carried)
    from ftscan.pipeline.phases import analyse

    analysed = analyse(root, targets, options, started, config, context, listing,
                       facts_key, files)
    return analysed, _recorded(replay, inputs, analysed)


def _recorded(replay: Replay | None, inputs: Inputs | None, analysed: Analysed) -> str | None:
    """Record ``analysed`` for the next scan, when it can be (returns its key then)."""
    unsettled = UNSETTLED_REASONS & analysed.summary.skipped.keys()
    if (replay is None or inputs is None or unsettled
            or not inputs.settled(time.time_ns())):
        return None
    problem = replay.save(analysed, inputs.files)
    if problem:
        analysed.diagnostics.append(Diagnostic(".", problem, Severity.INFO))
        return None
    return replay.key


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


def first(*values: _T | None) -> _T:
    """The first value that is set: the option, else the config, else the default."""
    return next(v for v in values if v is not None)


def _config(options: ScanOptions, first_path: Path, root: Path) -> Config:
    if options.config_file is not None:
        if not options.config_file.is_file():
            raise ConfigError(f"{options.config_file}: config file does not exist")
        return load_config(options.config_file)
    found = discover(first_path, stop=root)
    return load_config(found, repository=root) if found is not None else Config()
