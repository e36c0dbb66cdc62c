"""The repositories of a scan: grouping the paths asked for into repositories (a sweep has
many), scanning each (side by side in a process pool for a large sweep) and adding their
results up into one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from collections import Counter
from itertools import repeat
from pathlib import Path

from ftscan.baseline import Baseline
from ftscan.baseline import load as load_baseline
from ftscan.cores import available_cores
from ftscan.discovery import unreachable
from ftscan.gitfiles import find_root
from ftscan.models import Finding, Level, Location
from ftscan.pipeline.repository import Catalogue, RepositoryScan, scan_repository
from ftscan.result import (
    HistorySummary,
    ScanError,
    ScanOptions,
    ScanResult,
    ScanSummary,
    Settings,
)
from ftscan.ruleset import RuleSet
from ftscan.shards import in_shard

SWEEP_MIN_REPOSITORIES = 4
"""A sweep of at least this many repositories scans them side by side, one per worker."""


def run(options: ScanOptions) -> ScanResult:
    """Scan every repository the options' paths name, and add their results up."""
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
    baseline = load_baseline(options.baseline) if options.baseline else None
    catalogue = Catalogue(options.extra_rule_files)
    if not groups:  # a shard that holds no repository
        return ScanResult(absolute[0], (), (), _summary([], [], started),
                          catalogue.default_settings(options))
    parts = _scan_repositories(groups, options, started, baseline, absolute, catalogue)
    return _combined(parts, options, baseline, started)


def _check_reachable(path: Path) -> None:
    """Raise :class:`ScanError` when ``path`` is not there to scan (a broken symlink is: the
    scan reports it)."""
    try:
        path.lstat()
    except OSError as exc:
        raise ScanError(f"path {unreachable(exc)}: {path}") from None


def _combined(parts: list[RepositoryScan], options: ScanOptions, baseline: Baseline | None,
              started: float) -> ScanResult:
    """One result from each repository's."""
    findings = sorted((f for part in parts for f in part.findings), key=_order)
    first = parts[0]
    rules = first.settings.rules if len(parts) == 1 else RuleSet(list(
        {r.id: r for part in parts for r in part.settings.rules.rules}.values()))
    everything = tuple(sorted((f for part in parts for f in part.everything), key=_order))
    # a repository's key holds what its files say, not where it lies nor how it is judged:
    # reports name the repositories of a sweep and carry the verdicts, so their folders and
    # what the verdicts were given for are part of the whole result's key
    kept = [f"{p.root}\0{p.replay_key}\0{_judged_for(p.settings)}" for p in parts
            if p.replay_key is not None]
    plain = baseline is None and not (options.diff_base or options.staged or options.files_only
                                      or options.history)
    replay_key = hashlib.sha256("\1".join(kept).encode("utf-8", "surrogateescape")
                                ).hexdigest() if plain and len(kept) == len(parts) else None
    diagnostics = tuple(d for part in parts for d in part.diagnostics) if len(parts) == 1 \
        else tuple(dataclasses.replace(d, repository=part.root.name)
                   for part in parts for d in part.diagnostics)
    return ScanResult(
        first.root, tuple(findings), diagnostics,
        _summary(parts, findings, started, options),
        dataclasses.replace(first.settings, rules=rules), tuple(p.root for p in parts),
        tuple(e for part in parts for e in part.stale), everything, replay_key,
        tuple(sorted((f for part in parts for f in part.history), key=_order)))


def _judged_for(settings: Settings) -> str:
    """What a repository's verdicts depend on besides its detections, as a digest."""
    return hashlib.sha256(repr((settings.as_of, settings.warning_window_days,
                                settings.lifecycle)).encode()).hexdigest()


def _summary(parts: list[RepositoryScan], findings: list[Finding], started: float,
             options: ScanOptions | None = None) -> ScanSummary:
    """The counts of every repository's summary, added up, with the findings counted."""
    summaries = [p.summary for p in parts]

    def added(name: str) -> dict[str, int]:
        return dict(sum((Counter(getattr(s, name)) for s in summaries), Counter()))

    return ScanSummary(
        files_considered=sum(s.files_considered for s in summaries),
        files_read=sum(s.files_read for s in summaries),
        files_with_candidates=sum(s.files_with_candidates for s in summaries),
        skipped=dict(sorted(added("skipped").items())),
        parse_fallbacks=sum(s.parse_fallbacks for s in summaries),
        findings_by_level={
            level.label: sum(1 for f in findings if f.level is level and f.suppression is None)
            for level in sorted(Level, reverse=True)
        },
        findings_by_role=dict(sorted(Counter(f.role.value for f in findings).items())),
        duration_seconds=round(time.monotonic() - started, 3),
        files_from_cache=sum(s.files_from_cache for s in summaries),
        modules_followed=dict(sorted(added("modules_followed").items())),
        unresolved=added("unresolved"),
        resolver_steps=sum(s.resolver_steps for s in summaries),
        suppressed=dict(sorted(Counter(f.suppression.kind for f in findings
                                       if f.suppression is not None).items())),
        stale_baseline_entries=sum(len(p.stale) for p in parts),
        repositories=len(parts),
        changed_lines_only=bool(options and (options.diff_base or options.staged)),
        replayed=sum(s.replayed for s in summaries),
        history=_history_summary([p.history_summary for p in parts
                                  if p.history_summary is not None]),
    )


def _history_summary(summaries: list[HistorySummary]) -> HistorySummary | None:
    """The history summaries of every repository, added up (``None``: no history read)."""
    if not summaries:
        return None
    skipped: Counter[str] = sum((Counter(s.skipped) for s in summaries), Counter())
    return HistorySummary(
        commits=sum(s.commits for s in summaries), blobs=sum(s.blobs for s in summaries),
        blobs_read=sum(s.blobs_read for s in summaries),
        candidates=sum(s.candidates for s in summaries), skipped=dict(sorted(skipped.items())),
        duration_seconds=round(sum(s.duration_seconds for s in summaries), 3))


def _order(finding: Finding) -> tuple[str, Location, str, str, str]:
    """The order findings are reported in."""
    return (finding.repository or "", finding.location, finding.rule_id, finding.model_id,
            finding.role.value)


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


def _scan_repositories(groups: dict[Path, list[Path]], options: ScanOptions, started: float,
                       baseline: Baseline | None, requested: list[Path],
                       catalogue: Catalogue) -> list[RepositoryScan]:
    """Each repository's scan, in order. A sweep of many repositories runs them in a process
    pool, one repository per task and each scanned in one process, since most repositories of
    an organisation are too small for a pool of their own; otherwise one after the other."""
    workers = options.jobs if options.jobs is not None else available_cores()
    if len(groups) < SWEEP_MIN_REPOSITORIES or workers <= 1:
        return [scan_repository(root, targets, options, started, baseline, requested,
                                catalogue, sweep=len(groups) > 1)
                for root, targets in groups.items()]
    from concurrent.futures import ProcessPoolExecutor  # only sweeps need it

    alone = dataclasses.replace(options, jobs=1, progress=None)
    parts: list[RepositoryScan] = []
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


_sweep_catalogue: Catalogue | None = None


def _init_sweep_worker(extra_rule_files: tuple[Path, ...]) -> None:
    global _sweep_catalogue
    _sweep_catalogue = Catalogue(extra_rule_files)


def _scan_in_sweep_worker(group: tuple[Path, list[Path]], options: ScanOptions, started: float,
                          baseline: Baseline | None, requested: list[Path],
                          ) -> RepositoryScan:
    assert _sweep_catalogue is not None
    root, targets = group
    return scan_repository(root, targets, options, started, baseline, requested,
                           _sweep_catalogue, sweep=True)
