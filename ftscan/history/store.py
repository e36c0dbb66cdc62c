"""What each blob of a repository's history yielded, kept between runs: a blob never changes,
so a second ``scan --history`` reads only the blobs committed since the first.

One file per repository in the scan cache's folder (:mod:`ftscan.cache.files`: written
atomically and privately, read back only when this user wrote it, unpickled by the loader that
builds nothing but ftscan's own data), under the key of the scan cache (ftscan's code, the
rules, the parsing libraries) and the size limit. Blobs that were not fully searched (out of
time, a failure of ftscan's) are not kept: the next run tries them again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ftscan.cache.files import cache_file, dump_keyed, load_keyed
from ftscan.models import Detection

KEPT_SKIPS = frozenset({"binary", "too-large"})
"""Why a blob was not searched, when the reason is its bytes (kept, unlike a time-out)."""


@dataclass
class BlobMemory:
    """What blobs yielded: nothing (most), detections (under the path they were read as, which
    decides their kind), or a reason they were skipped."""

    plain: set[str] = field(default_factory=set)
    found: dict[str, tuple[str, tuple[Detection, ...]]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    trees: set[str] = field(default_factory=set)
    """Objects the walk lists that are folders, not files."""

    def knows(self, blob: str, path: str) -> bool:
        """Is what ``blob`` yields at ``path`` known?"""
        if blob in self.plain or blob in self.skipped or blob in self.trees:
            return True
        known = self.found.get(blob)
        return known is not None and known[0] == path


@dataclass
class HistoryStore:
    """The history cache of one repository (``None`` folder: nothing kept)."""

    path: Path | None
    key: str
    memory: BlobMemory
    changed: bool = False

    @classmethod
    def open(cls, cache_dir: Path | None, root: Path, facts_key: str, max_size: int,
             ) -> HistoryStore:
        key = hashlib.sha256(f"{facts_key}\0{max_size}".encode()).hexdigest()
        if cache_dir is None:
            return cls(None, key, BlobMemory())
        path = cache_file(cache_dir, root, ".history")
        stored = load_keyed(path, key)
        return cls(path, key, stored if isinstance(stored, BlobMemory) else BlobMemory())

    def save(self) -> str | None:
        """Write what this run learnt (a problem, if it could not be written)."""
        if self.path is None or not self.changed:
            return None
        return dump_keyed(self.path, self.key, self.memory)
