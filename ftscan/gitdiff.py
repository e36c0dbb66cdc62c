"""Which lines changed: against the merge base with a ref (``--diff-base``), or in the index
(``--staged``). Only git is asked, with ``--unified=0`` hunks; nothing is checked out.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class DiffError(Exception):
    """git could not tell what changed; the message says what to do."""


def _git(root: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=False, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise DiffError("git is not installed; diff-aware runs need it") from None
    if proc.returncode != 0:
        raise DiffError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip()
                        else f"git {' '.join(args)} failed")
    return proc.stdout


def merge_base(root: Path, ref: str) -> str:
    """The merge base of ``ref`` and HEAD, with advice when a shallow clone lacks it."""
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


def changed_lines(root: Path, base: str | None = None, staged: bool = False
                  ) -> dict[str, set[int]]:
    """Added or edited lines per path (relative to the repository root)."""
    if not (root / ".git").exists():
        raise DiffError(f"{root} is not a git repository; diff-aware runs need one")
    if staged:
        diff = _git(root, "diff", "--cached", "--unified=0", "--no-color", "--no-ext-diff",
                    "--no-renames", "--diff-filter=ACMR")
    else:
        assert base is not None
        diff = _git(root, "diff", merge_base(root, base), "--unified=0", "--no-color",
                    "--no-ext-diff", "--diff-filter=ACMR")
    return parse_diff(diff)


def parse_diff(diff: str) -> dict[str, set[int]]:
    """``git diff --unified=0`` → path → the line numbers added or edited on the new side."""
    changed: dict[str, set[int]] = {}
    path: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            target = line[4:].strip().strip('"')
            path = target[2:] if target.startswith("b/") else None
            continue
        match = _HUNK.match(line)
        if match and path is not None:
            start = int(match.group(1))
            count = int(match.group(2)) if match.group(2) is not None else 1
            changed.setdefault(path, set()).update(range(start, start + count))
    return changed
