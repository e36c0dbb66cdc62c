"""The commits of a repository's history and the blobs they hold, as git lists them.

One walk, ``git rev-list --objects --in-commit-order --date-order``, lists every commit of
the range, newest first (a child always before its parents), each followed by the trees and
blobs (versions of files) no newer commit held: so each distinct blob is listed once, with the
newest commit that held it and its path there (which of the objects are blobs, ``git cat-file
--batch-check`` tells: :mod:`ftscan.history.blobs`). Nothing is checked out and no diff is made:
git reads commits and trees only. Blobs the repository lacks (a partial clone) are listed
apart (``--missing=print``). The oldest commit that held a blob is asked of the same walk
backwards (:func:`oldest_holders`), only for the few blobs that hold ids.

Every command runs through :mod:`ftscan.gitsafe`. git cuts a path listed this way at its
first newline: such a file is known by the start of its name.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ftscan.errors import FtscanError
from ftscan.gitsafe import GitUnavailable, run_git, start_git
from ftscan.models import Commit
from ftscan.result import HistoryRange

_WALK = ("rev-list", "--objects", "--in-commit-order", "--date-order", "--missing=print")
# not --filter=object:type=blob: with a filter, git 2.39 lists every blob under the first
# commit
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
WAIT_SECONDS = 3600.0
"""Longest a walk of the history may take (the largest repositories take a minute)."""


class HistoryError(FtscanError):
    """The history cannot be read as asked: ``--since`` names no commit of the repository."""


@dataclass
class Walk:
    """What the walk of a range of commits found."""

    commits: dict[str, Commit] = field(default_factory=dict)
    """Every commit walked, newest first (a dict keeps that order)."""
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    blobs: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Each distinct blob or tree but the commits' own: (its path, the newest commit that
    held it), in walk order."""
    missing: set[str] = field(default_factory=set)
    """Blobs the repository does not have (a partial or shallow clone)."""

    def removals(self, holders: Collection[str]) -> dict[str, Commit]:
        """For each of ``holders``, the oldest commit walked whose parent it is: the first
        that no longer holds what the holder was the newest commit to hold. A holder no
        commit walked descends from (a branch tip) has none."""
        wanted = set(holders)
        found: dict[str, Commit] = {}
        for sha, parents in self.parents.items():
            child = self.commits[sha]
            for parent in wanted.intersection(parents):
                known = found.get(parent)
                if known is None or (child.time, child.sha) < (known.time, known.sha):
                    found[parent] = child
        return found


@dataclass(frozen=True)
class Revisions:
    """The commits a history scan walks."""

    tips: tuple[str, ...]
    """Where the walk starts: ``HEAD``, or every branch."""
    limits: tuple[str, ...] = ()
    """``--since=DAY``: only the commits since that day."""
    after: str | None = None
    """A commit: only the commits that are not its ancestors (nor itself). Not ``^REV``,
    which would also leave out every blob ``REV`` holds, even where a later commit still
    holds it."""


def revisions(root: Path, wanted: HistoryRange) -> Revisions:
    """The commits ``wanted`` asks for; a :class:`HistoryError` when ``--since`` is neither
    a day nor a commit of the repository."""
    tips = ("HEAD",) if wanted.branches == "default" else ("--branches", "--remotes")
    since = wanted.since
    if since is None:
        return Revisions(tips)
    if _DAY.fullmatch(since):
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            raise HistoryError(f"--since {since}: not a day of the calendar") from None
        return Revisions(tips, limits=(f"--since={since}T00:00:00Z",))
    answer = run_git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options",
                            f"{since}^{{commit}}"]) if not since.startswith("-") else None
    sha = answer.stdout.decode("ascii", "replace").strip() if answer is not None else ""
    if answer is None or answer.returncode != 0 or not sha:
        raise HistoryError(f"--since {since}: no such commit in the repository (give a "
                           "revision or a day, YYYY-MM-DD)")
    return Revisions(tips, after=sha)


def walk(root: Path, revs: Revisions) -> Walk:
    """Walk the commits ``revs`` name (see the module docstring). A repository without a
    commit yet has no history: an empty walk."""
    kept = None if revs.after is None else {
        line.decode("ascii", "replace")
        for line in _lines(root, ["rev-list", *revs.tips, f"^{revs.after}", "--"])}
    found = Walk()
    holder = ""
    for line in _lines(root, [*_WALK, *revs.tips, *revs.limits, "--"], "--timestamp",
                       "--parents"):
        if line.startswith(b"?"):
            found.missing.add(line[1:].decode("ascii", "replace"))
            continue
        first, _, rest = line.partition(b" ")
        if first.isdigit() and len(first) < 20:  # a commit: time, id, parents
            sha, *parents = rest.decode("ascii", "replace").split()
            holder = sha if kept is None or sha in kept else ""
            if holder:
                found.commits[sha] = Commit(sha, int(first))
                found.parents[sha] = tuple(parents)
        elif rest and holder:  # a blob or a folder's tree, and its path (a commit's tree
            blob = first.decode("ascii", "replace")  # has none)
            found.blobs.setdefault(blob, (rest.decode("utf-8", "replace"), holder))
    return found


def oldest_holders(root: Path, revs: Revisions, blobs: Collection[str]) -> dict[str, Commit]:
    """The oldest commit that held each of ``blobs``, whatever the range (the first that
    ever did): the walk from the same tips, oldest first, stopped once every blob has been
    seen."""
    wanted = set(blobs)
    oldest: dict[str, Commit] = {}
    holder: Commit | None = None
    for line in _lines(root, [*_WALK, "--reverse", *revs.tips, "--"], "--timestamp"):
        if not wanted:
            break
        first, _, rest = line.partition(b" ")
        if first.isdigit() and len(first) < 20:  # a commit: time and id
            holder = Commit(rest.decode("ascii", "replace"), int(first))
            continue
        blob = first.decode("ascii", "replace")
        if blob in wanted:
            if holder is not None:
                oldest[blob] = holder
            wanted.discard(blob)
    return oldest


def _lines(root: Path, args: list[str], *extra: str) -> Iterator[bytes]:
    """The lines ``git args`` prints, as they come; raises :class:`GitUnavailable` when git
    fails (a repository without a commit yields nothing)."""
    command = [args[0], *extra, *args[1:]]
    try:
        process = start_git(root, command)
    except OSError as exc:
        raise GitUnavailable(f"git cannot be started: {exc.strerror or exc}") from None
    assert process.stdout is not None
    finished = False
    try:
        for raw in process.stdout:
            yield raw.rstrip(b"\n")
        finished = True
    finally:
        if not finished:
            process.kill()
        process.stdout.close()
        try:
            code = process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            raise GitUnavailable("git rev-list did not finish in time") from None
    if code != 0 and _has_commits(root):
        raise GitUnavailable(f"git rev-list failed (exit {code}) on the history of {root}")


def _has_commits(root: Path) -> bool:
    return run_git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).returncode == 0
