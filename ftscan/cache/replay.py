"""A scan whose every input is unchanged since the last one is replayed, not recomputed.

The warm path of a repository nobody touched since the last scan (a developer running ftscan
again, CI on a commit it scanned before, a scheduled scan the next day) should cost a listing
and a report. The first phase and the alias phase depend only on the repository's files, the
rules, the configuration and ftscan itself; git's listing names every file with its blob id
(and the few files it does not vouch for are looked at with ``lstat``; what decides the bytes a
blob is checked out as is in the key too, :mod:`ftscan.checkout`). When all of these hash to
the key of the last scan, that scan's detections and diagnostics are used as they are. The
date, the warning window and the lifecycle data are not in the key: verdicts are applied to
the detections afterwards (:mod:`ftscan.verdicts`), as is anything the run adds on top (a
baseline, changed lines only, the files pre-commit passed).

A scan that gave a file up (a timeout, a read error, a crash) is not recorded: the next scan
tries again, as the scan cache does.

When some files did change, the last scan is kept as a starting point: what each file was
then (:class:`FileIdentities`), and what the analysis read beyond each file's own facts
(:class:`Footprint`). :mod:`ftscan.pipeline.narrow` uses them to tell edits that cannot change
any finding (a file of code that holds nothing the scan looks for, in a repository where its
names are not followed) from the rest.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftscan.cache.files import (
    RACY_SECONDS,
    cache_file,
    dump_keyed,
    dump_private,
    load_keyed,
    load_private,
)
from ftscan.discovery import FileEntry, SkippedEntry

if TYPE_CHECKING:
    from ftscan.models import Detection, Diagnostic
    from ftscan.result import ScanSummary

REPLAY_FORMAT = 3
_UNVOUCHED = re.compile(r"(?:^|\0)(?:[^\0 ]* 120000|[a-zS] \d+) [^\0\t]*\t([^\0]*)")
"""A record of ``git ls-files --stage -v -z`` output (status tag, mode, blob id, stage, tab,
path) whose blob id says nothing of the bytes on disk: a symlink's (its blob is its target),
or one git does not compare with the work tree (assume-unchanged: a lowercase tag;
skip-worktree: ``S``). The path."""
UNSETTLED_REASONS = frozenset({"unreadable", "failed", "unsearched"})


@dataclass(frozen=True)
class Footprint:
    """What an analysis read beyond each file's own facts: with it, an edit to a file can be
    told to change no finding anywhere (:mod:`ftscan.pipeline.narrow`)."""

    considered: str
    """What the paths of the files the scan considered hash to (:func:`paths_digest`): the
    files ignore rules leave in, read or not."""
    contributing: frozenset[str]
    """Files the first phase got anything from: a candidate, a kept module, a problem, a
    reason to leave them out. Every other file yielded nothing."""
    followed: frozenset[str]
    """Modules of code the alias phase held the facts of, or tried to."""
    names: frozenset[str]
    """The names the alias phase searched the files of code for."""
    env_names: frozenset[str]
    """Environment variables bound to an id: the first phase reads files of code for them."""


def paths_digest(paths: Iterable[str]) -> str:
    """A digest of a set of paths, whatever their order."""
    return hashlib.sha256("\0".join(sorted(paths)).encode("utf-8", "surrogateescape")
                          ).hexdigest()


@dataclass(frozen=True)
class Analysed:
    """What a repository's files say under a configuration: the part of a scan a replay
    keeps. Detections hold no verdict (:mod:`ftscan.verdicts` judges them afterwards, for the
    scan's date), and no baseline, changed lines or file selection is applied to them."""

    findings: list[Detection]
    diagnostics: list[Diagnostic]
    summary: ScanSummary
    footprint: Footprint | None = None
    """Set by a scan that ran both phases over the whole repository."""


@dataclass(frozen=True)
class FileIdentities:
    """What each file of a scan was, compactly: git's listing of tracked files (each known by
    its mode and blob id), with the ``lstat`` data of the files it does not vouch for (or of
    every file, for a tree without git) overriding it. Kept with the replay, read as a
    mapping only when a scan differs from the last."""

    tracked: str = ""
    seen: dict[str, str] = field(default_factory=dict)

    def by_path(self) -> dict[str, str]:
        """Path → what identifies its content."""
        identities: dict[str, str] = {}
        for record in self.tracked.split("\0"):
            info, tab, path = record.partition("\t")
            if tab:  # a path in conflict has a record per stage: all of them identify it
                identities[path] = identities.get(path, "") + info
        identities.update(self.seen)
        return identities

    def changed_since(self, earlier: FileIdentities) -> set[str]:
        """The paths whose identity differs from ``earlier``'s: edited, added or removed."""
        if self.tracked == earlier.tracked:  # only files git does not vouch for changed
            now, then = self.seen, earlier.seen
        else:
            now, then = self.by_path(), earlier.by_path()
        return {p for p in now.keys() | then.keys() if now.get(p) != then.get(p)}


@dataclass(frozen=True)
class Inputs:
    """What the files of a scan hash to, and the newest modification time among the files
    known by their ``lstat`` data only (0 when there are none)."""

    digest: str
    newest_ns: int
    files: FileIdentities = field(default_factory=FileIdentities)

    def settled(self, now_ns: int) -> bool:
        """Can this key be recorded? A file modified less than :data:`RACY_SECONDS` ago may
        change again within the same timestamp tick, invisibly to ``lstat``: a scan that saw
        such a file is not recorded (the scan cache makes the same choice)."""
        return self.newest_ns < now_ns - RACY_SECONDS * 10**9


def listing_digest(root: Path, outputs: tuple[str, str, str]) -> Inputs:
    """A digest of what git says the work tree holds (:class:`ftscan.gitfiles.PendingListing`
    outputs: every tracked file's mode, blob id and path, the changed ones and the untracked
    ones), with the ``lstat`` data of the files git does not vouch for by blob id (changed,
    untracked, symlinks, assume-unchanged and skip-worktree files: their content can change
    without git's listing changing)."""
    tracked, changed, untracked = outputs
    digest = hashlib.sha256()
    for output in outputs:
        digest.update(output.encode("utf-8", "surrogateescape") + b"\1")
    unvouched = {p for p in (*changed.split("\0"), *untracked.split("\0")) if p}
    if " 120000 " in tracked or tracked.count("\0H ") + tracked.startswith("H ") != \
            tracked.count("\0"):  # not every record a regular file git vouches for (rare)
        unvouched.update(_UNVOUCHED.findall(tracked))
    base = os.path.join(str(root), "")
    newest = 0
    seen: dict[str, str] = {}
    for path in sorted(unvouched):
        try:
            info = os.lstat(base + path)
            stat = (info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
            newest = max(newest, info.st_mtime_ns, info.st_ctime_ns)
        except OSError:
            stat = None
        digest.update(f"\1{path}\0{stat}".encode("utf-8", "surrogateescape"))
        seen[path] = f"{stat}"
    return Inputs(digest.hexdigest(), newest, FileIdentities(tracked, seen))


def walk_digest(entries: Iterable[FileEntry | SkippedEntry]) -> Inputs:
    """A digest of the files the walk of a tree that is no git repository found: each path
    with its ``lstat`` signature (size, modification and change times, inode), as the scan
    cache trusts them, and each file left out with the reason."""
    records: list[str] = []
    seen: dict[str, str] = {}
    newest = 0
    for entry in entries:
        if isinstance(entry, SkippedEntry):
            seen[entry.relpath] = entry.reason
        else:
            signature = entry.signature
            if len(signature) == 4:
                newest = max(newest, int(signature[1]), int(signature[2]))
            else:  # no stat data to key on: never recorded
                newest = max(newest, 1 << 62)
            seen[entry.relpath] = f"{signature}"
        records.append(f"\1{entry.relpath}\0{seen[entry.relpath]}")
    digest = hashlib.sha256("".join(records).encode("utf-8", "surrogateescape"))
    return Inputs(digest.hexdigest(), newest, FileIdentities(seen=seen))


@dataclass(frozen=True)
class LastScan:
    """The last scan recorded under the same settings, whatever its files were."""

    analysed: Analysed
    files: FileIdentities


class Replay:
    """The last scan of one repository: its key (every input), the key of its settings (every
    input but the files), and what its files were.

    Two files: the record (the keys and the analysis), read by every scan that keeps a cache,
    and what each file was (:class:`FileIdentities`: 4.9 MB for a tree of 50,000 files, where
    the record is 34 KB), read only when the record's key is not this scan's. The second names
    the record's key: one left from another scan is not used."""

    def __init__(self, path: Path, key: str, settings_key: str) -> None:
        self.path = path
        self.files_path = path.with_suffix(".files")
        self.key = key
        self.settings_key = settings_key
        self._stored: Any = None
        self._loaded = False

    @classmethod
    def at(cls, cache_dir: Path, root: Path, parts: Iterable[object], files_digest: str,
           ) -> Replay:
        """The replay file for ``root`` under ``cache_dir``; ``parts`` are every input of
        the scan besides the files, ``files_digest`` what the files hash to."""
        digest = hashlib.sha256(f"{REPLAY_FORMAT}".encode())
        for part in parts:
            digest.update(b"\0" + repr(part).encode("utf-8", "surrogateescape"))
        settings_key = digest.hexdigest()
        digest.update(b"\0" + files_digest.encode())
        return cls(cache_file(cache_dir, root, ".replay"), digest.hexdigest(), settings_key)

    def _load(self) -> Any:
        if not self._loaded:
            stored = load_private(self.path)
            self._stored = stored if _well_formed(stored) else None
            self._loaded = True
        return self._stored

    def load(self) -> Analysed | None:
        """What the last scan recorded, when its inputs were the same; else ``None``."""
        stored = self._load()
        if stored is not None and stored[0] == self.key:
            return stored[2]  # type: ignore[no-any-return]
        return None

    def last(self) -> LastScan | None:
        """The last scan recorded under the same settings (its files may differ)."""
        stored = self._load()
        if stored is None or stored[1] != self.settings_key:
            return None
        files = load_keyed(self.files_path, stored[0])
        if not isinstance(files, FileIdentities):
            return None
        return LastScan(stored[2], files)

    def save(self, analysed: Analysed, files: FileIdentities) -> str | None:
        """Record this scan's outcome; returns a problem when it could not be written."""
        return (dump_keyed(self.files_path, self.key, files)
                or dump_private(self.path, (self.key, self.settings_key, analysed)))


def _well_formed(stored: Any) -> bool:
    return (isinstance(stored, tuple) and len(stored) == 3
            and isinstance(stored[2], Analysed))
