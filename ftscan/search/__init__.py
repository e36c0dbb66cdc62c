"""Which files hold any of a set of words: the byte-level search of a scan, on an engine built
for it.

Most files of a repository hold nothing ftscan looks for. Looking at every byte in Python is
the floor of a scan's cost, so a scan asks a :class:`ByteSearch` which files hold any of its
words (the rules' keywords, the languages' markers, the names the alias phase follows) and
reads only those. Engines:

- :class:`ftscan.search.ripgrep.Ripgrep` when ``rg`` is installed: multi-threaded, SIMD
  literal search, about 1 GB/s on 2 cores;
- none (:data:`PYTHON`): every file is read and tested in Python, as it always was. This is the
  reference: an engine may name more files than hold a word (they are read and tested again),
  never fewer, so findings are the same with and without one (``tests/test_search.py`` runs
  both on the fixtures).

git grep was measured and left out: with ftscan's ~45 words it takes 2.7 s on the 38,000-file
benchmark tree, slower than reading every file in Python (ripgrep: 0.57 s).
"""

from __future__ import annotations

import os
import shutil
import sysconfig
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

ENGINES = ("auto", "ripgrep", "python")
PYTHON = "python"
class ByteSearch(Protocol):
    """Finds the files that hold any of some words."""

    name: str

    def containing(self, root: str, relpaths: Sequence[str], words: Sequence[bytes],
                   listed: bool = False) -> set[str]:
        """The members of ``relpaths`` (files under ``root``) that may hold any of ``words``:
        every file whose bytes hold one (as UTF-8, or as UTF-16 text with a byte order mark),
        and every file the engine could not answer for (unreadable, out of time), which the
        caller then reads itself and reports on. ``listed``: the scan's listing saw every one
        of them as a regular file moments ago (git compared it with its index, or the walk
        looked at it), so the engine need not look again."""
        ...


class EngineMissing(Exception):
    """The engine asked for by name is not installed."""


def engine_named(name: str | None, root: Path) -> ByteSearch | None:
    """The engine for ``name`` (``auto``: ripgrep when installed), or ``None`` for the pure
    Python search. An engine is never taken from inside the scanned tree (a ``PATH`` holding
    ``.`` would run the repository's own ``rg``)."""
    if name == PYTHON:
        return None
    from ftscan.search.ripgrep import Ripgrep

    found = _executable("rg", root)
    if found is None:
        if name == "ripgrep":
            raise EngineMissing("ripgrep (rg) is not installed; install it or use "
                                "--search python")
        return None
    return Ripgrep(found)


def _executable(program: str, root: Path) -> str | None:
    """``program`` installed beside this Python (``pip install 'ftscan[fast]'`` puts ``rg``
    there, off ``PATH`` in a virtual environment that is not activated), else on ``PATH``."""
    found = shutil.which(program, path=sysconfig.get_path("scripts")) or shutil.which(program)
    if found is None:
        return None
    real = os.path.realpath(found)
    inside = os.path.realpath(root)
    if real == inside or real.startswith(inside.rstrip(os.sep) + os.sep):
        return None
    return real
