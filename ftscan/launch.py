"""The ``ftscan`` command's entry point: before the rest of ftscan is imported, it starts git's
listing of the repository a scan is about to read, then hands over to :mod:`ftscan.cli`.

A scan of a repository nobody touched since the last one costs a listing and a report
(:mod:`ftscan.cache.replay`), and git takes about as long to list a large work tree (0.14 s for
38,000 files: ``ls-files``, ``diff-files`` stat-checking every file, the untracked walk) as
Python takes to import ftscan, so the two run side by side. The guess made here from the raw
arguments is only a hint: the scan takes the listing over when it asks for exactly that one
(the whole work tree at that root, ignore files honoured), and what it does not take is
stopped unused. Only git's read-only listing starts early, through :mod:`ftscan.gitsafe` as
every git command does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ftscan.gitfiles import find_root, start_early

_NOT_A_SCAN_OF_THE_TREE = frozenset({"-h", "--help", "--no-ignore"})
"""Arguments that make a scan read something else than git's listing of the whole tree (or
nothing: help)."""

OPTIONS_WITH_VALUES = frozenset({
    "--as-of", "--baseline", "--baseline-if-present", "--branches", "--cache-dir", "--config",
    "--diff-base", "--fail-on", "--file-timeout", "--format", "--jobs", "--max-file-size",
    "--output", "--search", "--shard", "--since", "--warning-window", "-j", "-o",
})
"""``ftscan scan``'s options that take a value (the next argument, unless written
``--option=value``); a test keeps this in step with :mod:`ftscan.cli`."""


def guess_root(args: list[str]) -> Path | None:
    """The repository whose whole listing ``ftscan scan`` with these arguments will ask for,
    when that is clear from the arguments alone: a scan of one folder holding ``.git``, or the
    files a pre-commit hook passes (``--files-only``, resolved against their repository)."""
    if not args or args[0] != "scan" or _NOT_A_SCAN_OF_THE_TREE.intersection(args):
        return None
    operands: list[str] = []
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--":
            operands.extend(rest)
        elif arg in OPTIONS_WITH_VALUES:
            next(rest, None)
        elif not arg.startswith("-"):
            operands.append(arg)
    existing = [Path(a).absolute() for a in operands if os.path.lexists(a)]
    if "--files-only" in args or "--report-only" in args:
        root = find_root(existing[0]) if existing else None
    elif len(existing) > 1:
        return None
    else:
        root = existing[0] if existing else Path(".").absolute()
    if root is None or not (root / ".git").exists() or root.is_symlink():
        return None
    return root


def run() -> None:
    """The console script."""
    try:
        root = guess_root(sys.argv[1:])
    except (OSError, ValueError):  # a working directory deleted under us, say: the scan says so
        root = None
    if root is not None:
        start_early(root)
    from ftscan.cli import run as run_cli

    run_cli()
