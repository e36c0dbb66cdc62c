"""Which files a scan reads: a walk that honours ignore files, size limits and symlink rules.

Ignore rules follow git: ``.gitignore`` in every directory (patterns relative to it, deeper
files winning), ``.git/info/exclude``, plus ftscan's own ``.ftscanignore`` files and the
config's ``exclude`` patterns, all with gitignore semantics via pathspec. An ignored directory
is not entered. Symlinks are never followed: one that points outside the root or nowhere is
reported; one that points inside the root is skipped because its target is scanned itself.

In a git repository git itself says which files there are (:mod:`ftscan.gitfiles`, turned into
entries by :func:`listed`): it applies its own ignore rules faster than any walk, and only
ftscan's own are applied on top. The walk serves every other case.
"""

from __future__ import annotations

import bisect
import copy
import errno
import functools
import os
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from ftscan.deployedbuild import is_deployed_build
from ftscan.safefile import UnsafeFile, read_text_limited

if TYPE_CHECKING:
    import pathspec

    from ftscan.filekinds import FileKind
    from ftscan.gitfiles import GitListing

OWN_IGNORE_FILES = (".ftscanignore",)
IGNORE_FILES = (".gitignore", *OWN_IGNORE_FILES)
Signature = tuple[int, ...] | tuple[str]
"""What the scan cache trusts a file by: see :attr:`FileEntry.signature`."""
UNKNOWN_SIZE = -1
"""The size of a :class:`FileEntry` git vouches for but nobody has looked at yet."""
STREAM_LIMIT = 256 * 1024 * 1024
"""Files larger than this are skipped even by the streaming pass
(:mod:`ftscan.pipeline.largefile`)."""
ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})
DEFAULT_EXCLUDED_DIRS = frozenset({
    "node_modules", "bower_components", "jspm_packages", "vendor", "third_party",
    "site-packages", "dist",
})
"""Folders of other people's code and build output, left out unless asked for: a vendored SDK
quotes model ids in its docs and tests, and a PR comment about them helps nobody. A ``dist/``
that is the only copy of the code its package runs is read (:mod:`ftscan.deployedbuild`)."""
DEFAULT_EXCLUDED_SUFFIXES = (".min.js", ".min.mjs", ".min.cjs", ".min.css", ".js.map",
                             ".mjs.map", ".cjs.map", ".css.map")
"""Minified bundles and source maps: built from sources the scan reads anyway."""
DEFAULT_EXCLUDES_TEXT = (
    ", ".join(f"{d}/" for d in sorted(DEFAULT_EXCLUDED_DIRS))
    + ", " + ", ".join(f"*{s}" for s in DEFAULT_EXCLUDED_SUFFIXES))


@dataclass(frozen=True)
class FileEntry:
    """A regular file the scan should read."""

    path: str
    """Where to open it (a plain string: a walk makes tens of thousands of these)."""
    relpath: str
    """Relative to the scan root, forward slashes."""
    size: int
    signature: Signature = ()
    """(size, mtime_ns, ctime_ns, inode) as the walk saw them, or (blob id,) for a tracked file
    git reports unchanged: the cache trusts an unchanged signature instead of reading the file
    again (as git's index does)."""

    @property
    def settled(self) -> bool:
        """Has anyone looked at the file on disk yet (its size known)?"""
        return self.size != UNKNOWN_SIZE

    @functools.cached_property
    def kind(self) -> FileKind:
        """What kind of file it is (:func:`ftscan.filekinds.kind_of`): decided from its path
        the first time it is asked, then carried with the entry (to the workers of a pool
        too). A replayed scan never asks."""
        from ftscan.filekinds import kind_of

        return kind_of(self.relpath)


@dataclass(frozen=True)
class SkippedEntry:
    """A file the scan did not read, and why."""

    relpath: str
    reason: str
    """One of ``too-large``, ``symlink``, ``broken-symlink``, ``outside-root``, ``unreadable``,
    ``timeout`` (its analysis ran out of time), ``failed`` (ftscan had a bug with it),
    ``special`` (a socket, FIFO or device), ``ftscan-report`` (a file this run writes or
    reads as its own: its report, the baseline)."""
    detail: str = ""


@dataclass
class _Spec:
    base: str
    """The directory the patterns are relative to ('' for the root)."""
    spec: pathspec.GitIgnoreSpec


class IgnoreRules:
    """The ignore specs in force, from the root down to the directory being walked."""

    def __init__(self, root: Path, exclude: Sequence[str] = (), use_ignore_files: bool = True,
                 git_applied: bool = False, default_excludes: bool = True):
        """``git_applied``: git has already applied its own ignore rules (the files come from
        :mod:`ftscan.gitfiles`), so only ftscan's (``.ftscanignore``, ``exclude``, the default
        excludes) are left."""
        self.root = root
        self.default_excludes = default_excludes and use_ignore_files
        self.base = ""
        """Set for the walk of a folder named on the command line that rules above it would
        ignore: only rules inside it apply, relative to it."""
        self._root_text = str(root)
        self.use_ignore_files = use_ignore_files
        self.ignore_files = OWN_IGNORE_FILES if git_applied else IGNORE_FILES
        self.problems: list[tuple[str, int, str]] = []
        """Ignore-file lines that could not be used: (path, line, why)."""
        self._config = compile_patterns(exclude, "exclude", self.problems) if exclude else None
        self._loaded: dict[str, list[_Spec]] = {}
        self._global: list[_Spec] = []
        exclude_file = root / ".git" / "info" / "exclude"
        if use_ignore_files and not git_applied and exclude_file.is_file():
            spec = self._read_spec(exclude_file)
            if spec is not None:
                self._global.append(_Spec("", spec))

    def specs_for(self, directory: str, names: Container[str] | None = None) -> list[_Spec]:
        """The specs defined in ``directory`` itself (loaded once); ``names``, when the caller
        has listed the directory, spares a look for ignore files it does not hold."""
        if names is not None and not any(name in names for name in self.ignore_files):
            return []
        if directory not in self._loaded:
            specs = []
            if self.use_ignore_files:
                folder = os.path.join(self._root_text, directory) if directory else \
                    self._root_text
                for name in self.ignore_files:
                    candidate = os.path.join(folder, name)
                    if os.path.isfile(candidate):
                        spec = self._read_spec(Path(candidate))
                        if spec is not None:
                            specs.append(_Spec(directory, spec))
            self._loaded[directory] = specs
        return self._loaded[directory]

    def in_force(self, chain: Sequence[str]) -> list[_Spec]:
        """The specs that apply inside the last directory of ``chain`` (root first), in the
        order they are read: outer directories first, the directory's own last."""
        return [spec for directory in chain for spec in self.specs_for(directory)]

    def filtering(self, specs: Sequence[_Spec]) -> bool:
        """Could any path be ignored where ``specs`` are in force?"""
        return bool(specs or self._config is not None or self._global or self.default_excludes)

    def scoped_to(self, folder: str) -> IgnoreRules:
        """These rules for the walk of ``folder``, named on the command line although rules
        above it ignore it: the user asked for it, so only the rules inside it apply (its own
        ignore files, and the config's and default excludes matched below it)."""
        scoped = copy.copy(self)
        scoped.base = folder
        scoped._global = []
        return scoped

    def excluded_by_default(self, name: str, is_dir: bool) -> bool:
        """Is a file or folder of this name left out by the default excludes?"""
        if not self.default_excludes:
            return False
        return name in DEFAULT_EXCLUDED_DIRS if is_dir else name.endswith(
            DEFAULT_EXCLUDED_SUFFIXES)

    def ignored(self, relpath: str, is_dir: bool, specs: Sequence[_Spec]) -> bool:
        """Is ``relpath`` ignored, given the directory ``specs`` in force where it lives?"""
        if not self.filtering(specs):
            return False
        if self.excluded_by_default(relpath.rpartition("/")[2], is_dir) and not (
                is_dir and is_deployed_build(self.root, relpath)):
            return True
        candidate = relpath + "/" if is_dir else relpath
        if self._config is not None:
            local = candidate[len(self.base) + 1:] if self.base else candidate
            verdict = self._config.check_file(local).include
            if verdict is not None:
                return bool(verdict)
        for spec in reversed(specs):
            local = candidate[len(spec.base) + 1:] if spec.base else candidate
            verdict = spec.spec.check_file(local).include
            if verdict is not None:
                return bool(verdict)
        for spec in self._global:
            verdict = spec.spec.check_file(candidate).include
            if verdict is not None:
                return bool(verdict)
        return False


    def _read_spec(self, path: Path) -> pathspec.GitIgnoreSpec | None:
        """The file's patterns; ``None`` when it cannot be read or holds none (git's default
        ``info/exclude`` is all comments: no need to test every file against it)."""
        try:
            lines = read_text_limited(path, root=self.root).split("\n")
        except (OSError, UnsafeFile):
            return None
        where = relative_path(self.root, path)
        return compile_patterns(lines, where, self.problems)


def compile_patterns(lines: Sequence[str], source: str,
                     problems: list[tuple[str, int, str]]) -> pathspec.GitIgnoreSpec | None:
    """Gitignore-style patterns: a line pathspec refuses (a pattern ending in a lone
    backslash) is left out and noted in ``problems`` as (source, line, why), the others still
    apply. ``None`` when no line holds a pattern."""
    lines = [line.rstrip("\r") for line in lines]
    try:
        spec = _spec(lines)
    except (ValueError, TypeError):  # find the lines at fault, keep the rest
        faults = {number: fault for number, line in enumerate(lines, start=1)
                  if (fault := _pattern_fault(line)) is not None}
        problems.extend((source, number, f"pattern {lines[number - 1].strip()!r} ignored: "
                         f"{fault}") for number, fault in faults.items())
        spec = _spec([line for number, line in enumerate(lines, start=1)
                      if number not in faults])
    return spec if any(p.include is not None for p in spec.patterns) else None


def _spec(lines: Sequence[str]) -> pathspec.GitIgnoreSpec:
    """pathspec's compiled form of gitignore lines; pathspec is imported on first use (a
    replayed scan of a git repository compiles no pattern, and it is 13 ms of start-up)."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _pattern_fault(line: str) -> str | None:
    """Why pathspec refuses one gitignore line, or ``None``."""
    try:
        _spec([line])
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None


def walk(
    root: Path,
    targets: Sequence[Path],
    rules: IgnoreRules,
    max_size: int,
) -> Iterator[FileEntry | SkippedEntry]:
    """Every file under ``targets`` (all inside ``root``) that the scan should consider.

    Yields :class:`SkippedEntry` for files it will not read, so the summary can count them.
    Files named explicitly are read even when an ignore file would skip them.
    """
    # a file reached twice (named, and inside a folder also named) is yielded once; one folder
    # alone cannot reach a file twice, and needs no record of every path
    seen: set[str] | None = set() if len(targets) > 1 else None
    for target in targets:
        rel = relative_path(root, target)
        if target.is_symlink() or not target.is_dir():
            if _first_visit(seen, rel):
                yield from _file_entry(root, target, rel, max_size)
            continue
        chain = _chain(rel)
        if any(rules.ignored(chain[i], True, rules.in_force(chain[:i]))
               for i in range(1, len(chain))):  # named, so scanned: by the rules inside it
            yield from _walk_dir(target, rel, [], rules.scoped_to(rel), max_size, seen)
            continue
        yield from _walk_dir(target, rel, rules.in_force(chain[:-1]), rules, max_size, seen)


def _first_visit(seen: set[str] | None, rel: str) -> bool:
    """Is this the first time the walk reaches ``rel``? (``seen`` is ``None`` when it cannot
    reach a file twice.)"""
    if seen is None:
        return True
    if rel in seen:
        return False
    seen.add(rel)
    return True


def _chain(rel: str) -> list[str]:
    """The directories from the root down to ``rel``: ['', 'a', 'a/b']."""
    chain = [""]
    if rel:
        parts = rel.split("/")
        chain.extend("/".join(parts[: i + 1]) for i in range(len(parts)))
    return chain


def _printable(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by the OS as surrogates) become
    U+FFFD, so every report can be written. The file itself is still opened by its real name."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def relative_path(root: Path, path: Path) -> str:
    """``path`` relative to ``root``, with forward slashes; ``""`` for the root itself."""
    rel = os.path.relpath(os.path.abspath(path), root)
    return "" if rel == "." else rel.replace(os.sep, "/")


def _walk_dir(
    top: Path,
    top_rel: str,
    top_specs: list[_Spec],
    rules: IgnoreRules,
    max_size: int,
    seen: set[str] | None,
) -> Iterator[FileEntry | SkippedEntry]:
    """Depth first, names sorted, with plain strings throughout: this loop runs once per file
    of the largest monorepos. A folder below ``top`` that holds ``.git`` is a repository of its
    own (as git sees it), found from its own listing: no extra look per folder."""
    stack: list[tuple[str, str, list[_Spec]]] = [(str(top), top_rel, top_specs)]
    while stack:
        folder, folder_rel, parent_specs = stack.pop()
        try:
            with os.scandir(folder) as it:
                by_name = {e.name: e for e in it}
        except OSError as exc:
            yield SkippedEntry(folder_rel or ".", "unreadable", exc.strerror or str(exc))
            continue
        if ".git" in by_name and folder_rel != top_rel:
            continue
        own = rules.specs_for(folder_rel, by_name)
        specs = [*parent_specs, *own] if own else parent_specs
        filtering = rules.filtering(specs)
        prefix = f"{folder_rel}/" if folder_rel else ""
        subdirs = []
        for key in sorted(by_name):
            entry = by_name[key]
            rel = prefix + (key if key.isascii() else _printable(key))
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir(follow_symlinks=False)
            except OSError:
                is_link, is_dir = False, False
            if is_dir:
                if key not in ALWAYS_SKIPPED_DIRS and not (
                        filtering and rules.ignored(rel, True, specs)):
                    subdirs.append((entry.path, rel, specs))
                continue
            if filtering and rules.ignored(rel, False, specs):
                continue
            if not _first_visit(seen, rel):
                continue
            if is_link:
                yield from _file_entry(rules.root, Path(entry.path), rel, max_size)
                continue
            try:  # the fast path, inline: the directory entry knows it is no symlink
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                yield SkippedEntry(rel, "unreadable", exc.strerror or str(exc))
                continue
            size = info.st_size
            if size <= max_size and S_ISREG(info.st_mode):
                yield FileEntry(entry.path, rel, size, _signature(info))
            else:
                yield irregular(rel, info, max_size)
        stack.extend(reversed(subdirs))


def _signature(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def irregular(rel: str, info: os.stat_result, max_size: int) -> SkippedEntry:
    """Why a file the walk found is not read: not a regular file, or too large."""
    if not S_ISREG(info.st_mode):
        return SkippedEntry(rel, "special", "not a regular file")
    return SkippedEntry(rel, "too-large", f"{info.st_size} bytes, over the limit of {max_size}")


def _file_entry(
    root: Path, path: Path, rel: str, max_size: int
) -> Iterator[FileEntry | SkippedEntry]:
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            yield SkippedEntry(rel, "broken-symlink",
                               f"points to {os.readlink(path)!r}, which {unreachable(exc)}")
            return
        if not target.is_relative_to(root.resolve()):
            yield SkippedEntry(rel, "outside-root",
                               f"points outside the scanned root, to {target}")
            return
        yield SkippedEntry(rel, "symlink", "its target inside the root is scanned instead")
        return
    try:
        info = path.stat()
    except OSError as exc:
        yield SkippedEntry(rel, "unreadable", exc.strerror or str(exc))
        return
    if info.st_size > max_size or not S_ISREG(info.st_mode):
        yield irregular(rel, info, max_size)
        return
    yield FileEntry(str(path), rel, info.st_size, _signature(info))


def unreachable(exc: OSError | RuntimeError) -> str:
    """Why a path cannot be reached, as a verb phrase (``does not exist``): a symlink loop
    (Python before 3.13 raises ``RuntimeError`` for one, later versions ``ELOOP``) is no
    missing file."""
    if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
        return "leads into a symlink loop"
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        return "does not exist"
    return f"cannot be reached ({exc.strerror or exc})"


def listed(root: Path, listing: GitListing, rules: IgnoreRules, max_size: int,
           ) -> Iterator[FileEntry | SkippedEntry]:
    """The files of a git listing the scan should consider, in path order, with ftscan's own
    ignore rules applied (git has applied its own). A tracked file git reports unchanged is not
    looked at on disk here: its entry carries the blob id, and its size is checked when its
    bytes are read, if they are (:mod:`ftscan.pipeline.examine`). A file git names that is gone
    (deleted since the index) is no file of the work tree."""
    base = os.path.join(str(root), "")
    paths: list[tuple[str, str | None]] = [*listing.unchanged,
                                           *((path, None) for path in listing.others)]
    paths.sort()
    own_rules = _OwnRules(rules, paths)
    keys = [path for path, _ in paths] if own_rules.active else []
    i = 0
    while i < len(paths):
        path, blob = paths[i]
        i += 1
        if own_rules.active and own_rules.ignored(path):
            folder = own_rules.excluded_folder(path)
            if folder is not None:  # skip the rest of it at once: sorted, it is one run
                i = max(i, bisect.bisect_left(keys, folder + "0", i))  # "0" follows "/"
            continue
        rel = path if path.isascii() else _printable(path)
        if blob is not None:
            yield FileEntry(base + path, rel, UNKNOWN_SIZE, (blob,))
        elif os.path.lexists(base + path):
            yield from _file_entry(root, Path(base + path), rel, max_size)


def path_filter(rules: IgnoreRules, paths: Sequence[str]) -> Callable[[str], bool]:
    """Is a path of ``paths`` (files of no listing: a past commit's) one the scan leaves out,
    by ftscan's own rules in force today (``.ftscanignore`` files, ``exclude``, the default
    excludes)? Decided as for git's listing (:func:`listed`)."""
    # the tree's own ignore files count too, committed or not
    own_rules = _OwnRules(rules, [*((path, None) for path in paths),
                                  *((name, None) for name in rules.ignore_files)])
    return own_rules.ignored if own_rules.active else lambda path: False


class _OwnRules:
    """``.ftscanignore`` files and the config's ``exclude`` over a list of paths: each folder's
    verdict (and the specs in force inside it) worked out once, outermost first, as the walk
    would on its way down: an excluded folder excludes everything below it."""

    def __init__(self, rules: IgnoreRules, paths: Sequence[tuple[str, str | None]]) -> None:
        self.rules = rules
        holders = set()
        if rules.use_ignore_files:
            for path, _ in paths:
                folder, _, name = path.rpartition("/")
                if name in rules.ignore_files:
                    holders.add(folder)
        self._holders = holders
        self.active = bool(self._holders) or rules.filtering([])
        self._folders: dict[str, tuple[bool, list[_Spec]]] = {}

    def ignored(self, path: str) -> bool:
        folder, _, _ = path.rpartition("/")
        excluded, specs = self._folder(folder)
        return excluded or (self.rules.filtering(specs)
                            and self.rules.ignored(path, False, specs))

    def excluded_folder(self, path: str) -> str | None:
        """The outermost folder above ``path`` that is excluded whole, if any (every path
        below it is ignored too)."""
        found = None
        folder = path.rpartition("/")[0]
        while folder and self._folder(folder)[0]:
            found = folder
            folder = folder.rpartition("/")[0]
        return found

    def _folder(self, folder: str) -> tuple[bool, list[_Spec]]:
        known = self._folders.get(folder)
        if known is not None:
            return known
        if folder:
            parent, _, name = folder.rpartition("/")
            parent_excluded, parent_specs = self._folder(parent)
            excluded = parent_excluded or name in ALWAYS_SKIPPED_DIRS or (
                self.rules.filtering(parent_specs)
                and self.rules.ignored(folder, True, parent_specs))
        else:
            excluded, parent_specs = False, []
        own = self.rules.specs_for(folder, self.rules.ignore_files
                                   if folder in self._holders else ())
        known = self._folders[folder] = (excluded, [*parent_specs, *own] if own else
                                         parent_specs)
        return known
