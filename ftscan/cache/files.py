"""ftscan's files in the user's cache folder: where they live, what their key covers, and how
they are written and read back safely.

Light on purpose (no parser is imported): a scan replayed from its last run
(:mod:`ftscan.cache.replay`) reads one of these files and nothing else. A cache file is written
atomically and privately, read only when this user wrote it and nobody else may write it, and
unpickled with a loader that builds nothing but ftscan's own data classes and enums (of modules
already imported) and a few plain types.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import gc
import hashlib
import importlib.util
import io
import os
import pickle
import re
import stat
import sys
import time
from pathlib import Path
from typing import Any

from ftscan import __version__
from ftscan.atomic import write_atomic

CACHE_FORMAT = 5
CACHE_PREFIX = "ftscan-"
_MAGIC = b"ftscan-cache\n"
CACHE_KINDS = ("cache", "journal", "replay", "files", "sarif", "csv", "history")
"""The suffixes of the files ftscan keeps per repository: the scan cache and its journal, the
replay and what its files were, the reports a replay writes again (:mod:`ftscan.cache.kept`)
and what the blobs of its history yielded (:mod:`ftscan.history.store`)."""
_KIND = "|".join(CACHE_KINDS)
_OWN_FILE = re.compile(
    rf"(?:ftscan-[0-9a-f]{{24}}\.(?:{_KIND})|\.ftscan-[0-9a-f]{{24}}\.(?:{_KIND})\.[\w-]+\.tmp)")
UNUSED_DAYS = 30
"""A repository's cache not used for this long is deleted by the next scan that saves one."""
RACY_SECONDS = 2
"""A file whose mtime is this close to the scan that cached it is verified by content (and a
scan that saw one is not recorded for replay)."""
_PARSING_LIBRARIES = {
    "libcst": "libcst", "hcl2": "python_hcl2", "lark": "lark", "yaml": "pyyaml",
    "ahocorasick_rs": "ahocorasick_rs", "pathspec": "pathspec", "re2": "google_re2",
    "tree_sitter": "tree_sitter", "tree_sitter_javascript": "tree_sitter_javascript",
    "tree_sitter_typescript": "tree_sitter_typescript", "codeowners": "codeowners",
}
"""The libraries whose version decides what a file yields (its parse, its matches, its
owners): import name to distribution name."""
PACKAGE = Path(__file__).resolve().parent.parent
"""ftscan's own package folder."""
_PACKAGE_FILES = (".py", ".yaml")
"""ftscan's own files that decide what a file yields: its code, and the data shipped beside it
(each language's ``sinks.yaml``); the rules are keyed by their digest."""


def default_cache_dir() -> Path:
    """Where caches live when no ``--cache-dir`` is given."""
    explicit = os.environ.get("FTSCAN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "ftscan" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ftscan"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ftscan"


def _installed(module: str, distribution: str) -> str:
    """Which installation of a library is in use, without importing it (importing libcst to
    read its version would cost more than a cached scan): where its package lives, the size of
    its ``__init__``, and the version its ``.dist-info`` folder names. Not the mtime: CI
    installs the same versions afresh on every run (a restored cache must stay valid there);
    a library installed without metadata falls back to the mtime, so any reinstall counts."""
    try:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin is None:
            return "missing"
        info = os.stat(origin)
    except (ImportError, ValueError, OSError):
        return "missing"
    version = _versions(os.path.dirname(os.path.dirname(origin))).get(distribution)
    return f"{origin}:{info.st_size}:{version or info.st_mtime_ns}"


@functools.cache
def _versions(site: str) -> dict[str, str]:
    """The distributions installed in ``site`` (a ``site-packages`` folder): normalised name
    to version, from the names of their ``.dist-info`` folders."""
    try:
        names = os.listdir(site)
    except OSError:
        return {}
    found = {}
    for name in names:
        if name.endswith(".dist-info"):
            project, _, version = name[:-len(".dist-info")].partition("-")
            found[re.sub(r"[-_.]+", "_", project).lower()] = version
    return found


def cache_key(rules_digest: str, package: Path = PACKAGE) -> str:
    """Everything besides a file's bytes that decides what the file yields: the versions of
    ftscan, Python and the parsing libraries, the rules, and ftscan's own code and data files
    (a development checkout changes without a version bump). Not the date or the lifecycle
    data: what is kept holds no verdict."""
    digest = hashlib.sha256()
    for part in (str(CACHE_FORMAT), __version__, sys.version, rules_digest):
        digest.update(part.encode() + b"\0")
    for name, distribution in _PARSING_LIBRARIES.items():
        digest.update(f"{name}={_installed(name, distribution)}".encode() + b"\0")
    for path in sorted(p for p in package.rglob("*") if p.suffix in _PACKAGE_FILES):
        with contextlib.suppress(OSError):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0"
                          + path.read_bytes())
    return digest.hexdigest()

def _foreign(path: Path) -> str | None:
    """Why a cache file cannot be trusted whatever it holds: someone else could have written
    it (another user owns it, or anyone may write it; a cache folder in a shared place)."""
    if not hasattr(os, "getuid"):
        return None  # Windows: the user's own profile folder
    info = path.stat()
    if info.st_uid != os.getuid():
        return "belongs to another user"
    if info.st_mode & 0o022:
        return "is writable by other users"
    return None


def _prune(folder: Path, keep: Path) -> None:
    """Delete the caches (and temporary files a crash left) not used for a while: a sweep of
    many short-lived checkouts must not fill the disk. Only ftscan's own files are touched,
    whatever else the folder holds (``--cache-dir /tmp`` must not sweep ``/tmp``): a name
    ftscan gives its files, a regular file of this user, and for a cache ftscan's header."""
    cutoff = time.time() - UNUSED_DAYS * 86400
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name == keep.name or not _OWN_FILE.fullmatch(name):
            continue
        path = folder / name
        with contextlib.suppress(OSError):
            info = path.lstat()
            if (not stat.S_ISREG(info.st_mode) or info.st_mtime >= cutoff
                    or hasattr(os, "getuid") and info.st_uid != os.getuid()):
                continue
            if not name.endswith(".tmp"):  # a crash's leftover has no header to check
                with open(path, "rb") as handle:
                    if handle.read(len(_MAGIC)) != _MAGIC:
                        continue
            path.unlink()


def cache_file(cache_dir: Path, root: Path, suffix: str) -> Path:
    """Where ftscan keeps a file of ``suffix`` for the repository at ``root``."""
    where = str(root.resolve())
    name = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return cache_dir / f"{CACHE_PREFIX}{name}{suffix}"


def dump_private(path: Path, payload: object) -> str | None:
    """Write ``payload`` (ftscan's own data) to ``path`` as a cache file: pickled after
    ftscan's header, atomically, readable by the user alone. Returns a problem, if any."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        buffer.write(_MAGIC)
        pickle.dump(payload, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(path, buffer.getvalue(), private=True)
    except (OSError, pickle.PicklingError, RecursionError) as exc:
        return f"cannot write the cache {path}: {exc}"
    return None


def unpickle(data: bytes) -> Any:
    """What :func:`dump_private` wrote into ``data``, built by the restricted loader; raises
    when ``data`` is not such a file."""
    if not data.startswith(_MAGIC):
        raise ValueError("not an ftscan cache")
    gc.disable()  # tens of thousands of small objects: no point looking for cycles meanwhile
    try:
        return _Unpickler(io.BytesIO(memoryview(data)[len(_MAGIC):])).load()
    finally:
        gc.enable()


def load_private(path: Path) -> Any:
    """What :func:`dump_private` wrote, or ``None`` when there is nothing usable: missing,
    written by someone else, or not ftscan's own data (only ftscan's data classes and enums
    are ever built from it)."""
    try:
        data = path.read_bytes()
        return None if _foreign(path) else unpickle(data)
    except Exception:  # anything at all: a cache is only ever an optimisation
        return None


def load_keyed(path: Path, key: str) -> Any:
    """What :func:`dump_keyed` kept under ``key`` at ``path``; ``None`` when nothing usable is
    there, or it was kept under another key."""
    stored = load_private(path)
    if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != key:
        return None
    return stored[1]


def dump_keyed(path: Path, key: str, payload: object) -> str | None:
    """Keep ``payload`` at ``path`` under ``key`` (:func:`dump_private`: returns a problem,
    if any)."""
    return dump_private(path, (key, payload))


class _Unpickler(pickle.Unpickler):
    """Builds nothing but ftscan's own data classes and enums and a few plain types: no
    function, no other class, whatever the file says."""

    _ALLOWED = {("builtins", "frozenset"), ("builtins", "set"), ("datetime", "date")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        # only modules already imported: looking a class up must never import (and run) one
        if module.startswith("ftscan.") and module in sys.modules and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and (dataclasses.is_dataclass(found)
                                            or issubclass(found, enum.Enum)):
                return found
        raise pickle.UnpicklingError(f"refused {module}.{name}")
