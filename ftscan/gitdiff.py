"""Which lines changed: against the merge base with a ref (``--diff-base``), or in the index
(``--staged``). Only git is asked, with ``--unified=0`` hunks; nothing is checked out, and
nothing the repository configures runs (:mod:`ftscan.gitsafe`: no textconv, no external diff,
no filters).

The diff is git's plumbing, ``git diff-index``: the porcelain ``git diff`` against the work
tree refreshes the index whenever a file was touched without being changed (the optional-locks
switch does not stop it), and reads every ``diff.*`` setting of the user's interface. Every
file is diffed as text (``--text``): a file ``.gitattributes`` marks ``-diff`` or ``binary``
would otherwise show no hunk, and no id added to it would be new. A type change (a symlink
replaced by a regular file) counts as a change like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ftscan.errors import FtscanError
from ftscan.gitsafe import GitUnavailable, run_git
from ftscan.textpos import LineIndex

_LONE_CR = re.compile(r"\r(?!\n)")
_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
# Every diff option a repository's config could change the output with is set explicitly.
_DIFF = ("diff-index", "--patch", "--unified=0", "--text", "--no-color", "--no-ext-diff",
         "--no-textconv", "--no-renames", "--no-relative", "--src-prefix=a/", "--dst-prefix=b/",
         "--diff-filter=ACMRT", "--ignore-submodules")
_C_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
              '"': '"', "\\": "\\"}


class DiffError(FtscanError):
    """git could not tell what changed; the message says what to do."""


def _git(root: Path, *args: str) -> str:
    try:
        proc = run_git(root, args)
    except GitUnavailable as exc:
        raise DiffError(f"{exc}; diff-aware runs need git") from None
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        raise DiffError(stderr.splitlines()[-1] if stderr else f"git {' '.join(args)} failed")
    return proc.stdout.decode("utf-8", "surrogateescape")


def merge_base(root: Path, ref: str) -> str:
    """The merge base of ``ref`` and HEAD, with advice when a shallow clone lacks it."""
    if ref.startswith("-"):
        raise DiffError(f"{ref!r} is not a git ref")
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except DiffError:
        raise DiffError(
            f"the base {ref!r} is not in this clone; fetch it first, for example: "
            f"git fetch --no-tags --depth=1 origin {ref}") from None
    try:
        return _git(root, "merge-base", ref, "HEAD").strip()
    except DiffError:
        if _git(root, "rev-parse", "--is-shallow-repository").strip() == "true":
            # A shallow clone with the base fetched but not the history joining them: compare
            # with the base itself. For GitHub's pull-request merge commit that is exact.
            return _git(root, "rev-parse", f"{ref}^{{commit}}").strip()
        raise DiffError(f"no merge base between {ref!r} and HEAD: do they share any "
                        "history?") from None


Changes = dict[str, "set[int] | None"]
"""Path → the lines added or edited there (``None``: the whole file is new)."""


def is_changed(changes: Changes, path: str, line: int) -> bool:
    """Is ``line`` of ``path`` added or edited?"""
    if path not in changes:
        return False
    lines = changes[path]
    return lines is None or line in lines


def in_ftscan_lines(changes: Changes, read_text: Callable[[str], str | None]) -> Changes:
    """``changes`` with the lines of files holding a lone carriage return renumbered: git ends
    lines at ``\\n`` only, ftscan (like GitHub's line hashes) also at a lone ``\\r``, so one
    line of git's can be several of ftscan's, and each of them changed."""
    out: Changes = {}
    for path, lines in changes.items():
        text = read_text(path) if lines is not None else None
        if text is None or not _LONE_CR.search(text):
            out[path] = lines
            continue
        assert lines is not None
        index = LineIndex(text)
        renumbered: set[int] = set()
        offset, git_line = 0, 1
        for part in text.split("\n"):
            if git_line in lines:
                first = index.line_of(offset)
                last = index.line_of(offset + len(part))
                renumbered.update(range(first, last + 1))
            offset += len(part) + 1
            git_line += 1
        out[path] = renumbered
    return out


def changed_lines(root: Path, base: str | None = None, staged: bool = False) -> Changes:
    """Added or edited lines per path (relative to the repository root). Against a base, files
    git does not track yet (and does not ignore) are new as a whole: they are part of the
    change, whether or not they were added to the index."""
    if not (root / ".git").exists():
        raise DiffError(f"{root} is not a git repository; diff-aware runs need one")
    changes: Changes
    if staged:
        changes = dict(parse_diff(_git(root, *_DIFF, "--cached", _head_tree(root))))
    else:
        assert base is not None
        changes = dict(parse_diff(_git(root, *_DIFF, merge_base(root, base))))
        untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
        for raw in untracked.split("\0"):
            if raw and not raw.endswith("/"):
                changes[raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")] = None
    return changes


def _head_tree(root: Path) -> str:
    """What the index is compared with for ``--staged``: HEAD, or the empty tree before the
    first commit."""
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{tree}").strip()
    except DiffError:
        return _git(root, "hash-object", "-t", "tree", "--stdin").strip()


def unquote_path(text: str) -> str:
    """A path as git prints it in a diff header: as it is, or C-quoted (``"caf\\303\\251"``)
    when it holds a quote, a backslash, a control character or (by default) non-ASCII bytes.
    Octal escapes are bytes of the UTF-8 name; bytes that are not UTF-8 become U+FFFD, as in
    the paths of findings."""
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    raw = bytearray()
    body, i = text[1:-1], 0
    while i < len(body):
        char = body[i]
        if char != "\\" or i + 1 == len(body):
            raw += char.encode("utf-8", "surrogateescape")
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in "0123" and re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
            raw.append(int(body[i + 1:i + 4], 8))
            i += 4
        else:
            raw += _C_ESCAPES.get(nxt, nxt).encode("utf-8", "surrogateescape")
            i += 2
    return raw.decode("utf-8", "replace")


def parse_diff(diff: str) -> dict[str, set[int]]:
    """``git diff --unified=0`` → path → the line numbers added or edited on the new side.

    A hunk's lines are counted off as its header says, never read as headers themselves: an
    added line ``++ b/x`` is ``+++ b/x`` in the diff."""
    changed: dict[str, set[int]] = {}
    path: str | None = None
    old_left = new_left = 0
    for line in diff.split("\n"):
        if old_left or new_left:  # a line of the current hunk
            if line.startswith("-"):
                old_left -= 1
            elif line.startswith("+"):
                new_left -= 1
            continue
        if line.startswith("+++ "):
            target = unquote_path(line[4:].rstrip("\t"))
            path = target[2:] if target.startswith("b/") else None
            continue
        match = _HUNK.match(line)
        if match:
            old_left = int(match.group(1) or 1)
            start = int(match.group(2))
            new_left = count = int(match.group(3) or 1)
            if path is not None:
                changed.setdefault(path, set()).update(range(start, start + count))
    return changed
