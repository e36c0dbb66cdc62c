"""Fine-tuned ids that live only in past commits: each distinct blob of the history read once,
prefiltered like a file of the scan, analysed like one, and what no file of the tree holds
folded into one detection per id and path.

1. The walk (:mod:`ftscan.history.commits`) lists every blob once, with its path in the
   newest commit that held it.
2. Blobs the history cache knows (:mod:`ftscan.history.store`) are not read again; the others
   come from ``git cat-file`` (:mod:`ftscan.history.blobs`), over the size limit in pieces
   (:func:`ftscan.pipeline.largefile.search_pieces`), past :data:`STREAM_LIMIT` not at all.
3. A blob's bytes go through the scan's own prefilter (the rules' keywords, then their
   patterns in RE2) and only a candidate is decoded and analysed, by the per-file analysis
   of the scan (:func:`ftscan.pipeline.analysis.analyse_text`) for the blob's path, within
   the scan's time budget per file.
4. Ids the scan of the tree reports, and paths the scan leaves out (``.ftscanignore``,
   ``exclude``, the default excludes), are left out; the rest is folded per (id, path): the
   newest version of the file gives the line, the walk the newest and oldest commits that
   held the id there, and the commit that removed it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ftscan.budget import OverBudget, time_budget
from ftscan.discovery import STREAM_LIMIT, IgnoreRules, path_filter
from ftscan.filekinds import kind_of
from ftscan.history.blobs import MISSING, Body, contents, sizes
from ftscan.history.commits import Revisions, Walk, oldest_holders, revisions, walk
from ftscan.history.store import KEPT_SKIPS, BlobMemory, HistoryStore
from ftscan.models import Detection, Diagnostic, PastSite, Role, Severity
from ftscan.pipeline.analysis import AnalysisContext, analyse_text
from ftscan.pipeline.examine import kind_told_by
from ftscan.pipeline.largefile import GIVEN_UP, PIECE, BinaryFile, search_pieces
from ftscan.pipeline.reading import as_text, decode
from ftscan.result import HistoryRange, HistorySummary

ID_ROLES = frozenset({Role.DEFINITION, Role.DYNAMIC, Role.MENTION, Role.EXAMPLE})
"""The detections history reports: ids as written (uses and training sites need the code
around them, which is gone)."""


@dataclass
class PastDetections:
    """What the history of one repository holds that its tree does not."""

    detections: list[Detection] = field(default_factory=list)
    summary: HistorySummary = field(default_factory=lambda: HistorySummary(0, 0, 0, 0))
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryScope:
    """What decides which blobs are read, and how."""

    wanted: HistoryRange
    context: AnalysisContext
    rules: IgnoreRules
    """ftscan's ignore rules in force for the tree (git's own do not apply to the past)."""
    facts_key: str
    """The scan cache's key (:func:`ftscan.cache.files.cache_key`)."""
    cache_dir: Path | None = None


def scan_history(root: Path, scope: HistoryScope, in_head: frozenset[str]) -> PastDetections:
    """The ids of past commits of the repository at ``root`` that ``in_head`` (the ids the
    scan of its tree reports) leaves out, one detection per id and path."""
    started = time.monotonic()
    if not (root / ".git").exists():
        return PastDetections(diagnostics=[Diagnostic(
            ".", "not the work tree of a git repository: no history was read (clone a bare "
            "repository with git clone --no-checkout)", Severity.WARNING)])
    revs = revisions(root, scope.wanted)
    commits = walk(root, revs)
    considered = _considered(commits, scope.rules)
    store = HistoryStore.open(scope.cache_dir, root, scope.facts_key,
                              scope.context.max_file_size or STREAM_LIMIT)
    reader = _Reader(scope.context, store)
    unknown = {blob: path for blob, path in considered.items()
               if not store.memory.knows(blob, path)}
    reader.read(root, unknown, commits)
    problem = store.save()
    found = PastDetections(diagnostics=reader.problems)
    if problem:
        found.diagnostics.append(Diagnostic(".", problem, Severity.INFO))
    groups = _grouped(considered, store, in_head)
    found.detections = _dated(root, revs, commits, groups)
    found.summary = _summary(commits, considered, store.memory, reader, started)
    return found


def _considered(commits: Walk, rules: IgnoreRules) -> dict[str, str]:
    """The objects of the walk whose paths the scan does not leave out, with their paths
    (each distinct path judged once)."""
    paths = {path for path, _ in commits.blobs.values()}
    left_out = path_filter(rules, sorted(paths))
    dropped = {path for path in paths if left_out(path)}
    return {sha: path for sha, (path, _) in commits.blobs.items() if path not in dropped}


def _summary(commits: Walk, considered: dict[str, str], memory: BlobMemory, reader: _Reader,
             started: float) -> HistorySummary:
    """The counts of the walk: blobs the scan considers (not trees, not left out)."""
    skipped: Counter[str] = Counter()
    blobs = 0
    for sha in considered:
        if sha in memory.trees:
            continue
        blobs += 1
        reason = memory.skipped.get(sha) or reader.unsearched.get(sha)
        if reason:
            skipped[reason] += 1
    if commits.missing:
        skipped["missing"] = len(commits.missing)
    return HistorySummary(
        commits=len(commits.commits), blobs=blobs, blobs_read=reader.read_count,
        candidates=reader.candidates, skipped=dict(sorted(skipped.items())),
        duration_seconds=round(time.monotonic() - started, 3))


class _Reader:
    """Reads blobs and keeps what each yields in the store's memory."""

    def __init__(self, context: AnalysisContext, store: HistoryStore) -> None:
        self.context = context
        self.store = store
        self.read_count = 0
        self.candidates = 0
        self.unsearched: dict[str, str] = {}
        self.problems: list[Diagnostic] = []

    def read(self, root: Path, unknown: dict[str, str], commits: Walk) -> None:
        if not unknown:
            return
        memory = self.store.memory
        self.store.changed = True
        wanted = [blob for blob in unknown if blob not in commits.missing]
        readable = []
        for sha, (kind, size) in sizes(root, wanted).items():
            if kind == "tree":
                memory.trees.add(sha)
            elif size == MISSING:
                commits.missing.add(sha)
            elif size > STREAM_LIMIT:
                memory.skipped[sha] = "too-large"
            elif kind == "blob":
                readable.append(sha)
        self.read_count = len(readable)
        for blob, body in contents(root, readable):
            path = unknown[blob]
            outcome = self._analysed(path, body)
            if isinstance(outcome, str):
                if outcome in KEPT_SKIPS:
                    memory.skipped[blob] = outcome
                else:
                    self.unsearched[blob] = "unsearched"
                    holder = commits.blobs[blob][1]
                    self.problems.append(Diagnostic(
                        path, f"in commit {holder}: {outcome}; ids in this version of the "
                        "file may go unreported", Severity.WARNING))
            elif outcome:
                memory.found[blob] = (path, outcome)
            else:
                memory.plain.add(blob)

    def _analysed(self, path: str, body: Body) -> tuple[Detection, ...] | str:
        """The blob's detections (empty for the common blob that holds no candidate), or why
        it was not searched."""
        context = self.context
        try:
            if context.max_file_size is not None and body.size > context.max_file_size:
                with time_budget(context.file_budget):
                    self.candidates += 1
                    return _ids(search_pieces(path, body.pieces(), context,
                                              kind_of(path).format).findings)
            readable = as_text(body.whole())
            if readable is None:
                return "binary"
            if not context.rules.is_candidate(readable[0]):
                return ()
            self.candidates += 1
            return _analyse_text(path, readable[0], context)
        except BinaryFile:
            return "binary"
        except OverBudget as exc:
            return f"{exc} searching its bytes for ids"
        except Exception as exc:  # a bug ftscan has with one blob must not cost the history
            return f"ftscan failed on this file ({type(exc).__name__}: {exc}); please report this"


def _analyse_text(path: str, data: bytes, context: AnalysisContext) -> tuple[Detection, ...]:
    """A candidate blob's detections, as the scan's analysis of a file at ``path`` makes
    them; past the time budget, its bytes searched for ids alone (as the scan does)."""
    kind = kind_told_by(kind_of(path), data)
    try:
        with time_budget(context.file_budget):
            return _ids(analyse_text(path, decode(data)[0], kind, context, lean=True).findings)
    except OverBudget:
        pieces = (data[at:at + PIECE] for at in range(0, len(data), PIECE))
        with time_budget(context.file_budget):
            return _ids(search_pieces(path, pieces, context, kind.format, GIVEN_UP).findings)



def _ids(detections: Iterable[Detection]) -> tuple[Detection, ...]:
    """The detections history reports (:data:`ID_ROLES`, with an id)."""
    return tuple(d for d in detections if d.model_id and d.role in ID_ROLES)


_Group = list[tuple[str, Detection]]


def _grouped(considered: dict[str, str], store: HistoryStore, in_head: frozenset[str],
             ) -> dict[tuple[str, str], _Group]:
    """Per (id, path), each blob that held the id there and its first detection of it,
    newest blob first (the walk's order)."""
    groups: dict[tuple[str, str], _Group] = {}
    for blob, path in considered.items():
        known = store.memory.found.get(blob)
        if known is None or known[0] != path:
            continue
        seen: set[str] = set()
        for detection in known[1]:
            model_id = detection.model_id
            if model_id in in_head or model_id in seen:
                continue
            seen.add(model_id)
            groups.setdefault((model_id, path), []).append((blob, detection))
    return groups


def _dated(root: Path, revs: Revisions, commits: Walk,
           groups: dict[tuple[str, str], _Group]) -> list[Detection]:
    """Each group's detection, with the commits that held it and the one that removed it."""
    if not groups:
        return []
    oldest = oldest_holders(root, revs, {blob for group in groups.values()
                                         for blob, _ in group})
    order = {commit: rank for rank, commit in enumerate(dict.fromkeys(oldest.values()))}
    newest = {key: commits.blobs[group[0][0]][1] for key, group in groups.items()}
    removed = commits.removals(set(newest.values()))
    found = []
    for key, group in groups.items():
        last = newest[key]
        first = min((oldest.get(blob, commits.commits[commits.blobs[blob][1]])
                     for blob, _ in group), key=lambda commit: order.get(commit, len(order)))
        found.append(replace(group[0][1], history=PastSite(
            last=commits.commits[last], first=first, removed=removed.get(last),
            versions=len(group))))
    return sorted(found, key=lambda d: (d.location, d.rule_id, d.model_id))


def in_head_ids(detections: Iterable[Detection]) -> frozenset[str]:
    """Every id the scan of the tree reports (a use names all it reaches)."""
    return frozenset(model_id for d in detections
                     for model_id in (d.model_id, *d.model_ids) if model_id)
