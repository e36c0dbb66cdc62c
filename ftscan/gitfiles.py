"""What git says a work tree holds: the files a scan of a git repository reads.

git already knows which files belong to the repository and which its ignore rules leave out
(``.gitignore`` in every folder, ``.git/info/exclude``, ``core.excludesFile``), and it has the
blob id of every tracked file it finds unchanged. Four read-only commands, run side by side
while the scan loads its cache:

- ``git ls-files --stage -v``: tracked files, with mode and blob id (submodules are
  repositories of their own); its status letter is lowercase for a file marked
  assume-unchanged and ``S`` for a skip-worktree one (see below);
- ``git diff-files --name-only``: tracked files whose content or stat data differ from the
  index (git verifies "racily clean" files by content itself);
- ``git ls-files --others --exclude-standard``: untracked files git does not ignore (a nested
  repository shows as one folder, left to its own scan).

A tracked file is part of the repository whatever ``.gitignore`` says (git's own rule: ignore
patterns only keep untracked files out): a ``.env`` committed before it was ignored is read, and
a fine-tune in it is exactly the hidden dependency a scan is for. ftscan's own ``.ftscanignore``
and ``exclude`` still apply.

A tracked file git reports unchanged is identified by its blob id, so the scan cache can trust
it without a ``stat`` of its own (keyed also by what decides the bytes git checks the blob out
as: :mod:`ftscan.checkout`). Anything else (changed, untracked, a symlink) is looked at on
disk as the plain walk would; so are the files git is told not to look at: git never compares
an assume-unchanged file with the index, so an edit to it goes unreported, and a skip-worktree
file is one git leaves alone on disk (absent in a sparse checkout, present and edited when a
user keeps a local version of it). One difference from the walk: git also applies the user's global
ignore file (``core.excludesFile``), as ``git status`` does. Every command runs through
:mod:`ftscan.gitsafe`: nothing the repository configures is run, the index is never written,
and a repository location inherited from the environment (a git hook's ``GIT_DIR``) is not
used.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ftscan.gitsafe import GIT_TIMEOUT_SECONDS, GitUnavailable, start_git

_TRACKED = ("ls-files", "--stage", "-v", "-z")
_CHANGED = ("diff-files", "--name-only", "--no-renames", "-z")
_UNTRACKED = ("ls-files", "--others", "--exclude-standard", "-z")
_REGULAR_MODES = ("100644", "100755")
_SYMLINK_MODE = "120000"


@dataclass(frozen=True)
class GitListing:
    """The files of a work tree, as git sees them (paths relative to the root, ``/``-separated,
    undecodable bytes kept as surrogates so that the file can be opened)."""

    unchanged: list[tuple[str, str]]
    """(path, blob id) of tracked regular files git reports unchanged."""
    others: list[str]
    """Tracked files changed since the index (or deleted), tracked symlinks, unmerged paths,
    files git is told not to look at (assume-unchanged, skip-worktree: they may be absent), and
    untracked files git does not ignore."""


class PendingListing:
    """The git commands, started; :meth:`result` waits for them."""

    def __init__(self, root: Path, pathspecs: Sequence[str]) -> None:
        tail = ("--", *pathspecs) if pathspecs else ()
        self._outputs: tuple[str, str, str] | None = None
        self._processes: list[subprocess.Popen[bytes]] = []
        try:
            for args in (_TRACKED, _CHANGED, _UNTRACKED):
                self._processes.append(start_git(root, [*args, *tail]))
        except (OSError, GitUnavailable):  # no git here: the plain walk does the job
            self.stop()

    def result(self) -> GitListing | None:
        """The listing, or ``None`` when git could not give one (not installed, not a work
        tree, a repository git refuses to use as the current user)."""
        outputs = self.outputs()
        return parse_listing(*outputs) if outputs is not None else None

    def outputs(self) -> tuple[str, str, str] | None:
        """The commands' outputs as they are (tracked, changed, untracked), or ``None``; the
        same answer however often it is asked."""
        if self._outputs is not None or not self._processes:
            return self._outputs
        processes, self._processes = self._processes, []  # asked once; the answer is kept
        try:  # the largest output first: the others wait on their pipes meanwhile
            outputs = [process.communicate(timeout=GIT_TIMEOUT_SECONDS)[0]
                       for process in processes]
        except subprocess.TimeoutExpired:
            return None
        finally:
            _stop(processes)
        if any(process.returncode != 0 for process in processes):
            return None
        tracked, changed, untracked = (out.decode("utf-8", "surrogateescape")
                                       for out in outputs)
        self._outputs = (tracked, changed, untracked)
        return self._outputs

    def stop(self) -> None:
        """End the commands without waiting for their answer."""
        processes, self._processes = self._processes, []
        _stop(processes)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Every process ended and its pipe closed (also after an interruption)."""
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def start_listing(root: Path, folders: Sequence[str]) -> PendingListing:
    """Ask git for the files under ``folders`` (relative to ``root``, ``""`` for all of it);
    the whole tree's listing :func:`start_early` began already is handed over, not asked
    again."""
    if "" in folders:
        early = _early.pop(root, None)
        if early is not None:
            return early
    pathspecs = [] if "" in folders else [f":(literal){folder}" for folder in folders]
    return PendingListing(root, pathspecs)


_early: dict[Path, PendingListing] = {}


def start_early(root: Path) -> None:
    """Start the listing of the whole work tree at ``root`` now, before the scan asks for it
    (:mod:`ftscan.launch` does, while the rest of ftscan is imported); the scan's
    :func:`start_listing` of the same root takes it over."""
    if root not in _early:
        _early[root] = PendingListing(root, [])


def discard_early() -> None:
    """Stop the early listings no scan took over (the guess was wrong)."""
    while _early:
        _early.popitem()[1].stop()


def find_root(path: Path) -> Path:
    """The repository root above ``path`` (the folder holding ``.git``), else ``path`` itself
    (or its folder, for a file)."""
    start = path if path.is_dir() else path.parent
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return start


def not_vouched(tag: str) -> bool:
    """Does the status letter of ``git ls-files -v`` say git does not compare the file on disk
    with the index: assume-unchanged (lowercase) or skip-worktree (``S``)?"""
    return tag.islower() or tag == "S"


def parse_listing(tracked: str, changed: str, untracked: str) -> GitListing:
    """The commands' ``-z`` outputs, as a :class:`GitListing`."""
    dirty = set(changed.split("\0"))
    unchanged: list[tuple[str, str]] = []
    others: list[str] = []
    seen_unmerged: set[str] = set()
    for record in tracked.split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        tag, mode, blob, stage = meta.split(" ")
        if mode not in _REGULAR_MODES and mode != _SYMLINK_MODE:
            continue  # a submodule
        if stage != "0":  # a merge in progress: the work tree holds the file as it is
            if path not in seen_unmerged:
                seen_unmerged.add(path)
                others.append(path)
        elif mode == _SYMLINK_MODE or path in dirty or not_vouched(tag):
            others.append(path)
        else:
            unchanged.append((path, blob))
    others.extend(p for p in untracked.split("\0") if p and not p.endswith("/"))
    return GitListing(unchanged, others)
