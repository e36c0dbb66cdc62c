"""The two phases of a scan over one repository's files: the first (every literal id, and the
facts of the code worth following, :mod:`ftscan.pipeline.firstpass`) and the alias phase (the
code that reaches an id by name, :mod:`ftscan.pipeline.aliases`), then owners and inline
suppressions (:mod:`ftscan.pipeline.post`).

:mod:`ftscan.pipeline.repository` imports this only when a scan cannot be replayed
(:mod:`ftscan.cache.replay`): it brings in every parser, and a replayed scan needs none of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ftscan.cache.replay import Analysed, Footprint, paths_digest
from ftscan.cache.store import ScanCache
from ftscan.config import DEFAULT_MAX_FILE_SIZE, Config
from ftscan.discovery import FileEntry, SkippedEntry
from ftscan.gitfiles import GitListing
from ftscan.models import Diagnostic, Severity
from ftscan.pipeline.aliases import (
    AliasPhase,
    import_reader,
    module_parser,
    name_search,
    resolve_aliases,
)
from ftscan.pipeline.analysis import AnalysisContext
from ftscan.pipeline.examine import Examiner
from ftscan.pipeline.filelist import FileList, list_files
from ftscan.pipeline.firstpass import DefinitionsPass
from ftscan.pipeline.post import settle
from ftscan.pipeline.reading import text_reader
from ftscan.result import ScanError, ScanSummary
from ftscan.search import EngineMissing, engine_named
from ftscan.suppress import Markers
from ftscan.suppress import markers as suppression_markers

if TYPE_CHECKING:
    from ftscan.result import ScanOptions


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
            walked = {e.relpath: e for e in entries if isinstance(e, FileEntry)}
            second = resolve_aliases(root, first, config.sinks, max_size, context,
                                     name_search(root, examiner, cache, search),
                                     module_parser(examiner, max_size, cache, walked),
                                     import_reader(examiner, walked))
        else:
            second = AliasPhase([], [], [], {})
    if cache is not None:
        problem = cache.save()
        cache_problems += [problem] if problem else []
    detections, problems = settle(
        [*first.findings, *second.findings], root,
        _markers_reader(first.markers, second.texts, text_reader(root, max_size)))
    diagnostics = [*setup_problems, *problems, *first.diagnostics, *second.diagnostics]
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
        modules_followed=_modules_followed(first, second),
        unresolved=second.unresolved,
        resolver_steps=second.steps,
    )
    return Analysed(detections, diagnostics, summary, _footprint(entries, first, second))


def _footprint(entries: Sequence[FileEntry | SkippedEntry], first: DefinitionsPass,
               second: AliasPhase) -> Footprint:
    """What the analysis read beyond each file's own facts."""
    return Footprint(
        considered=paths_digest(e.relpath for e in entries),
        contributing=frozenset(first.contributing),
        followed=frozenset(second.followed),
        names=frozenset(second.names_searched),
        env_names=frozenset(first.env_names) if first.follow_aliases else frozenset(),
    )


def _modules_followed(first: DefinitionsPass, second: AliasPhase) -> dict[str, int]:
    """Modules whose names were followed, by language."""
    language = {path: name for name, paths in first.code_files.items() for path in paths}
    return dict(sorted(Counter(language.get(path, "") for path in
                               [*first.modules, *second.modules_parsed]).items()))


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
