"""A scan whose every input is unchanged since the last one is replayed, not recomputed.

The warm path of a repository nobody touched since the last scan (a developer running ftscan
again, CI on a commit it scanned before) should cost a listing and a report. The first phase
and the alias phase depend only on the repository's files, the rules, the configuration, ftscan
itself and the day; git's listing names every file with its blob id (and the few files it does
not vouch for are looked at with ``lstat``). When all of these hash to the key of the last
scan, that scan's findings and diagnostics are used as they are; anything the run adds on top
(a baseline, changed lines only, the files pre-commit passed) is applied afresh.

A scan that gave a file up (a timeout, a read error, a crash) is not recorded: the next scan
tries again, as the scan cache does.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftscan.cachefiles import cache_file, dump_private, load_private

if TYPE_CHECKING:
    from ftscan.api import ScanSummary
    from ftscan.models import Diagnostic, Finding

REPLAY_FORMAT = 1
UNSETTLED_REASONS = frozenset({"unreadable", "timeout", "failed"})


@dataclass(frozen=True)
class Analysed:
    """What a repository's files say under a configuration: the part of a scan a replay
    keeps, before a baseline, changed lines or the files asked for are applied."""

    findings: list[Finding]
    diagnostics: list[Diagnostic]
    summary: ScanSummary


def listing_digest(root: Path, outputs: tuple[str, str, str]) -> str:
    """A digest of what git says the work tree holds (:class:`ftscan.gitfiles.PendingListing`
    outputs: every tracked file's mode, blob id and path, the changed ones and the untracked
    ones), with the ``lstat`` data of the files git does not vouch for by blob id (changed,
    untracked, symlinks: their content can change without git's listing changing)."""
    tracked, changed, untracked = outputs
    digest = hashlib.sha256()
    for output in outputs:
        digest.update(output.encode("utf-8", "surrogateescape") + b"\1")
    unvouched = {p for p in (*changed.split("\0"), *untracked.split("\0")) if p}
    unvouched.update(record.partition("\t")[2] for record in tracked.split("\0")
                     if record.partition(" ")[2].startswith("120000"))
    base = os.path.join(str(root), "")
    for path in sorted(unvouched):
        try:
            info = os.lstat(base + path)
            seen = (info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        except OSError:
            seen = None
        digest.update(f"\1{path}\0{seen}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


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
        stored = load_private(self.path)
        if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != self.key:
            return None
        return stored[1]

    def save(self, payload: object) -> str | None:
        """Record this scan's outcome; returns a problem when it could not be written."""
        return dump_private(self.path, (self.key, payload))
