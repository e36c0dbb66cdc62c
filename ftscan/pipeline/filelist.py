"""The files one repository's scan considers: git's listing with ftscan's own ignore rules
applied on top, or else the walk with every ignore file, less the files the run writes itself
(:func:`own_files`); and the ignore-file lines that could not be used, as diagnostics.

Kept apart from :mod:`ftscan.pipeline.phases` (which brings in every parser) because a scan of a
tree that is not a git repository lists its files before it knows whether it can be replayed
(:mod:`ftscan.cache.replay`): the listing is then the replay's key, and the analysis, when one is
needed, reads the same list rather than walking the tree twice.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ftscan.config import Config
from ftscan.discovery import STREAM_LIMIT, FileEntry, IgnoreRules, SkippedEntry, listed, walk
from ftscan.gitfiles import GitListing
from ftscan.models import Diagnostic, Severity

if TYPE_CHECKING:
    from ftscan.result import ScanOptions


@dataclass(frozen=True)
class FileList:
    entries: list[FileEntry | SkippedEntry]
    problems: list[Diagnostic]
    """Ignore-file and ``exclude`` lines that could not be used."""


def list_files(root: Path, targets: Sequence[Path], options: ScanOptions, config: Config,
               listing: GitListing | None, max_size: int) -> FileList:
    """The files under ``targets`` the scan considers (files over the size limit are listed
    too: :mod:`ftscan.pipeline.largefile` reads them in pieces, up to :data:`STREAM_LIMIT`)."""
    default_excludes = next((v for v in (options.default_excludes, config.default_excludes)
                             if v is not None), True)
    ignore = IgnoreRules(root, config.exclude, use_ignore_files=options.use_ignore_files,
                         git_applied=listing is not None, default_excludes=default_excludes)
    read_limit = max(max_size, STREAM_LIMIT)
    entries = list(listed(root, listing, ignore, read_limit) if listing is not None
                   else walk(root, targets, ignore, read_limit))
    own = own_files(root, options)
    if own:
        entries = [SkippedEntry(e.relpath, "ftscan-report", "this run's own report or baseline")
                   if isinstance(e, FileEntry) and e.relpath in own else e for e in entries]
    problems = [Diagnostic(path, message, Severity.WARNING, line)
                for path, line, message in ignore.problems]
    return FileList(entries, problems)


def own_files(root: Path, options: ScanOptions) -> frozenset[str]:
    """The paths, relative to ``root``, of the files this run writes or reads as its own
    (:attr:`ScanOptions.own_files`, the baseline) that lie in the tree. A symlink at such a
    path is not followed: the run replaces it, and what it points to is scanned."""
    real_root = os.path.realpath(root)
    found = set()
    for path in (*options.own_files, *([options.baseline] if options.baseline else [])):
        absolute = os.path.abspath(path)
        folder, name = os.path.split(absolute)
        relpath = os.path.relpath(os.path.join(os.path.realpath(folder), name), real_root)
        if relpath != os.pardir and not relpath.startswith(os.pardir + os.sep):
            found.add(relpath.replace(os.sep, "/"))
    return frozenset(found)
