"""The last analysis carried over, not redone, when no edit since can change a finding.

A pre-commit run, or CI on a commit that touched a few files, scans a repository whose files are
nearly all as the last scan saw them. The scan cache keeps each file's own facts, but the alias
phase follows names across the whole program, and building that again costs seconds in a large
application, for every edit anywhere. Most edits are to files that take no part in it. An edited
file takes none when, before and after the edit:

- it is a file of code, prose (Markdown, text) or a style sheet that the scan considers (the
  same set of files is considered), and not one read for what it says of the repository (a
  service or workspace marker, CODEOWNERS, a component file that names an owner): no carrier
  reads such a file for the sake of others, and no language plug-in reads it to resolve names;
- the first phase got nothing from it the last time (no candidate id, no read of a variable
  bound to an id, no problem), and gets nothing from it now;
- the alias phase did not hold its facts, and it holds none of the names that phase searched
  the files of code for.

Then no round of the alias phase would select the file, the program is the same, and so is
every finding: the last analysis stands as it was. Anything else (a file added, removed or
renamed, a configuration file edited, more than :data:`MAX_EDITS` edits) runs both phases.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Sequence

from ftscan.cache.replay import Analysed, FileIdentities, Footprint, LastScan, paths_digest
from ftscan.comments import CommentSyntax
from ftscan.discovery import FileEntry, SkippedEntry
from ftscan.filekinds import FileKind
from ftscan.flow.phase import SERVICE_MARKERS, WORKSPACE_MARKERS
from ftscan.ownership import CODEOWNERS_LOCATIONS, COMPONENT_FILES
from ftscan.parsers import Format
from ftscan.pipeline import reading
from ftscan.pipeline.analysis import AnalysisContext
from ftscan.pipeline.examine import Examiner
from ftscan.search.words import holds_any

MAX_EDITS = 64
"""Edited files looked at one by one at most; beyond, both phases run (and use the cache)."""
READ_FOR_MORE_THAN_CODE = frozenset({
    *SERVICE_MARKERS, *WORKSPACE_MARKERS, *COMPONENT_FILES,
    *(posixpath.basename(p) for p in CODEOWNERS_LOCATIONS),
})
"""File names a scan reads for what they say of the repository (services, owners)."""


def carried_over(last: LastScan, now: FileIdentities,
                 entries: Sequence[FileEntry | SkippedEntry], context: AnalysisContext,
                 ) -> Analysed | None:
    """The last analysis, when every edit since it changes no finding; else ``None``.
    ``entries``: the files the scan considers now."""
    footprint = last.analysed.footprint
    edited = now.changed_since(last.files)
    if footprint is None or not edited or len(edited) > MAX_EDITS:
        return None
    considered = {e.relpath: e for e in entries}
    if paths_digest(considered) != footprint.considered:
        return None
    looked_at: list[FileEntry] = []
    for path in sorted(edited):
        if posixpath.basename(path) in READ_FOR_MORE_THAN_CODE:
            return None
        entry = considered.get(path)
        if entry is None:  # not considered, then or now: nothing of it is read
            continue
        # its kind now was its kind then: a file's kind goes by its name
        if not (isinstance(entry, FileEntry) and _may_take_no_part(entry.kind)
                and _took_no_part(path, footprint)):
            return None
        looked_at.append(entry)
    if not _yield_nothing(looked_at, footprint, context):
        return None
    summary = dataclasses.replace(
        last.analysed.summary, replayed=1,
        files_from_cache=last.analysed.summary.files_considered - len(looked_at))
    return dataclasses.replace(last.analysed, summary=summary)


def _may_take_no_part(kind: FileKind) -> bool:
    """Is a file of this kind read for itself alone (unless it holds an id, or is a module
    whose names are followed)?"""
    return (kind.language is not None or kind.format is Format.PROSE
            or kind.comments is CommentSyntax.CSS)


def _took_no_part(path: str, footprint: Footprint) -> bool:
    """Did the last analysis get nothing from the file at ``path``?"""
    return path not in footprint.contributing and path not in footprint.followed


def _yield_nothing(entries: list[FileEntry], footprint: Footprint,
                   context: AnalysisContext) -> bool:
    """Do the files as they are now yield nothing to the first phase, and do those of code
    hold none of the names the alias phase searched for?"""
    if not entries:
        return True
    for entry in entries:
        data = reading.read_bytes(entry, max_size=context.max_file_size)
        if isinstance(data, SkippedEntry):
            return False
        # names are searched for in files of code only
        if entry.kind.language is not None and footprint.names \
                and holds_any(footprint.names, data):
            return False
    with Examiner(context, jobs=1) as examiner:
        for facts in examiner.run(entries, footprint.env_names):
            if facts is None:  # yields nothing, whatever the scan
                continue
            outcome = facts.outcome(footprint.env_names, context.follow_names)
            if outcome is None or outcome.contributes:
                return False
    return True


