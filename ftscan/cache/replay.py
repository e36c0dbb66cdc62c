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
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftscan.cache.files import RACY_SECONDS, cache_file, dump_keyed, load_keyed
from ftscan.discovery import FileEntry, SkippedEntry

if TYPE_CHECKING:
    from ftscan.models import Detection, Diagnostic
    from ftscan.result import ScanSummary

REPLAY_FORMAT = 1
_UNVOUCHED = re.compile(r"(?:^|\0)(?:[^\0 ]* 120000|[a-zS] \d+) [^\0\t]*\t([^\0]*)")
"""A record of ``git ls-files --stage -v -z`` output (status tag, mode, blob id, stage, tab,
path) whose blob id says nothing of the bytes on disk: a symlink's (its blob is its target),
or one git does not compare with the work tree (assume-unchanged: a lowercase tag;
skip-worktree: ``S``). The path."""
UNSETTLED_REASONS = frozenset({"unreadable", "failed", "unsearched"})


@dataclass(frozen=True)
class Analysed:
    """What a repository's files say under a configuration: the part of a scan a replay
    keeps. Detections hold no verdict (:mod:`ftscan.verdicts` judges them afterwards, for the
    scan's date), and no baseline, changed lines or file selection is applied to them."""

    findings: list[Detection]
    diagnostics: list[Diagnostic]
    summary: ScanSummary


@dataclass(frozen=True)
class Inputs:
    """What the files of a scan hash to, and the newest modification time among the files
    known by their ``lstat`` data only (0 when there are none)."""

    digest: str
    newest_ns: int

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
    for path in sorted(unvouched):
        try:
            info = os.lstat(base + path)
            seen = (info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
            newest = max(newest, info.st_mtime_ns, info.st_ctime_ns)
        except OSError:
            seen = None
        digest.update(f"\1{path}\0{seen}".encode("utf-8", "surrogateescape"))
    return Inputs(digest.hexdigest(), newest)


def walk_digest(entries: Iterable[FileEntry | SkippedEntry]) -> Inputs:
    """A digest of the files the walk of a tree that is no git repository found: each path
    with its ``lstat`` signature (size, modification and change times, inode), as the scan
    cache trusts them, and each file left out with the reason."""
    records: list[str] = []
    newest = 0
    for entry in entries:
        if isinstance(entry, SkippedEntry):
            records.append(f"\1{entry.relpath}\0{entry.reason}")
            continue
        signature = entry.signature
        if len(signature) == 4:
            newest = max(newest, int(signature[1]), int(signature[2]))
        else:  # no stat data to key on: never recorded
            newest = max(newest, 1 << 62)
        records.append(f"\1{entry.relpath}\0{signature}")
    digest = hashlib.sha256("".join(records).encode("utf-8", "surrogateescape"))
    return Inputs(digest.hexdigest(), newest)


class Replay:
    """The last scan of one repository, and the key of its inputs."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key

    @classmethod
    def at(cls, cache_dir: Path, root: Path, parts: Iterable[object]) -> Replay:
        """The replay file for ``root`` under ``cache_dir``; ``parts`` are every input of
        the scan besides the listing (already digested into them)."""
        digest = hashlib.sha256(f"{REPLAY_FORMAT}".encode())
        for part in parts:
            digest.update(b"\0" + repr(part).encode("utf-8", "surrogateescape"))
        return cls(cache_file(cache_dir, root, ".replay"), digest.hexdigest())

    def load(self) -> Any:
        """What the last scan recorded, when its inputs were the same; else ``None``."""
        return load_keyed(self.path, self.key)

    def save(self, payload: object) -> str | None:
        """Record this scan's outcome; returns a problem when it could not be written."""
        return dump_keyed(self.path, self.key, payload)
